/**
 * The one catalogue of error codes. Every error that crosses a process boundary (HTTP answer,
 * CLI exit, queue failure) carries one of these codes. docs/errors.md lists them all and a test
 * fails when one is missing there.
 */
export interface ErrorSpec {
  readonly message: string;
  readonly httpStatus: number;
  /** true when the same request may succeed if sent again unchanged (after a back-off). */
  readonly retryable: boolean;
}

const spec = (message: string, httpStatus: number, retryable = false): ErrorSpec => ({
  message,
  httpStatus,
  retryable,
});

export const catalogue = {
  // --- generic
  VALIDATION_FAILED: spec('The request is not valid', 400),
  NOT_FOUND: spec('No such resource', 404),
  INTERNAL: spec('Internal error', 500, true),
  UNAUTHENTICATED: spec('Authentication required', 401),
  FORBIDDEN: spec('This role may not do this', 403),
  RATE_LIMITED: spec('Too many requests', 429, true),
  CONFLICT: spec('The request conflicts with the current state', 409),
  SERVICE_UNAVAILABLE: spec('A dependency is unavailable', 503, true),
  PAYLOAD_TOO_LARGE: spec('The request body is too large', 413),
  UNSUPPORTED_MEDIA_TYPE: spec('Unsupported content type', 415),

  // --- config
  CONFIG_INVALID: spec('The configuration is not valid', 500),

  // --- db and migrations
  DB_UNAVAILABLE: spec('The database is unavailable', 503, true),
  MIGRATION_EDITED: spec('An applied migration file was edited', 500),
  MIGRATION_MISSING: spec('An applied migration file is missing', 500),
  MIGRATION_NAME_INVALID: spec('A migration file name is not valid', 500),
  MIGRATION_FAILED: spec('A migration failed and was rolled back', 500),
  MIGRATION_OUT_OF_ORDER: spec('A new migration is numbered below one already applied', 500),
  EMBEDDED_PG_FAILED: spec('The embedded PostgreSQL could not start', 500),

  // --- money
  AMOUNT_INVALID: spec('Not a valid amount (two-place decimal string)', 400),
  AMOUNT_OUT_OF_RANGE: spec('Amount out of range', 400),
  ALLOCATION_INVALID: spec('An allocation needs non-negative weights with a positive sum', 400),

  // --- crypto and PKI
  KEY_INVALID: spec('A key has the wrong length or form', 400),
  ENVELOPE_INVALID: spec('A sealed secret could not be opened', 500),
  CSR_INVALID: spec('The certificate signing request is not valid', 400),
  CERT_INVALID: spec('The certificate does not verify against the platform CA', 401),
  CERT_REVOKED: spec('The certificate has been revoked', 401),
  PKI_NOT_INITIALISED: spec('The platform CA has not been created (run citycard pki init)', 500),
  PKI_EXISTS: spec('A platform CA already exists', 409),

  // --- issuance: cardholders
  ID_NUMBER_INVALID: spec('The identity document number is not valid', 400),
  ID_NUMBER_MISMATCH: spec('The date of birth or sex does not agree with the identity number', 400),
  CARDHOLDER_NOT_FOUND: spec('No such cardholder', 404),
  CARDHOLDER_EXISTS: spec('A cardholder with this identity document is already registered', 409),
  CARDHOLDER_VERSION_CONFLICT: spec('The cardholder was changed meanwhile; reload and retry', 409),

  // --- issuance: cards
  CARD_NOT_FOUND: spec('No such card', 404),
  CARD_TRANSITION_ILLEGAL: spec('The card cannot do this in its current state', 409),
  CARD_NUMBER_LENGTH_INVALID: spec('The card number has the wrong number of digits', 400),
  CARD_NUMBER_NOT_DIGITS: spec('A card number has only digits', 400),
  CARD_NUMBER_CHECK_DIGIT_INVALID: spec('The card number check digit is wrong', 400),
  PRODUCT_NOT_FOUND: spec('No such product', 404),
  PRODUCT_INACTIVE: spec('This product is no longer issued', 409),
  STOCK_BATCH_REJECTED: spec('Malformed or duplicate UIDs in the batch; nothing imported', 400),
  SHADOW_BALANCE_NEGATIVE: spec('The shadow balance would fall below zero', 409),
  SHADOW_BALANCE_ABOVE_MAX: spec('The shadow balance would exceed the product maximum', 400),
  SHADOW_ENTRY_REFUSED: spec('The card does not take this balance entry in its state', 409),
  BALANCE_TRANSFER_NOT_PENDING: spec('The card has no balance transfer waiting', 409),
  BALANCE_TRANSFER_HELD: spec('The balance transfer is still in its hold period', 409),
  BALANCE_TRANSFER_PENDING: spec('A balance transfer to this card is still pending', 409),

  // --- issuance: drawers
  BRANCH_NOT_FOUND: spec('No such branch', 404),
  BRANCH_CODE_TAKEN: spec('Another branch already has this code', 409),
  BRANCH_CLOSED: spec('The branch is closed', 409),
  BRANCH_BUSY: spec('The branch still has open drawers', 409),
  BRANCH_OUT_OF_SCOPE: spec('This belongs to another branch than yours', 403),
  COUNTER_NOT_FOUND: spec('No such counter', 404),
  COUNTER_CODE_TAKEN: spec('The branch already has a counter with this code', 409),
  COUNTER_INACTIVE: spec('The counter is not in service', 409),
  COUNTER_BUSY: spec('Another drawer is open at this counter', 409),
  COUNTER_SESSION_MISMATCH: spec('This is not the counter you signed in at', 409),
  DRAWER_NOT_FOUND: spec('No such drawer', 404),
  DRAWER_NOT_OPEN: spec('You have no open cash drawer', 409),
  DRAWER_ALREADY_OPEN: spec('You already have an open cash drawer', 409),
  DRAWER_CLOSED: spec('The drawer is closed and takes no more cash movements', 409),
  DRAWER_NOT_YOURS: spec('Only the clerk holding a drawer moves cash through it', 403),
  DRAWER_CASH_INSUFFICIENT: spec('The drawer does not hold enough cash for this payout', 409),
  CASH_MOVEMENT_INVALID: spec('The cash movement has the wrong sign for its kind', 400),

  // --- issuance: staff and audit
  LOGIN_FAILED: spec('The username or password is wrong', 401),
  ACCOUNT_LOCKED: spec('Too many failed sign-ins: the account is locked for a while', 423, true),
  STAFF_NOT_FOUND: spec('No such member of staff', 404),
  USERNAME_TAKEN: spec('Another account already has this username', 409),
  PASSWORD_TOO_WEAK: spec('The password is too short or too long', 400),
  CURRENT_PASSWORD_WRONG: spec('The current password is wrong', 403),
  LAST_ADMIN: spec('At least one enabled admin account must remain', 409),

  // --- card codec and card I/O (core/card)
  CARD_READBACK_MISMATCH: spec('A block read back differs from what the plan expects', 409),
  PLAN_ABORTED: spec('The card plan was stopped before it finished', 409, true),
  CARD_REMOVED: spec('The card left the reader before the command finished', 409, true),
  CARD_AUTH_FAILED: spec('The card refused the key for this sector', 409),
  CARD_ACCESS_DENIED: spec('The access bits of this block forbid the command', 409),
  CARD_NOT_AUTHENTICATED: spec('The sector of this block has not been authenticated', 409),
  CARD_BLOCK_INVALID: spec('No such block on this card, or a block that may not be used so', 400),
  CARD_COMMAND_FAILED: spec('The card or reader failed the command', 502, true),
  CARD_UNSUPPORTED: spec('This kind of card is not supported here', 422),
  CARD_DATA_INVALID: spec('A block on the card does not decode (corrupt or foreign data)', 422),
  ACCESS_BITS_INVALID: spec('These access conditions would brick or lock a sector', 400),
  VALUE_BLOCK_INVALID: spec('Not a valid value block', 422),
  PURSE_MAC_INVALID: spec('The purse MAC does not match the card, balance and counter', 422),
  PLAN_INVALID: spec('The card plan is not valid', 400),

  // --- reader agent
  AGENT_REPORT_PENDING: spec(
    'The card was processed but issuance has not confirmed the report yet; the agent keeps resending it',
    503,
  ),
  READER_NOT_FOUND: spec('No such reader', 404),
  READER_UNPLUGGED: spec('The reader was unplugged', 503, true),
  READER_BUSY: spec('The reader is busy with another card session', 409, true),
  PCSC_UNAVAILABLE: spec('The PC/SC service (pcscd) is not reachable', 503, true),
  NO_CARD_PRESENT: spec('There is no card on the reader', 409),
  AGENT_ORIGIN_REFUSED: spec('The local API takes requests only from the local console', 403),

  // --- terminal sdk
  JOURNAL_FULL: spec('The journal is full: stop selling until records are uploaded', 507, true),
  JOURNAL_IO: spec('The journal could not be read or written', 500, true),
  JOURNAL_CORRUPT: spec('A journal segment is damaged before its tail', 500),
  JOURNAL_LOCKED: spec('Another process has the journal open', 409, true),
  RECORD_MAC_INVALID: spec('A record MAC does not verify under the terminal key', 401),
  BATCH_MAC_INVALID: spec('The batch MAC does not verify under the terminal key', 401),
  BATCH_INCONSISTENT: spec('The batch totals, sequence range or hash chain do not match', 400),
  BATCH_SEQUENCE_CONFLICT: spec('A different batch was already received under this number', 409),
  REQUEST_SIGNATURE_INVALID: spec('The request signature does not verify', 401),
  ENROLMENT_TOKEN_INVALID: spec('The enrolment token is unknown, used or expired', 401),
  CREDENTIALS_MISSING: spec('The terminal is not enrolled (no stored credentials)', 409),
  CREDENTIALS_INVALID: spec('The stored terminal credentials are damaged or do not match', 500),
  GATEWAY_UNREACHABLE: spec('The gateway could not be reached', 503, true),
  GATEWAY_RESPONSE_INVALID: spec('The gateway answered outside the protocol', 502, true),
  HOTLIST_DELTA_MISMATCH: spec('The hotlist delta does not start at the version held', 409, true),
  FARE_SET_NOT_IN_FORCE: spec('No fare set is in force at this time', 503),
  OPERATOR_CONFIG_NOT_IN_FORCE: spec('No operator configuration is in force at this time', 503),

  FARE_SET_INVALID: spec('The fare set is not valid (schema or references)', 422),
  FARE_NOT_FOUND: spec('No fare rule of the fare set matches this leg', 422),
  FARE_TAP_INVALID: spec('The tap does not fit the fare set (unknown route, stop or mode)', 422),
  TAP_REFUSED: spec('The card was refused at the terminal; details.reason says why', 409),

  // --- issuance: keys, personalisation, loads
  KEYS_EXIST: spec('Card master keys exist already (rotate to add a version)', 409),
  KEYS_NOT_INITIALISED: spec('No card master keys yet (run citycard keys init)', 503),
  KEY_VERSION_UNKNOWN: spec('No card master keys of this version', 500),
  KEY_VERSIONS_EXHAUSTED: spec('All 255 card key versions are in use', 409),
  AGENT_EXISTS: spec('A reader agent with this id is registered already', 409),
  AGENT_NOT_REGISTERED: spec('The reader agent is not registered with issuance', 403),
  AGENT_DISABLED: spec('The reader agent is disabled', 403),
  AGENT_OTHER_COUNTER: spec('The reader agent stands at another counter', 403),
  PLAN_NOT_FOUND: spec('No such card plan for this reader agent', 404),
  PLAN_EXPIRED: spec('The card plan expired before it was fetched', 410),
  PLAN_WRONG_CARD: spec('The card plan is for another card', 409),
  PLAN_ALREADY_REPORTED: spec('The card plan was reported already, differently', 409),
  CARD_NOT_PERSONALISED: spec('The card has not been personalised', 409),
  CARD_ALREADY_PERSONALISED: spec('The card is personalised already', 409),
  CARD_NOT_ISSUED: spec('Only an issued card not yet active can be personalised', 409),
  LOAD_NOT_FOUND: spec('No such load', 404),
  LOAD_AMOUNT_ABOVE_LIMIT: spec('The amount is above the per-load maximum', 400),
  LOAD_DAILY_LIMIT_EXCEEDED: spec("The card's loads today would pass the daily maximum", 409),
  LOAD_BALANCE_ABOVE_MAX: spec('The balance would pass the maximum for this card type', 409),
  LOAD_CARD_NOT_ACTIVE: spec('Only an active card takes a load', 409),
  LOAD_OPEN_ON_CARD: spec('The card has a load not yet settled; settle it first', 409),
  LOAD_READ_REQUIRED: spec('A load needs a recent accepted read of this card', 409),
  LOAD_PURSE_UNREADABLE: spec("The card's purse did not read or verify", 422),
  LOAD_STATE_INVALID: spec('The load cannot do this in its current state', 409),
  BALANCE_CORRECTION_NOT_FOUND: spec('No such balance correction', 404),
  BALANCE_CORRECTION_NOT_NEEDED: spec('The card and the shadow balance agree', 409),
  BALANCE_CORRECTION_OPEN: spec('A balance correction for this card awaits approval', 409),
  BALANCE_CORRECTION_NOT_PENDING: spec('The balance correction was already decided', 409),
  BALANCE_CORRECTION_SELF_APPROVAL: spec('A second supervisor must approve a correction', 403),
  BALANCE_CORRECTION_STALE: spec('The shadow balance moved since the request; ask again', 409),

  // --- gateway
  TERMINAL_DISABLED: spec('The terminal is disabled or retired', 403),
  TERMINAL_MISMATCH: spec('A terminal posts only its own records, for its own operator', 403),
  CLIENT_CERT_REQUIRED: spec('Terminal requests need a client certificate (mutual TLS)', 401),
  TERMINAL_CERT_MISMATCH: spec("The client certificate is not this terminal's current one", 403),
  BATCH_TIME_INVALID: spec('The batch creation time is beyond the clock tolerance', 400),
  INGEST_CONTENDED: spec(
    'Other uploads of this terminal kept landing first; send again',
    503,
    true,
  ),
  QUARANTINE_RECORD_NOT_FOUND: spec('No such transaction record', 404),
  QUARANTINE_NOT_OPEN: spec('The record is not quarantined, or was decided already', 409),
  QUARANTINE_PROPOSAL_OPEN: spec('A decision on this record already awaits approval', 409),
  QUARANTINE_PROPOSAL_NOT_FOUND: spec('No such quarantine decision awaiting approval', 404),
  QUARANTINE_SELF_APPROVAL: spec('A second finance user must approve the decision', 403),
  OPERATOR_NOT_FOUND: spec('No such operator', 404),
  OPERATOR_EXISTS: spec('An operator with this id or card code already exists', 409),
  TERMINAL_NOT_FOUND: spec('No such terminal', 404),
  TERMINAL_EXISTS: spec('A terminal with this id already exists', 409),
  TERMINAL_STATE_INVALID: spec('The terminal cannot do this in its current state', 409),
  FARE_SET_VERSION_EXISTS: spec('This fare set version was published with other content', 409),
  FARE_SET_NOT_PUBLISHED: spec('No fare set has been published yet', 404),
  OPERATOR_CONFIG_VERSION_EXISTS: spec(
    'This configuration version was published with other content',
    409,
  ),

  // --- clearing
  CLEARING_DAY_INVALID: spec('Not a valid business day or cut-off', 400),
  CLEARING_CUTOFF_NOT_PASSED: spec("The business day's cut-off has not passed yet", 409),
  CLEARING_DAY_CLOSED: spec('This business day is approved or settled: it is never rerun', 409),
  CLEARING_RUN_BUSY: spec('Another clearing run is in progress', 409, true),
  CLEARING_RUN_NOT_FOUND: spec('No such clearing run', 404),
  LEDGER_ENTRY_UNBALANCED: spec('A journal entry must have postings that sum to zero', 422),
  FEE_SCHEDULE_INVALID: spec('The fee schedule is not valid', 400),
  FEE_SCHEDULE_VERSION_EXISTS: spec('This fee schedule version already exists', 409),
  PARTY_NOT_FOUND: spec('No such clearing party', 404),
  RECONCILIATION_NOT_FOUND: spec('No such reconciliation', 404),
  SETTLEMENT_STATE_INVALID: spec('The run is not in a status that allows this step', 409),
  SETTLEMENT_ABORT_TOO_LATE: spec('A run can be aborted only before the bank is instructed', 409),
  SETTLEMENT_SELF_APPROVAL: spec('A finance user other than the runner must approve', 403),
  SETTLEMENT_PAYEE_ACCOUNT_MISSING: spec('An operator to be paid has no bank account', 409),
  BANK_FILE_INVALID: spec('The bank file is not valid (layout or control totals)', 400),
  BANK_CONFIRMATION_FILE_MISMATCH: spec('The confirmation is for another payment file', 409),

  // --- queues
  QUEUE_UNAVAILABLE: spec('The job queue is unavailable', 503, true),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof catalogue;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(catalogue, code);
}
