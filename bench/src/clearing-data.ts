import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { ANY_TYPE, createFeeSchedule } from '@citycard/clearing/fees';
import { ISSUER_PARTY_ID, saveParty } from '@citycard/clearing/parties';

/**
 * A business day of accepted transactions written straight into gateway.transactions with COPY:
 * cards with consecutive purse counters and chaining balances, spread over operators (skewed like
 * a city: a few big bus companies, a metro, shops) and their terminals, in batches of up to 1000
 * with their headers in gateway.batches. A few breaks are planted per 100k records: a repeated
 * counter (a clone), a skipped counter (a missing record), and late records that occurred the day
 * before; `planted` says how many of each.
 */
export interface DayShape {
  readonly n: number;
  /** YYYY-MM-DD. */
  readonly day: string;
  readonly recordsPerCard: number;
  readonly recordsPerTerminal: number;
}

export interface Generated {
  readonly rows: number;
  readonly cards: number;
  readonly terminals: number;
  readonly batches: number;
  readonly operators: readonly string[];
  readonly planted: { clones: number; gaps: number; late: number };
}

const OPERATORS: readonly (readonly [string, 'transit' | 'retail', number])[] = [
  ['bus-north', 'transit', 22],
  ['bus-south', 'transit', 18],
  ['bus-east', 'transit', 12],
  ['metro', 'transit', 30],
  ['ferry', 'transit', 2],
  ['taxi-coop', 'transit', 4],
  ['mart-chain', 'retail', 6],
  ['bakery', 'retail', 2],
  ['kiosks', 'retail', 3],
  ['canteens', 'retail', 1],
];
const BATCH = 1000;
const CHUNK_ROWS = 500_000;

/** A tiny deterministic generator: the same N gives the same day. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const fen = (f: number): string =>
  `${f < 0 ? '-' : ''}${Math.floor(Math.abs(f) / 100)}.${String(Math.abs(f) % 100).padStart(2, '0')}`;

interface Terminal {
  readonly id: string;
  readonly operator: string;
  seq: number;
  readonly batchTotals: number[];
}

function terminalsFor(shape: DayShape): Terminal[] {
  const count = Math.max(OPERATORS.length, Math.ceil(shape.n / shape.recordsPerTerminal));
  const weight = OPERATORS.reduce((s, o) => s + o[2], 0);
  const out: Terminal[] = [];
  for (const [op, , w] of OPERATORS) {
    const k = Math.max(1, Math.round((count * w) / weight));
    for (let i = 0; i < k; i++)
      out.push({ id: `${op}-t${i}`, operator: op, seq: 0, batchTotals: [] });
  }
  return out;
}

export async function seedOperators(db: pg.Pool, terminals: readonly Terminal[]): Promise<void> {
  await db.query(
    `INSERT INTO gateway.operators (id, name, kind, card_code)
     SELECT o.id, o.id, o.kind, o.ord FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS o (id, kind, ord)`,
    [OPERATORS.map((o) => o[0]), OPERATORS.map((o) => o[1])],
  );
  await db.query(
    `INSERT INTO gateway.terminals (id, operator_id)
     SELECT * FROM unnest($1::text[], $2::text[])`,
    [terminals.map((t) => t.id), terminals.map((t) => t.operator)],
  );
}

/** The day's records, card after card, as CSV lines for COPY; the generator keeps the counts. */
class DayWriter {
  readonly planted = { clones: 0, gaps: 0, late: 0 };
  rows = 0;
  cards = 0;
  private readonly random: () => number;
  private readonly start: number;
  readonly receivedAt: string;

  constructor(
    private readonly shape: DayShape,
    readonly terminals: readonly Terminal[],
  ) {
    this.random = rng(shape.n);
    this.start = Date.parse(`${shape.day}T04:00:00+08:00`);
    this.receivedAt = new Date(this.start + 22 * 3600_000).toISOString();
  }

  /** One card's taps of the day (at most `room`): consecutive counters, chaining balances. */
  card(room: number): string[] {
    const { random, shape, start, planted } = this;
    const card = this.cards++;
    const cardNumber = `3100${String(card).padStart(12, '0')}`;
    const uid = (Math.imul(card + 1, 2654435761) >>> 0).toString(16).toUpperCase().padStart(8, '0');
    const taps = Math.min(room, 1 + Math.floor(random() * (2 * shape.recordsPerCard - 1)));
    let counter = 100 + Math.floor(random() * 5000);
    let balance = 5000 + Math.floor(random() * 20000);
    let at = start + Math.floor(random() * 10 * 3600_000);
    let previousBefore = balance;
    const lines: string[] = [];
    for (let k = 0; k < taps; k++) {
      const plant = random();
      const clone = plant < 0.00003 && k > 0;
      const gap = !clone && plant < 0.00006 && k > 0;
      const late = !clone && !gap && plant < 0.00009;
      if (clone) planted.clones++;
      if (gap) planted.gaps++;
      if (late) planted.late++;
      counter += clone ? 0 : gap ? 2 : 1;
      // The skipped counter's record took 2.00 that the chain will miss.
      if (gap) balance -= 200;
      const term = this.terminals[Math.floor(random() * this.terminals.length)] as Terminal;
      const amount = 100 + Math.floor(random() * 500);
      // A clone spends from the purse state the original had: same counter, same balance before.
      const before = clone ? previousBefore : balance;
      const seq = ++term.seq;
      const batch = Math.ceil(seq / BATCH);
      term.batchTotals[batch - 1] = (term.batchTotals[batch - 1] ?? 0) + amount;
      const occurred = new Date(late ? start - 3600_000 : at).toISOString();
      lines.push(
        `${term.id},${seq},${batch},transit_flat,${cardNumber},${uid},${counter},${fen(amount)},` +
          `${fen(before)},${fen(before - amount)},${occurred},${occurred},${term.operator},` +
          `"{""routeId"":""R${seq % 97}""}",,${seq.toString(16).padStart(32, '0')},` +
          `${card.toString(16).padStart(64, '0')},${this.receivedAt},${shape.day},` +
          // The gateway accepts one record per (card, counter); a clone's copy is counted only
          // once finance releases it from quarantine.
          (clone ? `released,${this.receivedAt},${shape.day},COUNTER_REPLAY` : 'accepted,,,'),
      );
      if (!clone) {
        previousBefore = before;
        balance = before - amount;
      }
      at += 60_000 + Math.floor(random() * 3600_000);
    }
    this.rows += lines.length;
    return lines;
  }

