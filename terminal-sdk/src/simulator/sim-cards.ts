import { createHmac } from 'node:crypto';
import {
  buildLoadPlan,
  buildPersonalisationPlan,
  deriveCardKeys,
  LAYOUT_V1,
  purseUpdateWrites,
  runPlan,
  testMasterKeySet,
  VirtualClassicCard,
  type IssuerInfo,
  type MasterKeySet,
} from '@citycard/core/card';
import { AppError } from '@citycard/core/errors';
import type { SeededRandom } from './random.js';

/** What kind of card the day hands a rider: most are in order, a few are meant to be refused. */
export type CardProfile = 'normal' | 'low_balance' | 'expired';

export interface SimulatedCard {
  readonly index: number;
  readonly cardNumber: string;
  /** Upper-case hex, as records and hotlists carry it. */
  readonly uid: string;
  readonly concession: string;
  readonly profile: CardProfile;
  readonly initialFen: number;
  readonly card: VirtualClassicCard;
}

/**
 * Card master keys for simulated and demo cards only, derived from the seed: never the keys of a
 * real card scheme (those stay sealed in the issuance service).
 */
export function simulatorMasterKeys(seed: string | number): MasterKeySet {
  return testMasterKeySet(Buffer.from(`citycard simulator test keys/${seed}`));
}

/** A UUID (version 4 layout) from a label, so that personalisation plans are reproducible. */
export function uuidFrom(label: string): string {
  const h = createHmac('sha256', 'citycard simulator').update(label).digest('hex');
  const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** 16 digits: issuer prefix, the card's serial and a Luhn check digit. */
export function simulatedCardNumber(index: number): string {
  const body = `310099${String(index + 1).padStart(9, '0')}`;
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return `${body}${(10 - (sum % 10)) % 10}`;
}

function pickConcession(rnd: SeededRandom): string {
  const x = rnd.int(1, 100);
  if (x <= 80) return 'FULL';
  if (x <= 90) return 'STUDENT';
  if (x <= 95) return 'CHILD';
  return 'SENIOR';
}

function pickProfile(rnd: SeededRandom): CardProfile {
  const x = rnd.int(1, 1000);
  if (x <= 40) return 'low_balance';
  if (x <= 50) return 'expired';
  return 'normal';
}

interface IssueInput {
  readonly index: number;
  readonly uid: Buffer;
  readonly masters: MasterKeySet;
  readonly issuer: IssuerInfo;
  readonly loadFen: number;
  readonly loadedAt: number;
}

/** Personalises a blank card and loads it, with the same plans a counter runs. */
async function issueOne(input: IssueInput): Promise<VirtualClassicCard> {
  const card = VirtualClassicCard.blank(input.uid);
  const keys = deriveCardKeys(input.masters, input.uid);
  try {
    const label = `${input.issuer.cardNumber}/${input.uid.toString('hex')}`;
    const personalise = buildPersonalisationPlan({
      planId: uuidFrom(`personalise/${label}`),
      uid: input.uid,
      issuer: input.issuer,
      cardholderRef: createHmac('sha256', 'cardholder').update(label).digest().subarray(0, 16),
      keys,
    });
    const now = () => new Date(input.loadedAt * 1000);
    const done = await runPlan(card, personalise, { now });
    const issued = purseUpdateWrites({
      uid: input.uid,
      macKey: keys.purseMacKey,
      newBalanceFen: 0,
      newCounter: 0,
      lastKind: 'issue',
    }).find((w) => w.block === LAYOUT_V1.blocks.purseRecord);
    const load = buildLoadPlan({
      planId: uuidFrom(`load/${label}`),
      uid: input.uid,
      keys,
      current: { balanceFen: 0, counter: 0 },
      newBalanceFen: input.loadFen,
      history: {
        at: input.loadedAt,
        kind: 'load',
        amountFen: input.loadFen,
        balanceAfterFen: input.loadFen,
        terminalRef: 0,
        counterLow: 1,
      },
      expectRecord: issued?.data ?? Buffer.alloc(16),
    });
    const loaded = done.outcome === 'completed' ? await runPlan(card, load, { now }) : done;
    if (loaded.outcome !== 'completed') {
      throw new AppError('INTERNAL', {
        message: 'A simulated card could not be issued',
        details: { index: input.index, outcome: loaded.outcome },
      });
    }
    return card;
  } finally {
    keys.wipe();
  }
}

export interface IssueCardsOptions {
  readonly count: number;
  readonly day: string;
  readonly masters: MasterKeySet;
  readonly rnd: SeededRandom;
  readonly onIssued?: (done: number) => void;
}

/** Issues `count` cards with distinct UIDs, concessions, balances and a few planted problems. */
export async function issueSimulatedCards(options: IssueCardsOptions): Promise<SimulatedCard[]> {
  const { rnd } = options;
  const year = Number(options.day.slice(0, 4));
  const loadedAt = Math.floor(Date.parse(`${options.day}T00:00:00+08:00`) / 1000) - 86_400;
  const uids = new Set<string>();
  const cards: SimulatedCard[] = [];
  for (let index = 0; index < options.count; index++) {
    let uid = Buffer.alloc(4);
    do uid.writeUInt32BE(rnd.nextUint32());
    while (uids.has(uid.toString('hex')) || uid[0] === 0x88);
    uids.add(uid.toString('hex'));
    uid = Buffer.from(uid);
    const concession = pickConcession(rnd);
    const profile = pickProfile(rnd);
    const loadFen = profile === 'low_balance' ? rnd.int(1, 6) * 50 : rnd.int(20, 200) * 100;
    const cardNumber = simulatedCardNumber(index);
    const issuer: IssuerInfo = {
      cardNumber,
      issuedOn: `${year - 1}-03-01`,
      expiresOn: profile === 'expired' ? `${year - 1}-12-31` : `${year + 4}-02-28`,
      status: 'active',
      layoutVersion: 1,
      keyVersion: options.masters.version,
      concession,
      concessionUntil: null,
    };
    const card = await issueOne({
      index,
      uid,
      masters: options.masters,
      issuer,
      loadFen,
      loadedAt,
    });
    const uidHex = uid.toString('hex').toUpperCase();
    cards.push({ index, cardNumber, uid: uidHex, concession, profile, initialFen: loadFen, card });
    options.onIssued?.(index + 1);
  }
  return cards;
}
