import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { z } from 'zod';
import { AppError } from '@citycard/core/errors';
import { maskCardNumber } from '@citycard/core/logging';
import {
  simulateDay,
  type EnrolmentTokens,
  type SimProgress,
  type SimulateDayOptions,
  type SimulationSummary,
} from '@citycard/terminal-sdk/simulator';
import { exitCodes } from '../exit-codes.js';
import { positiveInt } from '../options.js';
import { progressBar } from '../progress.js';

interface SimulateOptions {
  seed: string;
  cards: number;
  events: number;
  day?: string;
  offlineShare: number;
  uploadEvery: number;
  gateway?: string;
  enrolmentTokens?: string;
  workDir?: string;
  lostCard?: string;
  clonedCard?: string;
  wrongKeyTerminal?: string | true;
  testKeys?: boolean;
  json?: boolean;
}

const tokensSchema = z.strictObject({
  terminals: z.record(z.string(), z.string().min(1)).optional(),
  operators: z.record(z.string(), z.string().min(1)).optional(),
});

function percent(value: string): number {
  if (!/^(?:100|\d{1,2})$/.test(value)) throw new InvalidArgumentError('expected 0 to 100');
  return Number(value);
}

function clockTime(value: string): string {
  if (!/^(?:[01]\d|2[0-3]):[0-5]\d$/.test(value)) throw new InvalidArgumentError('expected HH:MM');
  return value;
}

function isoDay(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError('expected YYYY-MM-DD');
  }
  return value;
}

/** Today in China Standard Time, the sample city's clock. */
function today(): string {
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
}

const localTime = (iso: string | null): string =>
  iso === null ? '-' : new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(11, 16);

async function readTokens(file: string): Promise<EnrolmentTokens> {
  const parsed = tokensSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) {
    throw new AppError('VALIDATION_FAILED', {
      message:
        'The enrolment tokens file needs { "terminals"?: {id: token}, "operators"?: {id: token} }',
    });
  }
  return parsed.data;
}

async function gatewayOption(opts: SimulateOptions): Promise<SimulateDayOptions['gateway']> {
  if (opts.gateway === undefined) {
    if (opts.enrolmentTokens !== undefined) {
      throw new AppError('VALIDATION_FAILED', { message: '--enrolment-tokens needs --gateway' });
    }
    return { kind: 'built-in' };
  }
  if (opts.enrolmentTokens === undefined) {
    throw new AppError('VALIDATION_FAILED', { message: '--gateway needs --enrolment-tokens' });
  }
  if (opts.lostCard !== undefined || opts.testKeys) {
    throw new AppError('VALIDATION_FAILED', {
      message: '--lost-card and --test-keys work with the built-in test gateway only',
    });
  }
  return {
    kind: 'remote',
    url: opts.gateway,
    enrolmentTokens: await readTokens(opts.enrolmentTokens),
  };
}

const PHASE_LABELS: Record<SimProgress['phase'], string> = {
  cards: 'issuing cards   ',
  terminals: 'terminals       ',
  day: 'service day     ',
  late_uploads: 'late uploads    ',
};

/** One bar per phase, advanced in steps so that a log gets a few lines, not one per tap. */
function progressReporter(): { onProgress: (p: SimProgress) => void; stop: () => void } {
  let current: { phase: string; bar: ReturnType<typeof progressBar>; shown: number } | undefined;
  let steps = 20;
  return {
    onProgress(p) {
      if (current?.phase !== p.phase) {
        current?.bar.stop();
        steps = Math.max(1, Math.min(20, p.total));
        current = { phase: p.phase, bar: progressBar(PHASE_LABELS[p.phase], steps), shown: 0 };
      }
      const target = Math.floor((p.done / Math.max(1, p.total)) * steps);
      while (current.shown < target) {
        current.shown += 1;
        current.bar.tick(`${p.done}/${p.total}`);
      }
    },
    stop: () => current?.bar.stop(),
  };
}

function dayOptions(opts: SimulateOptions, day: string): SimulateDayOptions {
  return {
    seed: opts.seed,
    day,
    cards: opts.cards,
    events: opts.events,
    offlineSharePercent: opts.offlineShare,
    uploadEveryMinutes: opts.uploadEvery,
    terminalKeys: opts.testKeys ? 'seeded' : 'enrol',
    ...(opts.workDir === undefined ? {} : { workDir: opts.workDir }),
    ...(opts.lostCard === undefined ? {} : { lostCard: { at: opts.lostCard } }),
    ...(opts.clonedCard === undefined ? {} : { clonedCard: { at: opts.clonedCard } }),
    ...(opts.wrongKeyTerminal === undefined ? {} : { wrongMacKeyTerminal: opts.wrongKeyTerminal }),
  };
}

const counts = (m: Readonly<Record<string, number | undefined>>): string =>
  Object.entries(m)
    .map(([k, v]) => `${k} ${v ?? 0}`)
    .join(', ') || 'none';

