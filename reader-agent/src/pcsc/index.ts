export { PcscReaderHub, type PcscHubOptions } from './pcsc-reader-hub.js';
export { PcscReader } from './pcsc-reader.js';
export {
  PcscClassicIo,
  sectorOfBlock,
  type ClassicIoStats,
  type Transmit,
} from './pcsc-classic-io.js';
export { mapPcscError, statusWordError, pcscResultOf, type ClassicOp } from './pcsc-errors.js';
export {
  pcscdReachable,
  pcscdSocketPath,
  DEFAULT_PCSCD_SOCKET,
  type NfcSource,
  type NfcReaderDevice,
  type NfcCardData,
} from './nfc-pcsc-surface.js';
export { hasAcr122Feedback, acr122FeedbackApdu } from './reader-feedback.js';
