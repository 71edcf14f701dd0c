import {
  decodePurseRecord,
  encodeIssuerInfo,
  LAYOUT_V1,
  type CardKeys,
  type IssuerInfo,
} from '@citycard/core/card';
import { isAppError } from '@citycard/core/errors';
import { Amount } from '@citycard/core/money';
import { serviceDate, serviceDayOf, unixSeconds } from '../fare/index.js';
import { CardSession, readCard, type CardReadout } from './card-session.js';
import type { PendingTap } from './pending-taps.js';
import { occurredAt, planCharge, type ChargePlan } from './tap-charge.js';
import {
  blockedDraft,
  errorCode,
  hexWrites,
  leftTheField,
  recordCommitted,
  writeInOrder,
} from './tap-steps.js';
import type { PerformTapInput, RefusalReason, TapOutcome } from './tap.types.js';

const refused = (reason: RefusalReason, balance?: Amount): TapOutcome =>
  balance === undefined ? { status: 'refused', reason } : { status: 'refused', reason, balance };

/**
 * One tap, card side: read; settle an earlier torn tap of this card; hotlisted → block the card
 * and record it; refuse (nothing written) a corrupt, blocked or expired card, a bad purse MAC or
 * too small a balance; else price, write the purse (backup, record = commit, value), transit
 * state and history, and record. See README.md for what each tear leaves behind.
 */
export async function performTap(input: PerformTapInput): Promise<TapOutcome> {
  const keys = input.keys.keysFor(input.card.identity.uid);
  try {
    return await tapWithKeys(input, keys);
  } finally {
    keys.wipe();
  }
}

/**
 * Settles this card's pending tap, if any, without charging a new one: what a terminal runs when
 * a card it holds a pending tap for comes back and the rider should not be charged for a new tap.
 */
export async function settleTap(
  input: PerformTapInput,
): Promise<TapOutcome | { status: 'settled' | 'nothing_pending' }> {
  const keys = input.keys.keysFor(input.card.identity.uid);
  try {
    const session = new CardSession(input.card, keys);
    const readout = await read(session, keys);
    if ('status' in readout) return readout;
    const pending = input.pending?.get(readout.uidHex);
    if (pending === undefined) return { status: 'nothing_pending' };
    const settled = await settlePending(input, session, readout, pending);
    return settled === 'continue' ? { status: 'settled' } : settled;
  } finally {
    keys.wipe();
  }
}

async function read(session: CardSession, keys: CardKeys): Promise<CardReadout | TapOutcome> {
  try {
    return await readCard(session, keys);
  } catch (e) {
    if (leftTheField(e)) return { status: 'card_removed' };
    if (isAppError(e) && e.code.startsWith('CARD_')) return refused('card_unreadable');
    throw e;
  }
}

async function tapWithKeys(input: PerformTapInput, keys: CardKeys): Promise<TapOutcome> {
  const session = new CardSession(input.card, keys);
  let readout = await read(session, keys);
  if ('status' in readout) return readout;
  const pending = input.pending?.get(readout.uidHex);
  if (pending !== undefined) {
    const settled = await settlePending(input, session, readout, pending);
    if (settled !== 'continue') return settled;
    readout = await read(session, keys);
    if ('status' in readout) return readout;
  }
  const { issuer, purse } = readout;
  if (issuer === null) return refused('card_unreadable');
  if (input.canRecord !== undefined && !input.canRecord()) return refused('terminal_not_ready');
  if (issuer.status === 'blocked') return refused('card_blocked');
  if (input.hotlist.isListed(issuer.cardNumber, readout.uidHex)) {
    return blockCard(input, session, readout, issuer);
  }
  const today = serviceDate(serviceDayOf(input.fareSet, unixSeconds(input.now)));
  if (today > issuer.expiresOn) return refused('card_expired');
  if ('error' in purse) {
    return refused(purse.error === 'PURSE_MAC_INVALID' ? 'purse_invalid' : 'card_unreadable');
  }
  const plan = planCharge(input, readout, issuer, purse, keys);
  if ('refused' in plan) return refused(plan.refused, Amount.fromInt32Fen(purse.balanceFen));
  return commit(input, session, readout, plan);
}

