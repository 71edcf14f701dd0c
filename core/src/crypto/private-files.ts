import { randomBytes } from 'node:crypto';
import { link, open as openFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../errors/index.js';

const LOCK_WAIT_MS = 10_000;
const LOCK_STALE_MS = 60_000;

export function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

async function writeTemp(dir: string, content: string): Promise<string> {
  const temp = join(dir, `.tmp-${randomBytes(8).toString('hex')}`);
  const handle = await openFile(temp, 'wx', 0o600);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  } finally {
    await handle.close();
  }
  return temp;
}

/** Replaces a file whole: readers see the old content or the new, never a torn one. */
export async function replaceFile(dir: string, name: string, content: string): Promise<void> {
  await rename(await writeTemp(dir, content), join(dir, name));
}

/** Creates a file whole, failing with EEXIST rather than overwriting. */
export async function createFile(dir: string, name: string, content: string): Promise<void> {
  const temp = await writeTemp(dir, content);
  try {
    await link(temp, join(dir, name));
  } finally {
    await unlink(temp);
  }
}

/** An exclusive lock file; the returned function releases it. */
export async function acquireLock(path: string): Promise<() => Promise<void>> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await openFile(path, 'wx', 0o600);
      await handle.close();
      return () => unlink(path).catch(() => undefined);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    // A lock left by a process that died mid-change would otherwise block the store forever.
    const age = await stat(path).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > LOCK_STALE_MS) await unlink(path).catch(() => undefined);
    else if (Date.now() > deadline) {
      throw new AppError('SERVICE_UNAVAILABLE', {
        message: 'The PKI store is locked by another process',
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
