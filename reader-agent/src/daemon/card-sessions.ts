import type { CardPlan, CardReader, ClassicCardIo, PlanReport } from '@citycard/core/card';
import { AppError } from '@citycard/core/errors';
import type { Logger } from '@citycard/core/logging';
import type { EventBus } from './events.js';
import type { FetchedPlan, IssuanceApi, ReportAnswer } from './issuance-client.js';
import { withProgress } from './progress-io.js';
import type { ReaderWatch } from './reader-watch.js';
import type { ReportSpool } from './report-spool.js';

export type PlanRunner = (card: ClassicCardIo, plan: CardPlan) => Promise<PlanReport>;

export interface CardSessionsDeps {
  readonly watch: ReaderWatch;
  readonly issuance: IssuanceApi;
  readonly spool: ReportSpool;
  readonly bus: EventBus;
  readonly log: Logger;
  readonly runPlan: PlanRunner;
}

export interface PlanResult {
  readonly answer: ReportAnswer;
  /** What the card did, step by step, without the data of trailer reads. */
  readonly report: PlanReport;
}

const isTrailer = (block: number): boolean => block % 4 === 3 && block < 128;

/** The report as the console may see it: trailer read-backs stay between the card and issuance. */
export function consoleReport(report: PlanReport): PlanReport {
  return {
    ...report,
    steps: report.steps.map((step) => {
      if (step.op !== 'read' || !isTrailer(step.block) || step.data === undefined) return step;
      const { data: _data, ...rest } = step;
      return rest;
    }),
  };
}

/**
 * One card session per reader at a time: fetch the card's plan from issuance, run it, report it.
 * The plan (with the card's keys) lives only for the run and is wiped after it.
 */
export class CardSessions {
  private readonly busy = new Set<string>();
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly deps: CardSessionsDeps) {}

  /** Runs issuance's read plan for the card on the reader; answers issuance's verdict. */
  async read(readerName: string): Promise<ReportAnswer> {
    const result = await this.session(readerName, (uid) => this.deps.issuance.requestReadPlan(uid));
    return result.answer;
  }

  async runPlan(readerName: string, planId: string): Promise<PlanResult> {
    return this.session(readerName, (uid) => this.deps.issuance.fetchPlan(planId, uid));
  }

  /** Resolves when every session in progress has finished (for a graceful stop). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  private session(
    readerName: string,
    fetch: (uid: string) => Promise<FetchedPlan>,
  ): Promise<PlanResult> {
    const reader = this.deps.watch.get(readerName);
    if (this.busy.has(readerName)) {
      throw new AppError('READER_BUSY', { details: { reader: readerName } });
    }
    const inField = reader.current();
    if (inField === null)
      throw new AppError('NO_CARD_PRESENT', { details: { reader: readerName } });
    if (inField.classic === null) {
      throw new AppError('CARD_UNSUPPORTED', {
        details: { reader: readerName, kind: inField.identity.kind },
      });
    }
    this.busy.add(readerName);
    const work = this.runSession(reader, inField.classic, fetch);
    this.running.add(work);
    return work.finally(() => {
      this.busy.delete(readerName);
      this.running.delete(work);
    });
  }

  private async runSession(
    reader: CardReader,
    card: ClassicCardIo,
    fetch: (uid: string) => Promise<FetchedPlan>,
  ): Promise<PlanResult> {
    const { spool, log } = this.deps;
    const readerName = reader.name;
    const uid = card.identity.uid.toString('hex').toUpperCase();
    // issuance should know what happened to earlier cards before it hands out a new plan.
    if (spool.list().length > 0) await spool.flush();
    const fetched = await fetch(uid);
    const { planId, purpose } = fetched.plan;
    let report: PlanReport;
    try {
      log.info(
        { reader: readerName, planId, purpose, steps: fetched.plan.steps.length },
        'plan run',
      );
      report = await this.deps.runPlan(this.tracked(readerName, card, fetched.plan), fetched.plan);
    } finally {
      fetched.wipe();
    }
    log.info(
      { reader: readerName, planId, outcome: report.outcome, completed: report.completedSteps },
      'plan finished',
    );
    void reader.feedback(report.outcome === 'completed' ? 'ok' : 'fail').catch(() => undefined);
    const answer = await spool.deliver(report);
    log.info({ reader: readerName, planId, status: answer.status }, 'report answered');
    return { answer, report: consoleReport(report) };
  }

  private tracked(readerName: string, card: ClassicCardIo, plan: CardPlan): ClassicCardIo {
    const { planId } = plan;
    return withProgress(card, plan.steps, (index, total) => {
      this.deps.bus.emit({
        type: 'planProgress',
        data: { reader: readerName, planId, index, total },
      });
    });
  }
}