async function commit(
  input: PerformTapInput,
  session: CardSession,
  readout: CardReadout,
  plan: ChargePlan,
): Promise<TapOutcome> {
  const [backup, record, ...rest] = plan.writes;
  if (backup === undefined || record === undefined) throw new Error('A purse update has 3 writes');
  try {
    // The backup alone changes nothing: the record still vouches for the old value block.
    await session.write(backup.block, backup.data);
  } catch (e) {
    if (leftTheField(e)) return { status: 'card_removed' };
    throw e;
  }
  const pending: PendingTap = {
    uid: readout.uidHex,
    kind: 'purse',
    draft: plan.draft,
    counter: plan.counter,
    balanceAfterFen: plan.balanceAfter.toInt32Fen(),
    committed: null,
    recorded: false,
    followUp: hexWrites(rest),
  };
  // Written ahead: if the terminal stops during the commit, the card settles it later.
  input.pending?.put(pending);
  try {
    await session.write(record.block, record.data);
  } catch (e) {
    return { status: 'record_pending', pending, errorCode: errorCode(e) };
  }
  const followUp = await writeInOrder(session, pending.followUp);
  return recordCommitted(input, { ...pending, committed: true, followUp }, { resumed: false });
}

async function blockCard(
  input: PerformTapInput,
  session: CardSession,
  readout: CardReadout,
  issuer: IssuerInfo,
): Promise<TapOutcome> {
  const { purse } = readout;
  const counter = 'error' in purse ? counterOf(readout.purseRecord) : purse.counter;
  const balance = 'error' in purse ? Amount.zero : Amount.fromInt32Fen(purse.balanceFen);
  const draft = blockedDraft(
    {
      cardNumber: issuer.cardNumber,
      uid: readout.uidHex,
      purseCounter: counter,
      occurredAt: occurredAt(input.fareSet, input.now),
      operatorId: input.terminal.operatorId,
      location: input.terminal.location,
    },
    balance,
  );
  const pending: PendingTap = {
    uid: readout.uidHex,
    kind: 'block',
    draft,
    counter,
    balanceAfterFen: balance.toInt32Fen(),
    committed: null,
    recorded: false,
    followUp: [],
  };
  input.pending?.put(pending);
  try {
    const { info } = encodeIssuerInfo({ ...issuer, status: 'blocked' });
    await session.write(LAYOUT_V1.blocks.issuerInfo, info);
  } catch (e) {
    return { status: 'record_pending', pending, errorCode: errorCode(e) };
  }
  return recordCommitted(input, { ...pending, committed: true }, { resumed: false });
}

function counterOf(record: Buffer): number {
  try {
    return Math.min(decodePurseRecord(record).counter, 0x7fff_ffff);
  } catch {
    return 0;
  }
}

/**
 * An earlier tap of this card that the card must settle. 'continue' means: nothing left to do
 * for it, price this tap afresh (after reading the card again).
 */
async function settlePending(
  input: PerformTapInput,
  session: CardSession,
  readout: CardReadout,
  p: PendingTap,
): Promise<TapOutcome | 'continue'> {
  const store = input.pending;
  if (p.kind === 'block') {
    if (readout.issuer?.status !== 'blocked') {
      store?.delete(p.uid);
      return 'continue';
    }
    if (p.recorded) {
      store?.delete(p.uid);
      return refused('card_blocked');
    }
    return recordCommitted(input, { ...p, committed: true }, { resumed: true });
  }
  const { purse } = readout;
  if ('error' in purse) return refused('purse_invalid');
  const onCard = purse.counter === p.counter && purse.balanceFen === p.balanceAfterFen;
  if (onCard) {
    const followUp = await writeInOrder(session, p.followUp);
    if (p.recorded) {
      if (followUp.length > 0) {
        store?.put({ ...p, followUp });
        return { status: 'card_removed' };
      }
      store?.delete(p.uid);
      return 'continue';
    }
    return recordCommitted(input, { ...p, committed: true, followUp }, { resumed: true });
  }
  // The commit never reached the card (counter one behind), or the card has moved on since:
  // its later taps superseded the follow-up writes, and only a known commit still needs a record.
  if (p.committed === true && !p.recorded && purse.counter > p.counter) {
    const outcome = await recordCommitted(input, { ...p, followUp: [] }, { resumed: true });
    if (outcome.status === 'record_pending') return outcome;
  }
  store?.delete(p.uid);
  return 'continue';
}
