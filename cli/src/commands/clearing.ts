import { readFile, writeFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import {
  buildApp,
  clearingSettingsFromEnv,
  runClearing,
  service,
  type ClearingSettings,
} from '@citycard/clearing';
import { scheduleNightlyClearing, startClearingWorker } from '@citycard/clearing/jobs';
import { financeSummary } from '@citycard/clearing/reports';
import {
  abortRun,
  approveRun,
  confirmRun,
  fakeBankConfirm,
  instructRun,
} from '@citycard/clearing/settlement';
import { defaultSettings, signInStaff, type Role } from '@citycard/card-issuance';
import { createPool } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import type { QueueFactory } from '@citycard/core/queue';
import { issuancePool } from '../issuance.js';
import { openPlatform, type Platform } from '../platform.js';
import { readSecret } from '../secret-prompt.js';

/** A pool whose connections see the clearing schema first, as clearing's queries expect. */
export function clearingPool(platform: Platform): pg.Pool {
  return createPool({
    url: platform.databaseUrl,
    applicationName: 'citycard-clearing',
    searchPath: [service.schema, 'public'],
    log: platform.log,
  });
}

/** `serve clearing`: the app on its own pool, with the cut-off from the environment. */
export async function buildClearingService(
  platform: Platform,
  logLevel: string,
): Promise<{ app: FastifyInstance; close(): Promise<void> }> {
  const db = clearingPool(platform);
  const app = await buildApp({
    db,
    logLevel,
    log: platform.log,
    settings: clearingSettingsFromEnv(),
    ...(platform.clearingClock === undefined ? {} : { clock: platform.clearingClock }),
  });
  return { app, close: () => db.end() };
}

/** `worker`: the nightly clearing job (CLEARING_NIGHTLY_CRON) and its processor. */
export async function startClearingJobs(
  queues: QueueFactory,
  platform: Platform,
): Promise<{ close(): Promise<void> }> {
  const settings = clearingSettingsFromEnv();
  const db = clearingPool(platform);
  const deps = {
    db,
    log: platform.log,
    clock: platform.clearingClock ?? (() => new Date()),
    settings,
  };
  startClearingWorker(queues, deps);
  await scheduleNightlyClearing(queues, settings);
  platform.log.info(
    { queue: 'clearing', cron: settings.nightlyCron, tz: settings.timeZone },
    'nightly clearing scheduled',
  );
  return { close: () => db.end() };
}

export interface ClearingCommandContext {
  readonly db: pg.Pool;
  readonly settings: ClearingSettings;
  readonly now: () => Date;
  readonly print: (line: string) => void;
}

export interface DayOptions {
  readonly date: string;
  /** The finance user giving the command (maker-checker compares it with the run's starter). */
  readonly as: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function checked(opts: DayOptions): { day: string; actor: string } {
  if (!DAY.test(opts.date)) {
    throw new AppError('VALIDATION_FAILED', { message: '--date must be YYYY-MM-DD' });
  }
  const actor = opts.as.trim().toLowerCase();
  if (actor === '' || actor.length > 64) {
    throw new AppError('VALIDATION_FAILED', { message: '--as must name the finance user' });
  }
  return { day: opts.date, actor };
}

export async function clearingRunCommand(
  ctx: ClearingCommandContext,
  opts: DayOptions,
): Promise<string> {
  const { day, actor } = checked(opts);
  const { cutoffTime, timeZone } = ctx.settings;
  const run = await runClearing(ctx.db, {
    day,
    staff: actor,
    now: ctx.now(),
    cutoffTime,
    timeZone,
  });
  ctx.print(
    `Run ${run.id} for ${day}: ${run.transactionCount} transaction(s), gross ${run.totalGross.toString()}, ` +
      `commission ${run.totalCommission.toString()}, net ${run.totalNet.toString()}; ` +
      `float check ${run.floatCheck.ok ? 'ok' : `OFF BY ${run.floatCheck.difference.toString()}`}; ` +
      `output hash ${run.outputHash}`,
  );
  for (const l of run.lines) {
    ctx.print(
      `  ${l.operatorId}: ${l.count} tx, gross ${l.gross.toString()}, net ${l.net.toString()}`,
    );
  }
  return run.id;
}

export async function clearingApproveCommand(
  ctx: ClearingCommandContext,
  opts: DayOptions,
): Promise<void> {
  const { day, actor } = checked(opts);
  const run = await approveRun(ctx.db, { ref: { day }, actor, now: ctx.now() });
  ctx.print(`Run ${run.id} for ${day} approved by ${actor}.`);
}

export async function clearingAbortCommand(
  ctx: ClearingCommandContext,
  opts: DayOptions & { reason: string },
): Promise<void> {
  const { day, actor } = checked(opts);
  const run = await abortRun(ctx.db, { ref: { day }, actor, now: ctx.now(), reason: opts.reason });
  ctx.print(`Run ${run.id} for ${day} aborted; a rerun of the day replaces it.`);
}

/** Writes the bank payment file to `out` (default ./<file id>.csv) and returns its path. */
export async function clearingInstructCommand(
  ctx: ClearingCommandContext,
  opts: DayOptions & { out?: string },
): Promise<string> {
  const { day, actor } = checked(opts);
  const { run, paymentFile } = await instructRun(ctx.db, { ref: { day }, actor, now: ctx.now() });
  const path = opts.out ?? `${paymentFile.file.fileId}.csv`;
  await writeFile(path, paymentFile.content, { flag: 'wx' });
  ctx.print(
    `Run ${run.id} instructed: ${path} (${paymentFile.file.count} line(s), total ` +
      `${paymentFile.file.total.toString()}, sha256 ${paymentFile.sha256}).`,
  );
  return path;
}

/** Imports the bank's confirmation; returns true when the day is settled. */
export async function clearingConfirmCommand(
  ctx: ClearingCommandContext,
  opts: DayOptions & { file: string; acceptDifferences?: boolean },
): Promise<boolean> {
  const { day, actor } = checked(opts);
  const confirmation = await readFile(opts.file, 'utf8');
  const result = await confirmRun(ctx.db, {
    ref: { day },
    actor,
    now: ctx.now(),
    confirmation,
    acceptDifferences: opts.acceptDifferences === true,
  });
  const c = result.match.counts;
  ctx.print(
    `Confirmation${result.repeated ? ' (already imported)' : ''}: ${c.matched} matched, ` +
      `${c.difference} difference(s), ${c.rejected} rejected, ${c.unmatched} unmatched, ${c.missing} missing.`,
  );
  for (const l of result.match.lines.filter((x) => x.outcome !== 'matched')) {
    ctx.print(
      `  ${l.outcome} ${l.reference} ${l.operatorId ?? '-'} expected ${l.expected?.toString() ?? '-'} ` +
        `confirmed ${l.confirmed?.toString() ?? '-'}`,
    );
  }
  ctx.print(
    result.settled
      ? `Run ${result.run.id} for ${day} settled${result.adjustments > 0 ? `; ${result.adjustments} adjustment(s) for the next run` : ''}.`
      : `Not settled: rerun with --accept-differences to settle and carry the differences to the next run.`,
  );
  return result.settled;
}

export async function clearingStatusCommand(
  ctx: ClearingCommandContext,
  date: string,
): Promise<void> {
  const summary = await financeSummary(ctx.db, checked({ date, as: 'reader' }).day);
  ctx.print(JSON.stringify(summary, null, 2));
}

/** FAKE BANK for the demo: answers a payment file with a confirmation paying every line. */
export async function fakeBankCommand(paymentPath: string, out: string): Promise<void> {
  await writeFile(out, fakeBankConfirm(await readFile(paymentPath, 'utf8')), { flag: 'wx' });
}

function defaultActor(): string {
  return process.env.CITYCARD_STAFF ?? userInfo().username;
}

/** The roles the clearing API asks for the same thing (see clearing/src/http). */
const FINANCE: readonly Role[] = ['finance'];
const READERS: readonly Role[] = ['finance', 'auditor', 'admin'];

/**
 * Signs `as` in at issuance, with the password from CITYCARD_PASSWORD or typed on the terminal,
 * exactly as the console's sign-in would (lockout, login event, audit), and checks the role; the
 * command then acts as the signed-in user, so maker-checker compares authenticated names, not a
 * name taken on trust.
 */
async function withContext<T>(
  as: string,
  roles: readonly Role[],
  fn: (ctx: ClearingCommandContext, actor: string) => Promise<T>,
): Promise<T> {
  const username = as.trim().toLowerCase();
  if (username === '' || username.length > 64) {
    throw new AppError('VALIDATION_FAILED', { message: '--as must name the finance user' });
  }
  const password = await readSecret('CITYCARD_PASSWORD', `Password for ${username}: `);
  const platform = await openPlatform('cli');
  const db = clearingPool(platform);
  const staffDb = issuancePool(platform);
  try {
    const staff = await signInStaff(
      { db: staffDb, clock: () => new Date(), settings: defaultSettings },
      { username, password },
      `cli@${hostname()}`.slice(0, 64),
    );
    try {
      if (!staff.roles.some((r) => roles.includes(r))) {
        throw new AppError('FORBIDDEN', { details: { required: roles } });
      }
      const ctx = {
        db,
        settings: clearingSettingsFromEnv(),
        now: () => new Date(),
        print: (line: string) => console.log(line),
      };
      return await fn(ctx, staff.username);
    } finally {
      await staff.end();
    }
  } finally {
    await staffDb.end();
    await db.end();
    await platform.close();
  }
}

function dayCommand(parent: Command, name: string, description: string): Command {
  return parent
    .command(name)
    .description(description)
    .requiredOption('--date <day>', 'business day, YYYY-MM-DD')
    .option(
      '--as <username>',
      'the finance user giving the command, signed in with CITYCARD_PASSWORD or a typed password (default $CITYCARD_STAFF or login name)',
      defaultActor(),
    );
}

export function registerClearing(program: Command): void {
  const clearing = program
    .command('clearing')
    .description(
      'clearing and settlement of a business day: run, approve, instruct, confirm, abort',
    );
  dayCommand(
    clearing,
    'run',
    'clear the day (reruns a computed day to the same output hash)',
  ).action(async (opts: DayOptions) => {
    await withContext(opts.as, FINANCE, (ctx, as) => clearingRunCommand(ctx, { ...opts, as }));
  });
  dayCommand(clearing, 'approve', "approve the day's run (not by the user who ran it)").action(
    (opts: DayOptions) =>
      withContext(opts.as, FINANCE, (ctx, as) => clearingApproveCommand(ctx, { ...opts, as })),
  );
  dayCommand(clearing, 'instruct', 'write the bank payment file of the approved run')
    .option('--out <file>', 'where to write it (default ./<file id>.csv; never overwritten)')
    .action(async (opts: DayOptions & { out?: string }) => {
      await withContext(opts.as, FINANCE, (ctx, as) =>
        clearingInstructCommand(ctx, { ...opts, as }),
      );
    });
  dayCommand(clearing, 'confirm', "import the bank's confirmation; settles when every line matches")
    .requiredOption('--file <file>', 'the confirmation CSV from the bank')
    .option('--accept-differences', 'settle anyway; differences become adjustments in the next run')
    .action(async (opts: DayOptions & { file: string; acceptDifferences?: boolean }) => {
      const settled = await withContext(opts.as, FINANCE, (ctx, as) =>
        clearingConfirmCommand(ctx, { ...opts, as }),
      );
      if (!settled) process.exitCode = 1;
    });
  dayCommand(clearing, 'abort', 'abort the run before the bank is instructed')
    .requiredOption('--reason <text>', 'why (kept in the audit log)')
    .action((opts: DayOptions & { reason: string }) =>
      withContext(opts.as, FINANCE, (ctx, as) => clearingAbortCommand(ctx, { ...opts, as })),
    );
  clearing
    .command('status')
    .description('the daily finance summary as JSON')
    .requiredOption('--date <day>', 'business day, YYYY-MM-DD')
    .option('--as <username>', 'who asks (finance, auditor or admin)', defaultActor())
    .action((opts: { date: string; as: string }) =>
      withContext(opts.as, READERS, (ctx) => clearingStatusCommand(ctx, opts.date)),
    );
  clearing
    .command('fake-bank')
    .description('FAKE BANK for demos and tests: confirm every line of a payment file')
    .requiredOption('--payment <file>', 'the payment file written by instruct')
    .requiredOption('--out <file>', 'where to write the confirmation')
    .action((opts: { payment: string; out: string }) => fakeBankCommand(opts.payment, opts.out));
}
