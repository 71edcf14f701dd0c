export {
  registerCardholderRoutes,
  CARDHOLDER_READERS,
  CARDHOLDER_WRITERS,
} from './cardholder.routes.js';
export { getCardholder } from './cardholder.repository.js';
export {
  parseResidentId,
  residentIdCheckCharacter,
  type IdNumberFailure,
  type ResidentIdNumber,
} from './id-number.js';
export {
  maskDocumentNumber,
  maskPhone,
  parseDocument,
  type DocumentFailure,
  type DocumentType,
} from './document.js';
