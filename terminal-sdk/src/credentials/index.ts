export {
  checkCredentials,
  makeCredentials,
  type CredentialsInput,
  type TerminalCredentials,
} from './credentials.js';
export { CREDENTIAL_FILES, loadCredentials, saveCredentials } from './credential-files.js';
export { enrolTerminal, type EnrolOptions } from './enrol.js';
