export { registerCardRoutes } from './card.routes.js';
export { registerHotlistRoutes } from './hotlist.routes.js';
export { registerProductRoutes } from './product.routes.js';
export { registerStockRoutes } from './stock.routes.js';
export {
  CARD_CLERKS,
  CARD_READERS,
  CARD_SUPERVISORS,
  HOTLIST_READERS,
  PRODUCT_ADMINS,
  STOCK_IMPORTERS,
  type ActionContext,
} from './card-context.js';
export {
  assertCardNumber,
  cardNumberProblem,
  composeCardNumber,
  isValidCardNumber,
  luhnCheckDigit,
  parseCardNumber,
  type CardNumberParts,
  type CardNumberProblem,
} from './card-number.js';
export {
  CARD_COMMANDS,
  CARD_STATES,
  LIVE_STATES,
  canApply,
  holdsDeposit,
  hotlistChangeFor,
  isLive,
  settle,
  transition,
  type CardCommand,
  type CardState,
  type HotlistAction,
  type HotlistReason,
} from './lifecycle.js';
export {
  SHADOW_ENTRY_KINDS,
  listShadowEntries,
  postShadowEntry,
  shadowBalance,
  type ShadowEntry,
  type ShadowEntryInput,
  type ShadowEntryKind,
} from './shadow-balance.js';
export { findCard, findCardByNumber, requireCard, type CardRow } from './card.repository.js';
export { getProduct, listProducts, type ProductRow } from './product.repository.js';
