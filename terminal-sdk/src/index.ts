export * from './protocol/index.js';
export * from './credentials/index.js';
export * from './journal/index.js';
export * from './recorder/index.js';
export * from './uploader/index.js';
export * from './sync/index.js';
export * from './fare/index.js';
export * from './tap/index.js';
