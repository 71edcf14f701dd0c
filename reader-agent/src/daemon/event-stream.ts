import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { AgentEvent, EventBus, ReaderView } from './events.js';

const HEARTBEAT_MS = 15_000;

function frame(event: AgentEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/**
 * Server-sent events for the console. The stream opens with a `reader` event per attached reader
 * (with its card), so a console that (re)connects needs no separate GET to catch up.
 */
export class EventStreams {
  private readonly open = new Set<ServerResponse>();

  constructor(private readonly bus: EventBus) {}

  attach(res: ServerResponse, headers: OutgoingHttpHeaders, readers: readonly ReaderView[]): void {
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    for (const data of readers) res.write(frame({ type: 'reader', data }));
    const off = this.bus.on((event) => res.write(frame(event)));
    const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    this.open.add(res);
    res.on('close', () => {
      off();
      clearInterval(heartbeat);
      this.open.delete(res);
    });
  }

  closeAll(): void {
    for (const res of this.open) res.end();
  }
}
