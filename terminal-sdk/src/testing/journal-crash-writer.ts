import { pathToFileURL } from 'node:url';
import { openJournal } from '../journal/index.js';
import { crashPayload, type CrashWriterMessage } from './journal-crash-payload.js';

function send(message: CrashWriterMessage): void {
  process.send?.(message);
}

/**
 * A child process for the journal crash test: appends records as fast as it can, several in
 * flight, acknowledging now and then, and tells its parent which sequences are durable and what is
 * acknowledged. The parent kills it at a random moment.
 */
async function main(dir: string): Promise<void> {
  const journal = await openJournal({ dir, segmentBytes: 4096, reserve: 8, maxBytes: 1 << 30 });
  send({ type: 'ready' });
  let durableCount = 0;
  const inFlight = new Set<Promise<void>>();
  for (;;) {
    const p = journal.append(crashPayload).then(async (sequence) => {
      send({ type: 'durable', sequence });
      if (++durableCount % 40 === 0 && sequence > 20) {
        await journal.acknowledge(sequence - 20);
        send({ type: 'acked', through: sequence - 20 });
      }
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    if (inFlight.size >= 8) await Promise.race(inFlight);
  }
}

const dir = process.argv[2];
if (dir && process.send && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  void main(dir);
}
