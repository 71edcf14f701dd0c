import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MasterKeySet } from '@citycard/core/card';
import { AppError } from '@citycard/core/errors';
import { SAMPLE_CITY_FARE_SET } from '../fare/index.js';
import { SoftSam } from '../tap/index.js';
import { cityModelFromFareSet, terminalSpecs } from './city.js';
import { DayRun, type ClonedCardState, type LostCardState } from './day-run.js';
import { SeededRandom } from './random.js';
import { buildServiceDay, type SimEvent } from './scenario.js';
import { issueSimulatedCards, simulatorMasterKeys, type SimulatedCard } from './sim-cards.js';
import { openSimGateway, seededMacKey, type SimGateway } from './sim-gateway.js';
import { pickCard, pickOffline, pickWrongKeyTerminal, timeOfDay } from './sim-plan.js';
import { buildSummary } from './sim-report.js';
import type { SimulationSummary } from './sim-summary.js';
import { openSimTerminal, type SimTerminal } from './sim-terminal.js';
import type { DayPlan, SimulateDayOptions } from './simulate.types.js';

export interface SimulationResult {
  readonly summary: SimulationSummary;
  /** The virtual cards as the day left them (the clone's copy is not among them). */
  readonly cards: readonly SimulatedCard[];
  readonly masterKeys: MasterKeySet;
}

interface WorkDir {
  readonly path: string;
  cleanup(): Promise<void>;
}

/** A given work directory must be new or empty: old journals would carry old sequences. */
async function openWorkDir(given: string | undefined): Promise<WorkDir> {
  if (given === undefined) {
    const path = await mkdtemp(join(tmpdir(), 'citycard-sim-'));
    return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
  }
  await mkdir(given, { recursive: true, mode: 0o700 });
  if ((await readdir(given)).length > 0) {
    throw new AppError('VALIDATION_FAILED', {
      message: 'The simulator work directory must be empty',
      details: { workDir: given },
    });
  }
  return { path: given, cleanup: () => Promise.resolve() };
}

function planDay(options: SimulateDayOptions): DayPlan {
  const model = cityModelFromFareSet(options.fareSet ?? SAMPLE_CITY_FARE_SET, {
    ...(options.vehiclesPerRoute === undefined
      ? {}
      : { vehiclesPerRoute: options.vehiclesPerRoute }),
  });
  const specs = terminalSpecs(model);
  const events = buildServiceDay(model, {
    seed: options.seed,
    day: options.day,
    cards: options.issuedCards?.length ?? options.cards,
    targetEvents: options.events,
    ...(options.missingTapOutPerMille === undefined
      ? {}
      : { missingTapOutPerMille: options.missingTapOutPerMille }),
  });
  const rnd = new SeededRandom(`terminals/${options.seed}`);
  const wrongKey = pickWrongKeyTerminal(specs, options.wrongMacKeyTerminal, rnd.fork('wrong'));
  const offline = pickOffline(specs, options.offlineSharePercent ?? 10, wrongKey, rnd.fork('off'));
  return { specs, events, offline, wrongKey };
}

function plantCards(
  options: SimulateDayOptions,
  cards: readonly SimulatedCard[],
  events: readonly SimEvent[],
): { lost: LostCardState | null; cloned: ClonedCardState | null } {
  const taken = new Set<number>();
  let lost: LostCardState | null = null;
  if (options.lostCard) {
    const at = timeOfDay(options.day, options.lostCard.at);
    const card = pickCard(cards, events, at, options.lostCard.card, taken);
    taken.add(card);
    lost = {
      card,
      at,
      reportedAt: null,
      blockedAt: null,
      blockedBy: null,
      chargedAfterReport: 0,
      refusedAfterBlock: 0,
    };
  }
  let cloned: ClonedCardState | null = null;
  if (options.clonedCard) {
    const at = timeOfDay(options.day, options.clonedCard.at);
    const card = pickCard(cards, events, at, options.clonedCard.card, taken);
    cloned = { card, at, copy: null, clonedAt: null, turns: 0, originalTaps: 0, cloneTaps: 0 };
  }
  return { lost, cloned };
}