function printSummary(s: SimulationSummary, seconds: number): void {
  const refused = Object.values(s.outcomes.refused).reduce((n, v) => n + (v ?? 0), 0);
  const lines = [
    `Simulated ${s.day} (seed ${s.seed}) in ${seconds.toFixed(1)} s: ${s.cards.issued} cards loaded with ${s.cards.loaded}, ${s.terminals.total} terminals, ${s.terminals.offline.length} offline all day`,
    `Events ${s.events.total}: charged ${s.outcomes.charged}, blocked ${s.outcomes.blocked}, refused ${refused} (${counts(s.outcomes.refused)}), pending ${s.outcomes.pending}, errors ${counts(s.outcomes.errors)}`,
    `Records ${s.records.total}: uploaded ${s.uploads.records} in ${s.uploads.batchesDuringDay} batches during the day and ${s.uploads.batchesLate} after the cut-off`,
    `Receipts: accepted ${s.receipts.accepted}, duplicate ${s.receipts.duplicate}, quarantined ${s.receipts.quarantined}, conflict ${s.receipts.conflict}`,
    ...s.uploads.refused.map(
      (r) =>
        `Refused uploads: ${r.terminalId} (${counts(r.refusals)}); its records stay in its journal`,
    ),
    `Journal leftovers: ${s.journal.leftoverRecords} records (${counts(s.journal.byTerminal)})`,
  ];
  if (s.lostCard) {
    const l = s.lostCard;
    lines.push(
      `Lost card ${maskCardNumber(l.cardNumber)}: hotlisted ${localTime(l.reportedAt)}, blocked ${localTime(l.blockedAt)} by ${l.blockedBy ?? '-'}, charged after the report ${l.chargedAfterReport}, refused after the block ${l.refusedAfterBlock}`,
    );
  }
  if (s.clonedCard) {
    const c = s.clonedCard;
    lines.push(
      `Cloned card ${maskCardNumber(c.cardNumber)}: copied ${localTime(c.clonedAt)}, then ${c.originalTaps} taps on the original and ${c.cloneTaps} on the copy`,
    );
  }
  lines.push('Per operator (charged records, gross):');
  for (const [id, o] of Object.entries(s.operators)) {
    lines.push(`  ${id.padEnd(18)} ${String(o.count).padStart(7)} ${o.gross.padStart(12)}`);
  }
  console.log(lines.join('\n'));
}

/** Trouble nobody planted: an error in a tap, or records left behind by a terminal with a good key. */
function unplanned(s: SimulationSummary): boolean {
  const leftBehind = Object.keys(s.journal.byTerminal).some((id) => id !== s.terminals.wrongMacKey);
  return Object.keys(s.outcomes.errors).length > 0 || leftBehind;
}

async function runSimulation(opts: SimulateOptions): Promise<void> {
  const day = opts.day ?? today();
  const gateway = await gatewayOption(opts);
  if (gateway?.kind === 'built-in') {
    console.error(
      'No --gateway: using the built-in test gateway in this process (records kept in memory, gone when the command ends).',
    );
  }
  const progress = progressReporter();
  const started = Date.now();
  let summary: SimulationSummary;
  try {
    ({ summary } = await simulateDay({
      ...dayOptions(opts, day),
      gateway,
      onProgress: progress.onProgress,
    }));
  } finally {
    progress.stop();
  }
  if (opts.json) console.log(JSON.stringify(summary, null, 2));
  else printSummary(summary, (Date.now() - started) / 1000);
  if (unplanned(summary)) {
    console.error('citycard: the day had errors or records left behind that nobody planted');
    process.exitCode = exitCodes.failure;
  }
}

export function registerSimulate(program: Command): void {
  const simulate = program
    .command('simulate')
    .description('simulations of the platform’s edges, deterministic from a seed');
  simulate
    .command('terminals')
    .description(
      'bus validators, metro gates and shop POS with virtual cards through a service day, uploading to a gateway',
    )
    .option('--seed <seed>', 'the same seed gives the same day and the same records', '1')
    .option('--cards <n>', 'virtual cards issued and loaded', positiveInt, 500)
    .option('--events <n>', 'about how many taps and purchases', positiveInt, 5000)
    .option('--day <YYYY-MM-DD>', 'the service day (default today, China Standard Time)', isoDay)
    .option(
      '--offline-share <percent>',
      'terminals offline all day, uploading after the cut-off',
      percent,
      10,
    )
    .option(
      '--upload-every <minutes>',
      'online terminals upload every so many simulated minutes',
      positiveInt,
      30,
    )
    .option(
      '--gateway <url>',
      'a gateway to enrol with and upload to (default: the built-in test gateway)',
    )
    .option(
      '--enrolment-tokens <file>',
      'JSON {"terminals": {id: token}} or {"operators": {id: token}}',
    )
    .option('--work-dir <dir>', 'keep journals and credentials here (new or empty directory)')
    .option('--lost-card <HH:MM>', 'report a card lost at this time (built-in gateway)', clockTime)
    .option('--cloned-card <HH:MM>', 'copy a card at this time and use both copies', clockTime)
    .option('--wrong-key-terminal [id]', 'give one terminal a MAC key the gateway does not know')
    .option(
      '--test-keys',
      'test MAC keys from the seed instead of enrolment (identical MACs per seed)',
    )
    .option('--json', 'print the summary as JSON')
    .action(runSimulation);
}
