import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { planReportSchema, type PlanReport } from '@citycard/core/card';
import { AppError } from '@citycard/core/errors';
import type { Logger } from '@citycard/core/logging';
import type { EventBus } from './events.js';
import type { ReportAnswer } from './issuance-client.js';

export interface ReportSpoolOptions {
  /** JSON file holding the reports issuance has not confirmed (created 0600). */
  readonly file: string;
  readonly send: (report: PlanReport) => Promise<ReportAnswer>;
  readonly log: Logger;
  readonly bus?: EventBus;
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
}

/** issuance refused the agent, not the report: an admin can fix that, so the report waits. */
const AGENT_REFUSALS: ReadonlySet<string> = new Set([
  'UNAUTHENTICATED',
  'CERT_INVALID',
  'CERT_REVOKED',
  'FORBIDDEN',
  'AGENT_NOT_REGISTERED',
  'AGENT_DISABLED',
  'AGENT_OTHER_COUNTER',
]);

/** Network trouble, retryable answers and refusals of the agent are worth sending again. */
function worthRetrying(err: unknown): boolean {
  return !(err instanceof AppError) || err.retryable || AGENT_REFUSALS.has(err.code);
}

/**
 * A report tells issuance what happened to a card; losing one leaves a card's state unknown. Each
 * report is written to the spool file before it is sent and removed once issuance answers, so a
 * failed send or a crash leaves it on disk, and it is sent again until issuance takes it.
 */
export class ReportSpool {
  private readonly pending = new Map<string, PlanReport>();
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private delayMs: number;
  private flushing: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: ReportSpoolOptions) {
    this.delayMs = options.retryMinMs ?? 2_000;
  }

  async load(): Promise<number> {
    let text: string;
    try {
      text = await readFile(this.options.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = planReportSchema.array().safeParse(json);
    if (!parsed.success) {
      throw new AppError('CONFIG_INVALID', {
        message: `The report spool ${this.options.file} is not readable; move it aside and check it`,
      });
    }
    for (const report of parsed.data) this.pending.set(report.planId, report);
    if (this.pending.size > 0) {
      this.options.log.warn({ reports: this.pending.size }, 'undelivered reports found; resending');
      this.schedule();
    }
    return this.pending.size;
  }

  list(): PlanReport[] {
    return [...this.pending.values()];
  }

  /** Sends now; when that fails for a reason that may pass, keeps it and answers AGENT_REPORT_PENDING. */
  async deliver(report: PlanReport): Promise<ReportAnswer> {
    this.pending.set(report.planId, report);
    // A spool that cannot be written is logged by persist; the report still goes out now.
    await this.persist().catch(() => undefined);
    try {
      const answer = await this.options.send(report);
      await this.settle(report.planId);
      return answer;
    } catch (err) {
      if (!worthRetrying(err)) {
        await this.settle(report.planId);
        this.options.log.error(
          { planId: report.planId, outcome: report.outcome, code: (err as AppError).code },
          'issuance refused the report',
        );
        throw err;
      }
      this.options.log.warn(
        { planId: report.planId, outcome: report.outcome, code: codeOf(err) },
        'report not delivered; kept for resending',
      );
      this.schedule();
      throw new AppError('AGENT_REPORT_PENDING', {
        details: {
          planId: report.planId,
          outcome: report.outcome,
          completedSteps: report.completedSteps,
          reason: codeOf(err),
        },
        cause: err,
      });
    }
  }

  /** One pass over the kept reports; the ones issuance still does not take stay. */
  flush(): Promise<void> {
    this.flushing ??= this.flushOnce().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    return this.writing;
  }

  private async flushOnce(): Promise<void> {
    for (const report of this.list()) {
      try {
        const answer = await this.options.send(report);
        await this.settle(report.planId);
        this.options.log.info(
          { planId: report.planId, status: answer.status },
          'kept report delivered',
        );
        this.options.bus?.emit({
          type: 'report',
          data: { planId: report.planId, status: answer.status },
        });
      } catch (err) {
        if (worthRetrying(err)) continue;
        await this.settle(report.planId);
        this.options.log.error(
          { planId: report.planId, outcome: report.outcome, code: codeOf(err) },
          'issuance refused a kept report',
        );
      }
    }
  }

  private schedule(): void {
    if (this.closed || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush().then(() => {
        if (this.pending.size === 0) {
          this.delayMs = this.options.retryMinMs ?? 2_000;
          return;
        }
        this.delayMs = Math.min(this.delayMs * 2, this.options.retryMaxMs ?? 60_000);
        this.schedule();
      });
    }, this.delayMs);
    this.timer.unref();
  }

  private async settle(planId: string): Promise<void> {
    this.pending.delete(planId);
    await this.persist().catch(() => undefined);
  }

  /** Writes are chained so the file always ends with the latest list; each is atomic (rename). */
  private persist(): Promise<void> {
    const content = JSON.stringify(this.list());
    const next = this.writing.then(() => writeAtomic(this.options.file, content));
    this.writing = next.catch((err: unknown) => {
      this.options.log.error({ code: codeOf(err) }, 'report spool could not be written');
    });
    return next;
  }
}

function codeOf(err: unknown): string {
  if (err instanceof AppError) return err.code;
  return (err as NodeJS.ErrnoException).code ?? 'UNKNOWN';
}

async function writeAtomic(file: string, content: string): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(temp, content, { mode: 0o600, flush: true });
  await rename(temp, file);
}
