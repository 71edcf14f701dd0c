export { keyRing, type KeyRing } from './key-ring.js';
export {
  MASTER_KEY_SLOTS,
  initMasterKeys,
  latestKeyVersion,
  listKeyVersions,
  loadMasterKeySet,
  rotateMasterKeys,
  type KeyVersionInfo,
} from './master-keys.js';