async function openTerminals(
  options: SimulateDayOptions,
  plan: DayPlan,
  gateway: SimGateway,
  workDir: string,
): Promise<Map<string, SimTerminal>> {
  const terminals = new Map<string, SimTerminal>();
  try {
    for (const spec of plan.specs) {
      const dir = join(workDir, 'terminals', spec.terminalId);
      const keys = await gateway.keysFor(spec, dir);
      const wrong = spec.terminalId === plan.wrongKey;
      const t = await openSimTerminal({
        spec,
        dir,
        url: gateway.url,
        keys,
        offline: plan.offline.has(spec.terminalId),
        batchSize: options.batchSize ?? 200,
        ...(options.clock === undefined ? {} : { clock: options.clock }),
        ...(wrong ? { wrongMacKey: seededMacKey(options.seed, `wrong/${spec.terminalId}`) } : {}),
      });
      terminals.set(spec.terminalId, t);
      options.onProgress?.({ phase: 'terminals', done: terminals.size, total: plan.specs.length });
    }
  } catch (error) {
    await closeTerminals(terminals);
    throw error;
  }
  return terminals;
}

async function closeTerminals(terminals: ReadonlyMap<string, SimTerminal>): Promise<void> {
  for (const t of terminals.values()) t.client.close();
  await Promise.all([...terminals.values()].map((t) => t.journal.close().catch(() => undefined)));
}

async function cardsOf(
  options: SimulateDayOptions,
  masters: MasterKeySet,
): Promise<SimulatedCard[]> {
  if (options.issuedCards) {
    if (options.issuedCards.some((c, i) => c.index !== i) || options.issuedCards.length === 0) {
      throw new AppError('VALIDATION_FAILED', {
        message: 'Issued cards must be numbered 0, 1, 2, … in order',
      });
    }
    return [...options.issuedCards];
  }
  return issueSimulatedCards({
    count: options.cards,
    day: options.day,
    masters,
    rnd: new SeededRandom(`cards/${options.seed}`),
    onIssued: (done) => options.onProgress?.({ phase: 'cards', done, total: options.cards }),
  });
}

interface PreparedDay {
  readonly plan: DayPlan;
  readonly masterKeys: MasterKeySet;
  readonly cards: SimulatedCard[];
  readonly planted: { lost: LostCardState | null; cloned: ClonedCardState | null };
  readonly outages: { from: number; to: number }[];
}

/** Everything that follows from the options alone: the day's events, the cards, the plants. */
async function prepareDay(options: SimulateDayOptions): Promise<PreparedDay> {
  const plan = planDay(options);
  const masterKeys = options.masterKeys ?? simulatorMasterKeys(options.seed);
  const cards = await cardsOf(options, masterKeys);
  const outages = (options.outages ?? []).map((o) => ({
    from: timeOfDay(options.day, o.from),
    to: timeOfDay(options.day, o.to),
  }));
  return { plan, masterKeys, cards, planted: plantCards(options, cards, plan.events), outages };
}

async function runDay(
  options: SimulateDayOptions,
  day: PreparedDay,
  gateway: SimGateway,
  workDir: string,
): Promise<SimulationSummary> {
  const terminals = await openTerminals(options, day.plan, gateway, workDir);
  try {
    const { plan, cards, planted, outages } = day;
    const run = new DayRun({
      options,
      fareSet: options.fareSet ?? SAMPLE_CITY_FARE_SET,
      sam: new SoftSam(day.masterKeys),
      gateway,
      cards,
      terminals,
      events: plan.events,
      outages,
      ...planted,
    });
    await run.start();
    await run.runEvents();
    await options.beforeLateUploads?.();
    await run.lateUploads();
    return buildSummary({ options, plan, cards, terminals, tally: run.tally, gateway, ...planted });
  } finally {
    await closeTerminals(terminals);
  }
}

/**
 * One service day of the city's terminals with virtual cards, deterministic in the seed: cards
 * issued with real plans, every tap through performTap into each terminal's journal, uploads to
 * the gateway on the simulated clock, the offline terminals' records after the cut-off.
 */
export async function simulateDay(options: SimulateDayOptions): Promise<SimulationResult> {
  const work = await openWorkDir(options.workDir);
  try {
    const day = await prepareDay(options);
    const gateway = await openSimGateway(
      options.gateway ?? { kind: 'built-in' },
      options.terminalKeys ?? 'enrol',
      options.seed,
    );
    try {
      const summary = await runDay(options, day, gateway, work.path);
      return { summary, cards: day.cards, masterKeys: day.masterKeys };
    } finally {
      await gateway.close();
    }
  } finally {
    await work.cleanup();
  }
}
