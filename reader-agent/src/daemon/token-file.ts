import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** A fresh bearer token for this run, readable by the agent's own user only. */
export async function writeTokenFile(file: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const dir = dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(temp, `${token}\n`, { mode: 0o600, flag: 'wx' });
  // The mode given to writeFile is filtered by the umask; say it again to be sure.
  await chmod(temp, 0o600);
  await rename(temp, file);
  return token;
}

/** A token left behind would outlive the agent that honours it; remove it on a clean stop. */
export async function removeTokenFile(file: string): Promise<void> {
  await rm(file, { force: true });
}
