import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Batch, Receipt, TransactionRecord } from '@citycard/terminal-sdk/protocol';
import {
  startGatewayTestApp,
  type GatewayTestApp,
  type TestCard,
  type TestTerminal,
} from '../testing/index.js';

let gw: GatewayTestApp;
let card: TestCard;

beforeAll(async () => {
  gw = await startGatewayTestApp({ logLevel: 'error' });
  card = await gw.addCard();
});
afterAll(async () => {
  await gw.close();
});

type Op =
  | { kind: 'new'; n: number; gap: number }
  | { kind: 'fill' }
  | { kind: 'resend'; pick: number }
  | { kind: 'rebatch'; pick: number; from: number; length: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('new' as const),
    n: fc.integer({ min: 1, max: 5 }),
    gap: fc.integer({ min: 0, max: 3 }),
  }),
  fc.record({ kind: fc.constant('fill' as const) }),
  fc.record({ kind: fc.constant('resend' as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant('rebatch' as const),
    pick: fc.nat(),
    from: fc.nat(),
    length: fc.integer({ min: 1, max: 5 }),
  }),
);

/** What the terminal has sent, and what the gateway must therefore hold. */
class Model {
  readonly stored = new Set<number>();
  readonly sent: { batch: Batch; receipt: Receipt }[] = [];

  highestContiguous(): number {
    let n = 0;
    while (this.stored.has(n + 1)) n += 1;
    return n;
  }

  firstMissing(): number | undefined {
    const max = Math.max(0, ...this.stored);
    for (let s = 1; s <= max; s++) if (!this.stored.has(s)) return s;
    return undefined;
  }
}

async function send(t: TestTerminal, batch: Batch): Promise<Receipt> {
  const res = await gw.postBatch(batch, t);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Receipt>();
}

/** Records at exactly these sequences, without moving the terminal's own counter. */
function recordsAt(t: TestTerminal, sequences: number[]): TransactionRecord[] {
  const saved = t.sequence;
  const records = sequences.map((sequence) => t.record(card, { sequence }));
  t.sequence = saved;
  return records;
}

async function step(t: TestTerminal, m: Model, o: Op): Promise<void> {
  if (o.kind === 'resend' || o.kind === 'rebatch') {
    const prior = m.sent[o.pick % Math.max(1, m.sent.length)];
    if (prior === undefined) return;
    if (o.kind === 'resend') {
      expect(await send(t, prior.batch)).toEqual({ ...prior.receipt, replayed: true });
      return;
    }
    const slice = prior.batch.records.slice(o.from % prior.batch.records.length).slice(0, o.length);
    const batch = t.batch(slice);
    const receipt = await send(t, batch);
    expect(receipt.outcomes.every((x) => x.outcome === 'duplicate')).toBe(true);
    expect(receipt.highestContiguousSequence).toBe(m.highestContiguous());
    m.sent.push({ batch, receipt });
    return;
  }
  let sequences: number[];
  if (o.kind === 'fill') {
    const first = m.firstMissing();
    if (first === undefined) return;
    sequences = [first];
  } else {
    t.sequence += o.gap;
    sequences = Array.from({ length: o.n }, (_, i) => t.sequence + 1 + i);
    t.sequence += o.n;
  }
  const batch = t.batch(recordsAt(t, sequences));
  const receipt = await send(t, batch);
  expect(receipt.accepted).toBe(sequences.length);
  for (const s of sequences) m.stored.add(s);
  expect(receipt.highestContiguousSequence).toBe(m.highestContiguous());
  m.sent.push({ batch, receipt });
}

describe('ingest under resends, re-batching and gaps', () => {
  it('stores every record exactly once and reports contiguity as the terminal sees it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 10 }), async (ops) => {
        const t = await gw.addTerminal();
        const m = new Model();
        for (const o of ops) await step(t, m, o);
        const { rows } = await gw.db.query<{ sequence: string }>(
          'SELECT sequence FROM transactions WHERE terminal_id = $1 ORDER BY sequence',
          [t.credentials.id],
        );
        expect(rows.map((r) => Number(r.sequence))).toEqual([...m.stored].sort((a, b) => a - b));
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
