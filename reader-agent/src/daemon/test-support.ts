import { Writable } from 'node:stream';
import type { CardPlan, PlanReport } from '@citycard/core/card';
import { createLogger, type Logger } from '@citycard/core/logging';
import type { FetchedPlan, IssuanceApi, ReportAnswer } from './issuance-client.js';
import { wipePlan } from './plan-wipe.js';

/** issuance as a test scripts it: plans by id, and a recorded list of reports. */
export class FakeIssuance implements IssuanceApi {
  readonly plans = new Map<string, CardPlan>();
  readonly reports: PlanReport[] = [];
  readonly wiped: CardPlan[] = [];
  readPlan: CardPlan | undefined;
  /** Replace to make report delivery fail. */
  reportHook: (report: PlanReport) => Promise<void> = () => Promise.resolve();
  /** Resolved before a plan is handed out (lets a test hold a session open). */
  gate: Promise<void> = Promise.resolve();

  async fetchPlan(planId: string): Promise<FetchedPlan> {
    await this.gate;
    const plan = this.plans.get(planId);
    if (plan === undefined) throw new Error(`no plan ${planId}`);
    return this.fetched(plan);
  }

  async requestReadPlan(): Promise<FetchedPlan> {
    await this.gate;
    if (this.readPlan === undefined) throw new Error('no read plan');
    return this.fetched(this.readPlan);
  }

  async report(report: PlanReport): Promise<ReportAnswer> {
    await this.reportHook(report);
    this.reports.push(report);
    return {
      planId: report.planId,
      status: report.outcome === 'completed' ? 'accepted' : 'uncertain',
    };
  }

  close(): void {}

  private fetched(plan: CardPlan): FetchedPlan {
    const copy = structuredClone(plan);
    return {
      plan: copy,
      wipe: () => {
        wipePlan(copy);
        this.wiped.push(copy);
      },
    };
  }
}

export interface CapturedLog {
  readonly log: Logger;
  text(): string;
}

export function captureLog(): CapturedLog {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return {
    log: createLogger({ name: 'reader-agent-test', level: 'debug', destination }),
    text: () => lines.join(''),
  };
}