  async writeChunk(file: string, target: number): Promise<void> {
    const out = createWriteStream(file);
    let lines: string[] = [];
    while (this.rows < target) {
      lines.push(...this.card(target - this.rows));
      if (lines.length >= 10_000) {
        if (!out.write(lines.join('\n') + '\n')) await once(out, 'drain');
        lines = [];
      }
    }
    out.end(lines.length > 0 ? lines.join('\n') + '\n' : '');
    await once(out, 'finish');
  }
}

const copyChunk = (db: pg.Pool, file: string) =>
  db.query(
    `COPY gateway.transactions (terminal_id, sequence, batch_seq, type, card_number, uid,
       purse_counter, amount, balance_before, balance_after, occurred_at, occurred_at_text,
       operator_id, location, fare, mac, record_hash, received_at, business_day, status,
       resolved_at, resolved_business_day, reason)
     FROM '${file}' WITH (FORMAT csv)`,
  );

/**
 * Writes the day in chunks (file, COPY, delete) so memory stays flat whatever N; the next chunk
 * is generated while the server copies the last one.
 */
export async function generateDay(db: pg.Pool, shape: DayShape): Promise<Generated> {
  const writer = new DayWriter(shape, terminalsFor(shape));
  await seedOperators(db, writer.terminals);
  const dir = await mkdtemp(path.join(tmpdir(), 'citycard-clearing-'));
  await chmod(dir, 0o777);
  try {
    // Held as a value, not a pending rejection, while the next chunk is written.
    let copying: Promise<unknown> = Promise.resolve();
    for (let chunk = 0; writer.rows < shape.n; chunk++) {
      const file = path.join(dir, `chunk-${chunk}.csv`);
      await writer.writeChunk(file, Math.min(shape.n, writer.rows + CHUNK_ROWS));
      const failed = await copying;
      if (failed instanceof Error) throw failed;
      copying = copyChunk(db, file).then(
        () => rm(file),
        (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
      );
    }
    const failed = await copying;
    if (failed instanceof Error) throw failed;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return {
    rows: writer.rows,
    cards: writer.cards,
    terminals: writer.terminals.length,
    batches: await insertBatches(db, writer.terminals, writer.receivedAt),
    operators: OPERATORS.map((o) => o[0]),
    planted: writer.planted,
  };
}

async function insertBatches(
  db: pg.Pool,
  terminals: readonly Terminal[],
  receivedAt: string,
): Promise<number> {
  const ids: string[] = [];
  const seqs: number[] = [];
  const counts: number[] = [];
  const totals: string[] = [];
  for (const t of terminals) {
    t.batchTotals.forEach((total, i) => {
      ids.push(t.id);
      seqs.push(i + 1);
      counts.push(Math.min(BATCH, t.seq - i * BATCH));
      totals.push(fen(total));
    });
  }
  await db.query(
    `INSERT INTO gateway.batches (terminal_id, batch_seq, mac, header, record_count, amount_total,
                                  receipt, received_at)
     SELECT b.t, b.s, repeat('0', 32),
            jsonb_build_object('firstSequence', (b.s - 1) * ${BATCH} + 1,
                               'lastSequence', (b.s - 1) * ${BATCH} + b.c),
            b.c, b.a, '{}'::jsonb, $5
       FROM unnest($1::text[], $2::bigint[], $3::int[], $4::numeric[]) AS b (t, s, c, a)`,
    [ids, seqs, counts, totals, receivedAt],
  );
  return ids.length;
}

/** The issuer and every operator as clearing parties, each with a fee schedule in force. */
export async function seedClearingRules(db: pg.Pool, day: string): Promise<void> {
  const author = { by: 'bench', now: new Date() };
  await saveParty(db, { id: ISSUER_PARTY_ID, kind: 'issuer', name: 'Card issuer' }, author);
  for (const [id, kind] of OPERATORS) {
    await saveParty(
      db,
      { id, kind: 'operator', name: id, bankAccountNumber: `6222-${id.length}000` },
      author,
    );
    await createFeeSchedule(
      db,
      {
        operatorId: id,
        effectiveFrom: day,
        fixedFee: kind === 'retail' ? '0.02' : '0.00',
        dailyMin: '10.00',
        rates: { [ANY_TYPE]: kind === 'retail' ? '0.012' : '0.005' },
      },
      author,
    );
  }
}
