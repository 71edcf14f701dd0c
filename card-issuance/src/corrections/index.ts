export { registerCorrectionRoutes } from './correction.routes.js';
export { approveCorrection, rejectCorrection, requestCorrection } from './correction.service.js';
export { type CorrectionRow, type CorrectionState } from './correction.repository.js';
