import { request, type IncomingHttpHeaders } from 'node:http';

export interface TestAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

/** node:http rather than fetch: a test must be able to send any Host header it likes. */
export function call(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<TestAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: { host: `127.0.0.1:${port}`, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: <T>() => JSON.parse(text) as T,
          });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export interface SseEvent {
  readonly event: string;
  readonly data: Record<string, unknown>;
}

export interface SseClient {
  readonly events: SseEvent[];
  /** Resolves with the first event (from the start of the stream) that matches. */
  next(match: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
}

export function openEvents(port: number, token: string, origin?: string): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    const waiters = new Set<() => void>();
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: `/v1/events?token=${encodeURIComponent(token)}`,
        headers: { host: `localhost:${port}`, ...(origin ? { origin } : {}) },
      },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`events answered ${res.statusCode}`));
          return;
        }
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.+)$/m.exec(block)?.[1];
            const data = /^data: (.+)$/m.exec(block)?.[1];
            if (event !== undefined && data !== undefined) {
              events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
              for (const w of waiters) w();
            }
          }
        });
        resolve({
          events,
          next(match, timeoutMs = 2_000) {
            return new Promise((ok, fail) => {
              const check = (): boolean => {
                const found = events.find(match);
                if (found === undefined) return false;
                waiters.delete(waiter);
                clearTimeout(timer);
                ok(found);
                return true;
              };
              const waiter = (): void => void check();
              const timer = setTimeout(() => {
                waiters.delete(waiter);
                fail(new Error('no such event in time'));
              }, timeoutMs);
              waiters.add(waiter);
              check();
            });
          },
          close: () => req.destroy(),
        });
      },
    );
    req.on('error', () => undefined);
    req.end();
  });
}
