import type { Queryable } from '@citycard/core/db';
import { parseAmount, type Amount } from '@citycard/core/money';
import type { FareSet } from '@citycard/terminal-sdk/fare';
import type { TransactionRecord } from '@citycard/terminal-sdk/protocol';
import type { FareSetLookup } from '../deps.js';
import { fareMatches, isTransit } from './fare-check.js';
import type { HotlistCache } from './hotlist-cache.js';
import { cardsByNumber, type ContractCard, type HotlistRow } from './issuance-contract.js';
import { counterReplays } from './counter-replay.js';
import type { QuarantineReason } from './reasons.js';

export interface VerifyContext {
  readonly db: Queryable;
  readonly issuanceSchema: string;
  readonly hotlist: HotlistCache;
  readonly fareSets: FareSetLookup;
  /** A record dated after this is CLOCK_SKEW (the batch creation or receipt time + tolerance). */
  readonly latestPlausible: Date;
  /** A record dated before this is CLOCK_SKEW (too old to be a late upload). */
  readonly earliestPlausible: Date;
  readonly maxRecordAmount: Amount;
  /** The business time zone, for a card's expiry date. */
  readonly timeZone: string;
}

/** What the records are checked against, read before the write. */
export interface Facts {
  cards: Map<string, ContractCard>;
  hotlist: HotlistRow[];
  replays: Set<number>;
  fareSets: ReadonlyMap<string, FareSet>;
}

// Building a formatter costs far more than using one: one per time zone, kept.
const formatters = new Map<string, Intl.DateTimeFormat>();

function localDate(at: Date, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, dateStyle: 'short' });
    formatters.set(timeZone, f);
  }
  return f.format(at);
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Whether the record's local date in `timeZone` is after the card's last valid day. Zone
 * offsets lie within −12 h … +14 h, so only a record within a day of the expiry needs the
 * (slow) time-zone formatter.
 */
export function afterExpiry(at: Date, expiresOn: string, timeZone: string): boolean {
  const dayAfter = Date.parse(`${expiresOn}T00:00:00Z`) + DAY_MS;
  const t = at.getTime();
  if (t + 14 * HOUR_MS < dayAfter) return false;
  if (t - 12 * HOUR_MS >= dayAfter) return true;
  return localDate(at, timeZone) > expiresOn;
}

/** On the hotlist when the record occurred: the card's last change before then was an add. */
function hotlisted(record: TransactionRecord, at: Date, hotlist: readonly HotlistRow[]): boolean {
  let listed = false;
  for (const row of hotlist) {
    if (row.created_at > at) continue;
    if (row.uid === record.uid || row.card_number === record.cardNumber) {
      listed = row.action === 'add';
    }
  }
  return listed;
}

function outOfLimits(record: TransactionRecord, card: ContractCard, max: Amount): boolean {
  const amount = parseAmount(record.amount, { allowNegative: true });
  const after = parseAmount(record.balanceAfter, { allowNegative: true });
  const before = parseAmount(record.balanceBefore, { allowNegative: true });
  const cardMax = card.max_balance === null ? undefined : parseAmount(card.max_balance);
  return (
    amount.abs().gt(max) || after.isNegative() || (cardMax !== undefined && before.gt(cardMax))
  );
}

function reasonFor(
  record: TransactionRecord,
  facts: Facts,
  ctx: VerifyContext,
): QuarantineReason | undefined {
  const card = facts.cards.get(record.cardNumber);
  if (card === undefined || card.uid !== record.uid) return 'UNKNOWN_CARD';
  const at = new Date(record.occurredAt);
  const blocking = record.type === 'card_blocked';
  if (!blocking && hotlisted(record, at, facts.hotlist)) return 'HOTLISTED_CARD';
  if (at > ctx.latestPlausible || at < ctx.earliestPlausible) return 'CLOCK_SKEW';
  const expired = card.expires_on !== null && afterExpiry(at, card.expires_on, ctx.timeZone);
  if (!blocking && (expired || card.state === 'expired')) return 'CARD_EXPIRED';
  if (outOfLimits(record, card, ctx.maxRecordAmount)) return 'AMOUNT_OUT_OF_LIMITS';
  if (!blocking && facts.replays.has(record.sequence)) return 'COUNTER_REPLAY';
  if (isTransit(record)) {
    const fareSet = record.fare && facts.fareSets.get(record.fare.fareSetVersion);
    if (!fareMatches(record, fareSet, card.concession_ref ?? '')) return 'FARE_MISMATCH';
  }
  return undefined;
}

async function gatherFacts(
  records: readonly TransactionRecord[],
  hashes: readonly string[],
  ctx: VerifyContext,
): Promise<Facts> {
  const cardNumbers = [...new Set(records.map((r) => r.cardNumber))];
  const uids = [...new Set(records.map((r) => r.uid))];
  const versions = new Set<string>();
  for (const r of records) if (r.fare !== undefined) versions.add(r.fare.fareSetVersion);
  const [cards, hotlist, replays, fareSets] = await Promise.all([
    cardsByNumber(ctx.db, ctx.issuanceSchema, cardNumbers),
    ctx.hotlist.historyOf(uids, cardNumbers),
    counterReplays(ctx.db, records, hashes),
    versions.size === 0 ? new Map<string, FareSet>() : ctx.fareSets([...versions]),
  ]);
  return { cards, hotlist, replays, fareSets };
}

/** The quarantine reason of each record (undefined: accepted), from facts already read. */
export function reasonsFrom(
  records: readonly TransactionRecord[],
  facts: Facts,
  ctx: VerifyContext,
): (QuarantineReason | undefined)[] {
  return records.map((record) => reasonFor(record, facts, ctx));
}

/**
 * The quarantine reason of each record (hashes: their record hashes, in order) (undefined: accepted), checked against issuance's contract
 * views, the fare sets and the records already stored. Read-only: it runs before the write.
 */
export async function verifyRecords(
  records: readonly TransactionRecord[],
  hashes: readonly string[],
  ctx: VerifyContext,
): Promise<(QuarantineReason | undefined)[]> {
  if (records.length === 0) return [];
  const facts = await gatherFacts(records, hashes, ctx);
  return reasonsFrom(records, facts, ctx);
}
