import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { AppError } from '@citycard/core/errors';

/**
 * A password from `envVar`, or typed on the terminal without being echoed. Without either (a
 * script with no terminal) it refuses rather than wait on a stdin nobody writes to.
 */
export async function readSecret(envVar: string, label: string): Promise<string> {
  const fromEnv = process.env[envVar];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) {
    throw new AppError('VALIDATION_FAILED', {
      message: `Set ${envVar} or run on a terminal to type the password`,
    });
  }
  process.stderr.write(label);
  let muted = true;
  const quiet = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output: quiet, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    muted = false;
    rl.close();
    process.stderr.write('\n');
  }
}
