import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError, isAppError } from '@citycard/core/errors';
import type { z } from 'zod';
import {
  PROTOCOL_PATHS,
  batchSchema,
  enrolmentRequestSchema,
  transactionRecordSchema,
  verifyRequestSignature,
} from '../protocol/index.js';
import { TestDistribution } from './test-distribution.js';
import { TestLedger } from './test-ledger.js';

const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Faults to exercise a terminal's retries; each counter is used up one request at a time. */
export interface TestGatewayFaults {
  /** Answer 503 before doing anything. */
  failNext: number;
  /** Do the work (commit), then drop the connection without an answer. */
  dropNextResponses: number;
}

export interface TestGateway {
  readonly url: string;
  readonly ledger: TestLedger;
  readonly distribution: TestDistribution;
  readonly faults: TestGatewayFaults;
  /** Requests seen per path, faults included. */
  readonly requests: Map<string, number>;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  port?: number;
  now?: () => Date;
  clockToleranceMs?: number;
}

interface Reply {
  status: number;
  body?: unknown;
  etag?: string;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new AppError('PAYLOAD_TOO_LARGE'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parse<T>(schema: z.ZodType<T>, body: Buffer): T {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AppError('VALIDATION_FAILED', { message: 'Malformed JSON' });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new AppError('VALIDATION_FAILED', {
      details: { issues: parsed.error.issues.slice(0, 10).map((i) => i.path.join('.')) },
    });
  }
  return parsed.data;
}

function postedBy(terminalId: string, claimed: string): void {
  if (claimed !== terminalId) {
    throw new AppError('FORBIDDEN', { message: 'A terminal posts only as itself' });
  }
}

function errorReply(error: unknown): Reply {
  const e = isAppError(error) ? error : new AppError('INTERNAL');
  const details = e.details ? { details: e.details } : {};
  return {
    status: e.httpStatus,
    body: { code: e.code, message: e.message, retryable: e.retryable, ...details },
  };
}

class TestGatewayApp {
  readonly ledger = new TestLedger();
  readonly distribution = new TestDistribution();
  readonly faults: TestGatewayFaults = { failNext: 0, dropNextResponses: 0 };
  readonly requests = new Map<string, number>();
  readonly #now: () => Date;
  readonly #toleranceMs: number;

  constructor(options: TestGatewayOptions) {
    this.#now = options.now ?? (() => new Date());
    this.#toleranceMs = options.clockToleranceMs ?? 10 * 60_000;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://gateway');
    this.requests.set(url.pathname, (this.requests.get(url.pathname) ?? 0) + 1);
    let reply: Reply;
    try {
      const body = await readBody(req);
      if (this.faults.failNext > 0) {
        this.faults.failNext--;
        throw new AppError('SERVICE_UNAVAILABLE');
      }
      reply = this.#route(req, url, body);
    } catch (error) {
      reply = errorReply(error);
    }
    if (this.faults.dropNextResponses > 0 && reply.status < 300) {
      this.faults.dropNextResponses--;
      req.socket.destroy();
      return;
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (reply.etag) headers.etag = reply.etag;
    res.writeHead(reply.status, headers);
    res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
  }

  #authenticate(req: IncomingMessage, path: string, body: Buffer): string {
    return verifyRequestSignature(
      { method: req.method ?? 'GET', path, body },
      {
        headers: req.headers,
        macKeyFor: (id) => this.ledger.terminals.get(id)?.macKey,
        now: this.#now(),
        toleranceMs: this.#toleranceMs,
      },
    );
  }

  #conditional(value: unknown, req: IncomingMessage): Reply {
    const etag = TestDistribution.etagOf(value);
    return req.headers['if-none-match'] === etag
      ? { status: 304, etag }
      : { status: 200, body: value, etag };
  }

  #route(req: IncomingMessage, url: URL, body: Buffer): Reply {
    const key = `${req.method ?? ''} ${url.pathname}`;
    const now = this.#now();
    if (key === `POST ${PROTOCOL_PATHS.enrol}`) {
      const request = parse(enrolmentRequestSchema, body);
      return { status: 201, body: this.distribution.enrol(request, this.ledger, now) };
    }
    const terminalId = this.#authenticate(req, `${url.pathname}${url.search}`, body);
    switch (key) {
      case `POST ${PROTOCOL_PATHS.batches}`: {
        const batch = parse(batchSchema, body);
        postedBy(terminalId, batch.terminalId);
        return { status: 200, body: this.ledger.ingest(batch, now) };
      }
      case `POST ${PROTOCOL_PATHS.transactions}`: {
        const record = parse(transactionRecordSchema, body);
        postedBy(terminalId, record.terminalId);
        return { status: 200, body: this.ledger.ingestOne(record, now) };
      }
      case `GET ${PROTOCOL_PATHS.hotlist}`: {
        const since = Number(url.searchParams.get('since') ?? '0');
        if (!Number.isSafeInteger(since) || since < 0) throw new AppError('VALIDATION_FAILED');
        return { status: 200, body: this.distribution.hotlistSince(since) };
      }
      case `GET ${PROTOCOL_PATHS.fares}`:
        return this.#conditional({ v: 1, fareSets: this.distribution.fareSets }, req);
      case `GET ${PROTOCOL_PATHS.config}`:
        return this.#conditional({ v: 1, configs: this.distribution.configs }, req);
      case `GET ${PROTOCOL_PATHS.time}`:
        return { status: 200, body: { v: 1, serverTime: now.toISOString() } };
      default:
        throw new AppError('NOT_FOUND');
    }
  }
}

/**
 * A gateway for tests and the simulator, on node:http and the protocol schemas: it verifies
 * request signatures and MACs, stores records idempotently in memory and answers receipts.
 */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const app = new TestGatewayApp(options);
  const server = createServer((req, res) => void app.handle(req, res));
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const { ledger, distribution, faults, requests } = app;
  return {
    url: `http://127.0.0.1:${port}`,
    ledger,
    distribution,
    faults,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
