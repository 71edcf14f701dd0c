import { runPlan, VirtualClassicCard, type ClassicCardIo } from '@citycard/core/card';
import { ClassicApduFront } from '@citycard/reader-agent/apdu';
import { PcscClassicIo, PcscReaderHub } from '@citycard/reader-agent/pcsc';
import {
  cardKeysFor,
  pcscdGate,
  personalisationPlan,
  startVpcdCard,
  stockUid,
  waitForCard,
  waitForCardRemoved,
  waitForReader,
} from '@citycard/reader-agent/testing';
import { percentile, printFigures, round } from './figures.js';

/**
 * Per-card personalisation (derive the card's keys, build the plan, run it) three ways: straight
 * on the in-process card, through the PC/SC pseudo-APDU layer in process (all of the software,
 * no transport), and through nfc-pcsc → pcscd → vpcd → the virtual card. Goals: ≤ 1 s per card
 * through pcscd, ≤ 50 ms of software overhead per card.
 */
const cards = Number(process.env.BENCH_CARDS ?? 10);
const inProcessCards = Number(process.env.BENCH_INPROCESS_CARDS ?? 200);

interface CardRun {
  ms: number;
  apdus: number;
  commands: number;
}

async function personalise(io: ClassicCardIo, uid: Buffer): Promise<number> {
  const started = performance.now();
  const keys = cardKeysFor(uid);
  try {
    const report = await runPlan(io, personalisationPlan(uid, keys));
    if (report.outcome !== 'completed') throw new Error(`personalisation ${report.outcome}`);
  } finally {
    keys.wipe();
  }
  return performance.now() - started;
}

async function direct(): Promise<CardRun[]> {
  const runs: CardRun[] = [];
  for (let i = 0; i < inProcessCards; i += 1) {
    const uid = stockUid();
    const card = VirtualClassicCard.blank(uid);
    const ms = await personalise(card, uid);
    runs.push({ ms, apdus: 0, commands: card.stats.commands });
  }
  return runs;
}

async function throughApduLayer(): Promise<CardRun[]> {
  const runs: CardRun[] = [];
  for (let i = 0; i < inProcessCards; i += 1) {
    const uid = stockUid();
    const card = VirtualClassicCard.blank(uid);
    const front = new ClassicApduFront(card);
    const io = new PcscClassicIo(card.identity, (command) => front.transmit(command));
    const ms = await personalise(io, uid);
    runs.push({ ms, apdus: io.stats.apdus, commands: card.stats.commands });
  }
  return runs;
}

async function throughPcscd(): Promise<{
  runs: CardRun[];
  detectMs: number[];
  rttMs: number;
  host: string;
}> {
  const hub = await PcscReaderHub.open();
  try {
    const reader = await waitForReader(hub, 'Virtual PCD 00 00');
    const runs: CardRun[] = [];
    const detectMs: number[] = [];
    let rttMs = Number.NaN;
    let host = '';
    for (let i = 0; i < cards; i += 1) {
      const uid = stockUid();
      const card = VirtualClassicCard.blank(uid);
      const inserted = performance.now();
      const arrived = waitForCard(reader);
      const vpcd = await startVpcdCard(card, 'Virtual PCD 00 00');
      const io = (await arrived).classic as PcscClassicIo;
      detectMs.push(performance.now() - inserted);
      host = vpcd.connectedHost ?? '';
      const ms = await personalise(io, uid);
      runs.push({ ms, apdus: io.stats.apdus, commands: card.stats.commands });
      if (i === cards - 1) rttMs = await roundTrip(io);
      const removed = waitForCardRemoved(reader);
      await vpcd.remove();
      await removed;
    }
    return { runs, detectMs, rttMs, host };
  } finally {
    await hub.close();
  }
}

/** Mean round trip of a read on the card, whose sector 15 still has the transport key. */
async function roundTrip(io: PcscClassicIo): Promise<number> {
  await io.authenticate(60, 'A', Buffer.from('FFFFFFFFFFFF', 'hex'));
  const n = 500;
  const started = performance.now();
  for (let i = 0; i < n; i += 1) await io.readBlock(60);
  return (performance.now() - started) / n;
}

const sorted = (runs: CardRun[]) => runs.map((r) => r.ms).sort((a, b) => a - b);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

// warm-up: JIT and crypto, on both paths
await direct();
await throughApduLayer();
const inProcess = await direct();
const apduLayer = await throughApduLayer();
const figures: Record<string, number | string | boolean> = {
  in_process_cards: inProcessCards,
  in_process_card_p50_ms: round(percentile(sorted(inProcess), 50), 3),
  in_process_commands_per_card: inProcess[0]?.commands ?? 0,
  apdu_layer_card_p50_ms: round(percentile(sorted(apduLayer), 50), 3),
  apdu_layer_card_p99_ms: round(percentile(sorted(apduLayer), 99), 3),
  apdus_per_card: apduLayer[0]?.apdus ?? 0,
  software_overhead_per_card_ms: round(percentile(sorted(apduLayer), 99), 3),
  goal_software_overhead_ms: 50,
};
const gate = await pcscdGate();
if (gate.available) {
  const pcscd = await throughPcscd();
  const p50 = percentile(sorted(pcscd.runs), 50);
  const max = Math.max(...pcscd.runs.map((r) => r.ms));
  Object.assign(figures, {
    pcscd_cards: cards,
    pcscd_card_p50_ms: round(p50, 1),
    pcscd_card_max_ms: round(max, 1),
    pcscd_apdus_per_card: pcscd.runs[0]?.apdus ?? 0,
    pcscd_apdu_rtt_ms: round(pcscd.rttMs, 3),
    vpcd_card_host: pcscd.host,
    pcscd_card_detect_mean_ms: round(mean(pcscd.detectMs), 1),
    goal_per_card_ms: 1000,
    goal_met: max <= 1000 && Number(figures.software_overhead_per_card_ms) <= 50,
  });
} else {
  figures.pcscd = `skipped: ${gate.reason}`;
  figures.goal_met = Number(figures.software_overhead_per_card_ms) <= 50;
}
printFigures('reader', figures);
