export {
  databaseUrl,
  randomUsername,
  startIssuanceTestApp,
  testPool,
  TEST_CARD_KEY_KEK,
  type IssuanceTestApp,
  type SignedIn,
  type SignInOptions,
  type TestAppOptions,
} from './harness.js';
export { ensureTestMasterKeys } from './card-keys.js';
