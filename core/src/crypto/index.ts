export { AES_BLOCK, aesCmac, cmacOverBlocks, cmacSubkeys, type CmacSubkeys } from './cmac.js';
export {
  CLASSIC_KEY_LENGTH,
  classicDiversificationInput,
  diversifyAes128,
  diversifyClassicKey,
  type ClassicKeyInput,
  type ClassicKeyType,
} from './an10922.js';
export {
  blindIndex,
  hmacSha256,
  normaliseForIndex,
  timingSafeEqualBuffer,
  timingSafeEqualHex,
} from './hmac.js';
export {
  deriveKeyId,
  envelopeKeyId,
  open,
  parseKek,
  reseal,
  seal,
  type KeyEncryptionKey,
} from './envelope.js';
export {
  CERT_ROLES,
  createCa,
  createKeyAndCsr,
  issueCertificate,
  sanUri,
  type CaMaterial,
  type CertRole,
  type IssueOptions,
  type IssuedCertificate,
  type KeyAndCsr,
} from './pki.js';
export {
  fingerprintSha256,
  verifyCertificate,
  type VerifiedCertificate,
  type VerifyOptions,
} from './pki-verify.js';
export {
  FilePkiStore,
  type CertStatus,
  type IssueRequest,
  type IssuedCertificateRecord,
} from './pki-store.js';
export {
  issueServerCertificate,
  issueServerCertificateFromStore,
  type ServerCertificate,
  type ServerCertificateOptions,
} from './pki-server.js';
