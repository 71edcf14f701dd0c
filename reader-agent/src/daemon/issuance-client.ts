import { Agent, request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { cardPlanSchema, type CardPlan, type PlanReport } from '@citycard/core/card';
import { AppError, isErrorCode } from '@citycard/core/errors';
import { wipePlan } from './plan-wipe.js';

/** issuance's view of a card after a report (contract: issuance ↔ reader agent). */
export interface CardSnapshot {
  readonly cardId: string;
  readonly cardNumberMasked: string | null;
  readonly uid: string;
  readonly state: string;
  readonly product: string | null;
  /** The purse on the card, "12.50"; null when it does not decode (then mismatch is true). */
  readonly balance: string | null;
  readonly shadowBalance: string;
  readonly purseCounter: number | null;
  readonly uncertainLoadsResolved: number;
  readonly mismatch: boolean;
}

export const REPORT_STATUSES = ['accepted', 'rejected', 'uncertain'] as const;

export interface ReportAnswer {
  readonly planId: string;
  readonly status: (typeof REPORT_STATUSES)[number];
  readonly card?: CardSnapshot;
  readonly message?: string;
}

/** A plan as fetched: it holds one card's keys until `wipe` runs, which the caller must call. */
export interface FetchedPlan {
  readonly plan: CardPlan;
  wipe(): void;
}

/** What the daemon needs from issuance; tests put a fake in its place. */
export interface IssuanceApi {
  fetchPlan(planId: string, uid: string): Promise<FetchedPlan>;
  requestReadPlan(uid: string): Promise<FetchedPlan>;
  report(report: PlanReport): Promise<ReportAnswer>;
  close(): void;
}

export interface IssuanceClientOptions {
  /** e.g. https://127.0.0.1:8444 */
  readonly baseUrl: string;
  /** The platform CA (PEM): the only issuer trusted for issuance's server certificate. */
  readonly ca: string | Buffer;
  /** The agent's client certificate and key (PEM), role reader-agent. */
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  readonly timeoutMs?: number;
}

interface RawAnswer {
  readonly status: number;
  readonly body: Buffer;
}

/** The issuance agent API over HTTPS with mutual TLS. */
export class IssuanceClient implements IssuanceApi {
  private readonly agent: Agent;
  private readonly base: URL;
  private readonly timeoutMs: number;

  constructor(options: IssuanceClientOptions) {
    this.base = new URL(options.baseUrl);
    if (this.base.protocol !== 'https:') {
      throw new AppError('CONFIG_INVALID', { message: 'The issuance URL must be https://' });
    }
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.agent = new Agent({
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      keepAlive: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    });
  }

  async fetchPlan(planId: string, uid: string): Promise<FetchedPlan> {
    const path = `/v1/agent/plans/${encodeURIComponent(planId)}?uid=${encodeURIComponent(uid)}`;
    return planFrom(await this.call('GET', path));
  }

  async requestReadPlan(uid: string): Promise<FetchedPlan> {
    return planFrom(await this.call('POST', '/v1/agent/reads', { uid }));
  }

  async report(report: PlanReport): Promise<ReportAnswer> {
    const path = `/v1/agent/plans/${encodeURIComponent(report.planId)}/report`;
    const raw = await this.call('POST', path, report);
    const answer = parseJson(raw.body) as Partial<ReportAnswer> | undefined;
    if (answer?.planId !== report.planId || !REPORT_STATUSES.includes(answer.status as never)) {
      throw unavailable('issuance answered the report with an unexpected body');
    }
    return answer as ReportAnswer;
  }

  close(): void {
    this.agent.destroy();
  }

  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<RawAnswer> {
    const raw = await this.send(method, path, body);
    if (raw.status >= 200 && raw.status < 300) return raw;
    throw upstreamError(raw);
  }

  private send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<RawAnswer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    const url = new URL(path, this.base);
    return new Promise<RawAnswer>((resolve, reject) => {
      const req = request(url, {
        method,
        agent: this.agent,
        headers: {
          accept: 'application/json',
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': payload.length }),
        },
      });
      const timer = setTimeout(() => {
        req.destroy(unavailable('issuance did not answer in time', 'timeout'));
      }, this.timeoutMs);
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(networkError(err));
        });
        res.on('end', () => {
          clearTimeout(timer);
          const all = Buffer.concat(chunks);
          // The chunks may hold key material (a plan); only the joined copy lives on.
          for (const chunk of chunks) chunk.fill(0);
          resolve({ status: res.statusCode ?? 0, body: all });
        });
      });
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(networkError(err));
      });
      req.end(payload);
    });
  }
}

function planFrom(raw: RawAnswer): FetchedPlan {
  const json = parseJson(raw.body);
  raw.body.fill(0);
  const parsed = cardPlanSchema.safeParse(json);
  if (json !== undefined) wipePlan(json);
  if (!parsed.success) throw unavailable('issuance answered with a plan that is not valid');
  const plan = parsed.data;
  return { plan, wipe: () => wipePlan(plan) };
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function unavailable(message: string, reason = 'bad_answer'): AppError {
  return new AppError('SERVICE_UNAVAILABLE', {
    message,
    details: { dependency: 'issuance', reason },
  });
}

/** issuance's own error answer, passed on under its code and message. */
function upstreamError(raw: RawAnswer): AppError {
  const body = parseJson(raw.body) as Record<string, unknown> | undefined;
  const code = typeof body?.code === 'string' ? body.code : undefined;
  if (code === undefined || !isErrorCode(code)) {
    return unavailable(`issuance answered HTTP ${raw.status}`, 'http_status');
  }
  const details =
    typeof body?.details === 'object' && body.details !== null
      ? (body.details as Record<string, unknown>)
      : {};
  return new AppError(code, {
    ...(typeof body?.message === 'string' ? { message: body.message } : {}),
    details: {
      ...details,
      upstream: 'issuance',
      ...(typeof body?.requestId === 'string' ? { upstreamRequestId: body.requestId } : {}),
    },
  });
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function networkError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (TLS_CODES.has(code)) {
    return unavailable(
      "issuance's server certificate did not verify against the platform CA",
      'tls',
    );
  }
  if (code.startsWith('ERR_SSL') || /alert/i.test((err as Error).message)) {
    return unavailable('issuance refused the TLS handshake (agent certificate?)', 'tls');
  }
  return unavailable('issuance could not be reached', 'network');
}
