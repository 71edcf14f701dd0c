import fc from 'fast-check';
import { LAYOUT_V1, decodePurse } from '@citycard/core/card';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injector } from '../cards/test-support.js';
import { keyRing } from '../keys/key-ring.js';
import {
  activeCard,
  addFen,
  drawerCash,
  getLoad,
  loadEntriesOf,
  orderLoad,
  readCard,
  runLoadPlan,
  shadowOf,
  startLoadBench,
  tapDebit,
  type CardInHand,
  type LoadBench,
  type Tear,
} from './test-support.js';

let b: LoadBench;

beforeAll(async () => {
  b = await startLoadBench('1000.00');
});
afterAll(async () => {
  await b?.close();
});

type Command =
  | { readonly kind: 'load'; readonly fen: number; readonly tear: Tear | null }
  | { readonly kind: 'read' }
  | { readonly kind: 'refund' }
  | { readonly kind: 'tap'; readonly fen: number; readonly tornHistory: boolean };

const tear: fc.Arbitrary<Tear | null> = fc.oneof(
  fc.constant(null),
  fc.integer({ min: 0, max: 10 }).map((at) => ({ at })),
  fc
    .record({ at: fc.constantFrom(2, 3, 4, 9), applied: fc.boolean() })
    .map(({ at, applied }) => ({ at, during: applied ? ('applied' as const) : ('lost' as const) })),
);

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('load' as const),
      fen: fc.integer({ min: 1, max: 5_000 }),
      tear,
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'read' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'refund' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('tap' as const),
      fen: fc.integer({ min: 0, max: 300 }),
      tornHistory: fc.boolean(),
    }),
  },
);

const fenString = (fen: number) => addFen('0.00', fen);

/** The purse counter in the card's memory, read with the issuer's key (what really happened). */
async function counterOnCard(card: CardInHand): Promise<number> {
  const ring = keyRing(b.t.deps);
  const keys = await ring.cardKeys(card.uid, await ring.latestVersion(b.t.deps.db));
  const m = card.vc.image();
  const { purseValue, purseBackup, purseRecord } = LAYOUT_V1.blocks;
  const at = (n: number) => m[n] ?? Buffer.alloc(16);
  const purse = decodePurse(
    { value: at(purseValue), backup: at(purseBackup), record: at(purseRecord) },
    Buffer.from(card.uid, 'hex'),
    keys.purseMacKey,
  );
  keys.wipe();
  return purse.counter;
}

async function openLoadOf(cardId: string): Promise<{ id: string; state: string } | undefined> {
  const { rows } = await b.t.deps.db.query<{ id: string; state: string }>(
    `SELECT id, state FROM issuance.loads WHERE card_id = $1
     AND state IN ('pending', 'uncertain', 'failed')`,
    [cardId],
  );
  return rows[0];
}

/** One card's life: the model knows which loads really reached the card. */
class Life {
  readonly applied = new Map<string, boolean>();
  constructor(readonly card: CardInHand) {}

  async load(fen: number, t: Tear | null): Promise<void> {
    const { readPlanId } = await readCard(b.agent, this.card.vc);
    const open = await openLoadOf(this.card.id);
    const res =
      open === undefined
        ? await orderLoad(b, this.card.id, fenString(fen), readPlanId)
        : await injector(b.t)('POST', `/loads/${open.id}/retry`, b.clerk.headers, {
            agentId: b.agentId,
            readPlanId,
          });
    if (res.statusCode !== 201) {
      expect(res.json<{ code: string }>().code, res.body).toMatch(/^LOAD_(BALANCE|DAILY)/);
      return;
    }
    const { load, planId } = res.json<{ load: { id: string }; planId: string }>();
    const before = await counterOnCard(this.card);
    await runLoadPlan(b, planId, this.card.vc, t);
    this.applied.set(load.id, (await counterOnCard(this.card)) > before);
  }

  async refund(): Promise<void> {
    const open = await openLoadOf(this.card.id);
    if (open?.state !== 'failed') return;
    const res = await injector(b.t)('POST', `/loads/${open.id}/refund`, b.clerk.headers);
    expect(res.statusCode, res.body).toBe(200);
  }

  async tap(fen: number, tornHistory: boolean): Promise<void> {
    // The shadow balance never runs ahead of the card, so this much is on the card too.
    if (BigInt((await shadowOf(b, this.card.id)).replace('.', '')) < BigInt(fen)) return;
    await tapDebit(b, this.card, fen, { tornHistory });
  }

  /** Reads until nothing is open, retrying failed loads untorn and settling reviews by the truth. */
  async settle(supervisor: Record<string, string>): Promise<void> {
    for (let round = 0; round < 3; round++) {
      await readCard(b.agent, this.card.vc);
      const open = await openLoadOf(this.card.id);
      if (open === undefined) break;
      expect(open.state).toBe('failed');
      await this.load(1, null);
    }
    const { rows } = await b.t.deps.db.query<{ id: string }>(
      "SELECT id FROM issuance.loads WHERE card_id = $1 AND state = 'review'",
      [this.card.id],
    );
    for (const { id } of rows) {
      const decision = this.applied.get(id) === true ? 'applied' : 'not_applied';
      const res = await injector(b.t)('POST', `/loads/${id}/review`, supervisor, {
        decision,
        reason: 'Settled from the terminal records',
      });
      expect(res.statusCode, res.body).toBe(200);
      if (decision === 'not_applied') await this.refund();
    }
  }
}

describe('loads with random tears and reads', () => {
  it('never applies a load twice nor loses one: shadow equals card after settling', async () => {
    const supervisor = (await b.t.signIn('supervisor')).headers;
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 7 }), async (commands) => {
        const life = new Life(await activeCard(b));
        const cashBefore = await drawerCash(b);
        for (const c of commands) {
          if (c.kind === 'load') await life.load(c.fen, c.tear);
          else if (c.kind === 'read') await readCard(b.agent, life.card.vc);
          else if (c.kind === 'refund') await life.refund();
          else await life.tap(c.fen, c.tornHistory);
        }
        await life.settle(supervisor);

        const final = await readCard(b.agent, life.card.vc);
        expect(final.card.mismatch).toBe(false);
        expect(final.card.balance).toBe(final.card.shadowBalance);
        const confirmed: string[] = [];
        let cashIn = 0n;
        for (const id of life.applied.keys()) {
          const load = await getLoad(b, id);
          expect(['confirmed', 'refunded']).toContain(load.state);
          if (load.state === 'confirmed') confirmed.push(`load:${id}`);
          else expect(life.applied.get(id)).toBe(false);
          if (load.state === 'confirmed') cashIn += BigInt(load.amount.replace('.', ''));
        }
        expect((await loadEntriesOf(b, life.card.id)).sort()).toEqual(confirmed.sort());
        expect(await drawerCash(b)).toBe(addFen(cashBefore, cashIn));
      }),
      { numRuns: 12, endOnFailure: true },
    );
  });
});
