import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLE_CITY_FARE_SET } from '@citycard/terminal-sdk/fare';
import { openJournal } from '@citycard/terminal-sdk/journal';
import type { RecordDraft, TransactionRecord } from '@citycard/terminal-sdk/protocol';
import { createRecorder, type TransactionRecorder } from '@citycard/terminal-sdk/recorder';
import {
  issueSimulatedCards,
  SeededRandom,
  simulatorMasterKeys,
  type SimulatedCard,
} from '@citycard/terminal-sdk/simulator';
import { HotlistStore } from '@citycard/terminal-sdk/sync';
import { MemoryPendingTapStore, performTap, SoftSam } from '@citycard/terminal-sdk/tap';
import { percentile, printFigures, round } from './figures.js';

/**
 * A bus validator's taps, one after another as a validator takes them: performTap on virtual
 * cards, the recorder's MAC and the journal's fsync, against this machine's own limit for the
 * same durable work: raw journal appends of the very bytes the taps wrote, one at a time. A third
 * run with an in-memory recorder shows what the card and fare work alone costs.
 */
const taps = Number(process.env.BENCH_TAPS ?? 2000);
const cardCount = Number(process.env.BENCH_CARDS ?? 200);
const day = '2026-11-27';
const masters = simulatorMasterKeys('bench');
const sam = new SoftSam(masters);
const hotlist = new HotlistStore();

async function runTaps(
  cards: readonly SimulatedCard[],
  recorder: TransactionRecorder,
): Promise<{ perS: number; latenciesMs: number[]; charged: number }> {
  const start = Date.parse(`${day}T06:00:00+08:00`);
  const pending = new MemoryPendingTapStore();
  const latenciesMs: number[] = [];
  let charged = 0;
  const began = performance.now();
  for (let i = 0; i < taps; i++) {
    const card = cards[i % cards.length];
    if (!card) throw new Error('no card');
    const t0 = performance.now();
    const outcome = await performTap({
      card: card.card,
      keys: sam,
      hotlist,
      fareSet: SAMPLE_CITY_FARE_SET,
      recorder,
      terminal: {
        operatorId: 'jiangbei-bus',
        location: { routeId: 'J1', stopId: 'J1-S01', direction: 0, vehicleId: 'J1-v1' },
        mode: 'flat',
        terminalRef: 1,
      },
      now: new Date(start + i * 20_000),
      pending,
    });
    latenciesMs.push(performance.now() - t0);
    if (outcome.status === 'charged') charged++;
  }
  const perS = taps / ((performance.now() - began) / 1000);
  return { perS, latenciesMs: latenciesMs.sort((a, b) => a - b), charged };
}

async function rawAppends(dir: string, payloads: readonly Buffer[]): Promise<number> {
  const journal = await openJournal({ dir });
  const began = performance.now();
  for (const p of payloads) await journal.append(() => p);
  const perS = payloads.length / ((performance.now() - began) / 1000);
  await journal.close();
  return perS;
}

function memoryRecorder(): TransactionRecorder {
  let sequence = 0;
  return {
    record: (draft: RecordDraft) =>
      Promise.resolve({
        v: 1,
        terminalId: 'bench',
        sequence: ++sequence,
        ...draft,
        mac: '0'.repeat(32),
      } as TransactionRecord),
  };
}

async function issue(label: string): Promise<SimulatedCard[]> {
  const cards = await issueSimulatedCards({
    count: cardCount,
    day,
    masters,
    rnd: new SeededRandom(label),
  });
  return cards.filter((c) => c.profile === 'normal');
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'citycard-bench-sim-'));
  try {
    const journal = await openJournal({ dir: join(dir, 'taps') });
    const credentials = { terminalId: 'bench-bus-1', macKey: randomBytes(16) };
    const tapped = await runTaps(await issue('a'), createRecorder({ journal, credentials }));
    const items = await journal.readPending(taps + 10);
    const payloads = items.flatMap((i) => (i.kind === 'record' ? [i.payload] : []));
    await journal.close();
    const rawPerS = await rawAppends(join(dir, 'raw'), payloads);
    const cpu = await runTaps(await issue('b'), memoryRecorder());
    printFigures('simulate', {
      taps,
      records: payloads.length,
      tap_per_s: round(tapped.perS, 1),
      tap_p50_ms: round(percentile(tapped.latenciesMs, 50)),
      tap_p99_ms: round(percentile(tapped.latenciesMs, 99)),
      raw_append_per_s: round(rawPerS, 1),
      tap_vs_raw_append_ratio: round(tapped.perS / rawPerS, 3),
      tap_without_journal_per_s: round(cpu.perS, 1),
      record_bytes_avg: round(
        payloads.reduce((n, p) => n + p.length, 0) / Math.max(1, payloads.length),
        1,
      ),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
