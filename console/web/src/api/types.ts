/** The parts of the services' answers the screens read (amounts are two-place strings). */
export type Role = 'clerk' | 'supervisor' | 'finance' | 'auditor' | 'admin';

export interface StaffSummary {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  branchId: string | null;
}

export interface LoginAnswer {
  token: string;
  expiresAt: string;
  staff: StaffSummary;
}

export interface MeAnswer {
  staff: StaffSummary;
  counterId: string | null;
  sessionExpiresAt: string;
}

export interface Movement {
  id: string;
  seq: number;
  kind: string;
  amount: string;
  reference: { type: string; id: string };
  note: string | null;
  at: string;
  afterClose: boolean;
}

export interface Drawer {
  id: string;
  staffId: string;
  counterId: string;
  branchId: string;
  state: 'open' | 'closed';
  openedAt: string;
  openingFloat: string;
  movementCount: number;
  expectedCash: string;
  closedAt: string | null;
  countedCash: string | null;
  difference: string | null;
  result: 'balanced' | 'long' | 'short' | null;
  note: string | null;
  corrected: {
    corrections: string;
    expectedCash: string;
    difference: string;
    result: string;
  } | null;
  movements?: Movement[];
}

export interface CardholderSummary {
  id: string;
  name: string;
  documentType: string;
  maskedIdNumber: string;
  dateOfBirth: string;
  maskedPhone: string | null;
}

export interface CardholderDetail {
  id: string;
  name: string;
  documentType: string;
  maskedIdNumber: string;
  dateOfBirth: string;
  sex: 'M' | 'F' | 'X' | null;
  phone: string | null;
  version: number;
}

export interface Product {
  code: string;
  name: string;
  deposit: string;
  maxBalance: string;
  concessionRef: string;
  validityYears: number;
  active: boolean;
}

export interface CardResult {
  id: string;
  uid: string;
  cardNumber: string | null;
  state: string;
  productCode: string | null;
  cardholderId: string | null;
  deposit: string;
  issuedAt: string | null;
  expiresOn: string | null;
  replacedBy: string | null;
}

export interface TransferResult {
  id: string;
  fromCardId: string;
  toCardId: string;
  holdUntil: string;
  releasedAt: string | null;
  releasedAmount: string | null;
  /** The released amount, or while held the old card's balance now. */
  amount: string;
}

export interface CardDetail extends CardResult {
  product: { code: string; name: string } | null;
  cardholder: { id: string; maskedName: string; maskedIdNumber: string } | null;
  depositHeld: boolean;
  shadowBalance: string;
  transfers: TransferResult[];
  /** Released onto this card's balance, not yet written onto its chip. */
  transferCreditOwed: string;
}

export interface LoadResult {
  id: string;
  cardId: string;
  amount: string;
  state: string;
  /** A balance transfer written onto the card (no cash); null for a top-up. */
  transferId: string | null;
  businessDay: string;
  createdAt: string;
  updatedAt: string;
}

export interface LoadOrder {
  loadId: string;
  planId: string;
  uid: string;
  load: LoadResult;
}

export interface Payout {
  card: CardResult;
  paidOut: { deposit: string; balance: string; total: string };
}

export interface RunLine {
  operatorId: string;
  count: number;
  gross: string;
  commission: string;
  subsidy: string;
  adjustments: string;
  net: string;
  lateCount: number;
}

export interface RunSummary {
  id: string;
  day: string;
  status: string;
  startedBy: string;
  startedAt: string;
  outputHash: string;
  transactionCount: number;
  totalGross: string;
  totalCommission: string;
  totalNet: string;
  floatCheck: { difference: string; ok: boolean };
  supersedes: string | null;
}

export interface RunDetail extends RunSummary {
  lines: RunLine[];
}

export interface Settlement {
  run: { id: string; status: string; startedBy: string };
  allowedActions: string[];
  paymentFile: { id: string; count: number; total: string; sha256: string } | null;
  confirmations: { id: string; clean: boolean; accepted: boolean; importedAt: string }[];
  audit: { seq: number; at: string; actor: string; action: string; toStatus: string | null }[];
}

export interface QuarantineDecision {
  id: string;
  action: 'release' | 'reject';
  note: string;
  proposedBy: string;
  proposedAt: string;
}

export interface QuarantinedRecord {
  terminalId: string;
  sequence: number;
  type: string;
  cardNumber: string;
  amount: string;
  occurredAt: string;
  businessDay: string;
  operatorId: string;
  reason: string;
  openDecision: QuarantineDecision | null;
}

export interface RunHour {
  operatorId: string;
  hourStart: string;
  /** 0–23, in the city's time zone. */
  localHour: number;
  count: number;
  gross: string;
}

export type PartyKind = 'issuer' | 'operator';

export interface Party {
  id: string;
  kind: PartyKind;
  version: number;
  name: string;
  bankName: string | null;
  bankAccountName: string | null;
  bankAccountNumber: string | null;
  contactName: string | null;
  contactEmail: string | null;
  contactPhone: string | null;
  changedBy: string;
  changedAt: string;
}

export interface FeeSchedule {
  id: string;
  operatorId: string;
  version: number;
  effectiveFrom: string;
  /** Exclusive; null: open-ended. */
  effectiveTo: string | null;
  fixedFee: string;
  dailyMin: string | null;
  dailyMax: string | null;
  /** Commission rate per transaction type; "*" for every type without its own. */
  rates: Record<string, string>;
}

export interface SubsidyRule {
  id: string;
  /** null: every operator. */
  operatorId: string | null;
  riderCategoryId: string;
  version: number;
  rate: string;
  effectiveFrom: string;
  effectiveTo: string | null;
}

export interface Branch {
  id: string;
  code: string;
  name: string;
  address: string | null;
  createdAt: string;
  closedAt: string | null;
}

export interface Counter {
  id: string;
  branchId: string;
  code: string;
  name: string;
  active: boolean;
  createdAt: string;
}

export interface ReaderAgent {
  id: string;
  counterId: string;
  branchId: string;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}
