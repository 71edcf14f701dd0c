import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { VirtualClassicCard } from '@citycard/core/card';
import { classicCardApplication, foreignCardApplication } from './card-applications.js';
import { VpcdCard } from './vpcd-card.js';

/**
 * A virtual card as its own process, for trying a reader application by hand:
 *   tsx reader-agent/src/vpcd/vpcd-card.main.ts --port 35963 --uid 04A1B2C3 [--foreign]
 * Lines on stdin: `remove`, `insert`, `quit`. The card's memory lives as long as the process.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '35963' },
    uid: { type: 'string', default: '04A1B2C3' },
    foreign: { type: 'boolean', default: false },
  },
});

const say = (line: string) => process.stdout.write(`${line}\n`);
const uid = Buffer.from(values.uid, 'hex');
const app = values.foreign
  ? foreignCardApplication({ uid })
  : classicCardApplication(VirtualClassicCard.blank(uid));
const card = new VpcdCard(app, { port: Number(values.port) });

await card.insert();
say(`card ${values.uid} in the field of vpcd port ${card.port} (via ${card.connectedHost ?? '?'})`);

for await (const line of createInterface({ input: process.stdin })) {
  const command = line.trim();
  if (command === 'remove') {
    await card.remove();
    say('removed');
  } else if (command === 'insert') {
    await card.insert();
    say('inserted');
  } else if (command === 'quit') {
    break;
  } else if (command !== '') {
    say('commands: remove, insert, quit');
  }
}
await card.remove();
