export {
  VpcdCard,
  DEFAULT_VPCD_HOSTS,
  type VpcdCardOptions,
  type VpcdCardStats,
} from './vpcd-card.js';
export {
  classicCardApplication,
  foreignCardApplication,
  type VpcdCardApplication,
  type ForeignCardOptions,
} from './card-applications.js';
export { encodeFrame, FrameDecoder, VPCD_CONTROL, VPCD_PORTS } from './vpcd-framing.js';
