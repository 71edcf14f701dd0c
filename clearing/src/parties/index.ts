export {
  ISSUER_PARTY_ID,
  partyInput,
  type Party,
  type PartyInput,
  type PartyKind,
} from './party.types.js';
export { getParty, listParties, saveParty } from './party.repository.js';
export { partyBody, putParty, type PartyBody } from './party.service.js';
