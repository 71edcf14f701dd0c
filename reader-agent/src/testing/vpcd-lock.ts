import { open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const LOCK = path.join(tmpdir(), 'citycard-vpcd-readers.lock');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * pcscd has two vpcd readers for the whole machine, and test files run in parallel processes:
 * whoever drives them holds this lock file (with its PID, so a crashed holder's lock is taken
 * over). Resolves to the release.
 */
export async function lockVpcdReaders(timeoutMs = 600_000): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(LOCK, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(LOCK, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number((await readFile(LOCK, 'utf8').catch(() => '')).trim());
    if (Number.isSafeInteger(holder) && holder > 0 && !alive(holder)) {
      await rm(LOCK, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`the vpcd readers stayed locked (${LOCK})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
