export type {
  CardIdentity,
  CardInField,
  CardKind,
  CardReader,
  ClassicCardIo,
  KeyType,
  ReaderFeedback,
  ReaderHub,
  ReaderHubListeners,
  ReaderListeners,
} from './types.js';
export {
  blockHex,
  blockNumber,
  cardPlanSchema,
  keyHex,
  PLAN_OUTCOMES,
  PLAN_PURPOSES,
  planReportSchema,
  planStepSchema,
  STEP_STATUSES,
  stepReportSchema,
  uidHex,
  type CardPlan,
  type PlanOutcome,
  type PlanPurpose,
  type PlanReport,
  type PlanStep,
  type StepReport,
} from './plan.js';
export {
  buildTrailer,
  decodeAccessBits,
  encodeAccessBits,
  keyBReadable,
  permits,
  sectorAccessProblems,
  transportTrailer,
  TRANSPORT_ACCESS,
  TRANSPORT_GPB,
  TRANSPORT_KEY,
  validateSectorAccess,
  type AccessCondition,
  type AccessOp,
  type BlockOffset,
  type SectorAccess,
  type SectorNeeds,
  type TrailerInput,
} from './access-bits.js';
export { decodeValueBlock, encodeValueBlock, isValueBlock } from './value-block.js';
export { CLASSIC_1K_ATR, VirtualClassicCard, type VirtualCardStats } from './virtual-card.js';
export { runPlan, type RunPlanOptions } from './plan-runner.js';
export { hex as toHex } from './bytes.js';
export {
  keyedSectors,
  LAYOUT_V1,
  MAD_GPB,
  sectorOfBlock,
  sectorRole,
  sectorSetup,
  SECTORS_1K,
  trailerBlock,
  type CardLayout,
  type SectorRole,
  type SectorSetup,
} from './layout.js';
export {
  deriveCardKeys,
  MAD_KEY_A,
  masterKeySetFromSeed,
  testMasterKeySet,
  type CardKeys,
  type MasterKeySet,
  type SectorKeys,
} from './keys.js';
export {
  decodePurse,
  decodePurseRecord,
  encodePurseRecord,
  PURSE_KINDS,
  PURSE_MAC_LENGTH,
  PURSE_MAX_FEN,
  purseMac,
  purseUpdateWrites,
  type PurseBlocks,
  type PurseKind,
  type PurseRecord,
  type PurseState,
  type PurseUpdate,
} from './purse.js';
export {
  BLOCKED_STATUS,
  blockedInfoBlock,
  dateOfDay,
  dayNumber,
  decodeIssuerInfo,
  encodeCardholderRef,
  encodeIssuerInfo,
  type CardStatus,
  type IssuerInfo,
} from './issuer-info.js';
export {
  decodeTransitState,
  EMPTY_TRANSIT_STATE,
  encodeTransitState,
  TAP_KINDS,
  type LastTap,
  type TapKind,
  type TransitState,
} from './transit.js';
export {
  decodeHistoryEntry,
  encodeHistoryEntry,
  HISTORY_KINDS,
  historySlotBlock,
  type HistoryEntry,
  type HistoryKind,
} from './history.js';
export { decodeMad, encodeMad, MAD_AID_FREE, madCrc } from './mad.js';
export {
  buildLoadPlan,
  buildPersonalisationPlan,
  buildReadPlan,
  expectedTrailerReadback,
  type LoadPlanInput,
  type PersonalisationInput,
  type ReadPlanInput,
  type ReadSection,
  type UidInput,
} from './plans.js';
export {
  blocksFromReport,
  decodeCardImage,
  type CardImage,
  type CardImagePart,
} from './card-image.js';
