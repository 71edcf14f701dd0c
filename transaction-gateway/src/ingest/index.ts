export { registerIngestRoutes } from './ingest.routes.js';
export { ingest, type IngestResult, type Upload } from './ingest.service.js';
export { checkBatch, checkSingleRecord } from './ingest.checks.js';
export { businessDay } from './business-day.js';
export { recordHash } from './record-hash.js';
