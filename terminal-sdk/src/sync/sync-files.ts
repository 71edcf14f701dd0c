import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../journal/atomic-file.js';
import {
  fareSetsResponseSchema,
  hotlistEntrySchema,
  operatorConfigResponseSchema,
  versionNumber,
} from '../protocol/index.js';

/**
 * What a terminal keeps of its last sync, so that it sells with the same hotlist, fares and
 * configuration after a restart while the gateway is out of reach.
 */
export const SYNC_FILES = {
  hotlist: {
    name: 'hotlist.json',
    schema: z.object({ version: versionNumber, entries: z.array(hotlistEntrySchema) }),
  },
  fares: {
    name: 'fare-sets.json',
    schema: z.object({ etag: z.string().optional(), response: fareSetsResponseSchema }),
  },
  config: {
    name: 'operator-config.json',
    schema: z.object({ etag: z.string().optional(), response: operatorConfigResponseSchema }),
  },
} as const;

type SyncFile = (typeof SYNC_FILES)[keyof typeof SYNC_FILES];

export async function saveSyncFile<F extends SyncFile>(
  dir: string,
  file: F,
  value: z.infer<F['schema']>,
): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(join(dir, file.name), JSON.stringify(value));
}

/** The saved value, or undefined when there is none or it does not parse (a fresh sync follows). */
export async function readSyncFile<F extends SyncFile>(
  dir: string,
  file: F,
): Promise<z.infer<F['schema']> | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, file.name), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = file.schema.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data as z.infer<F['schema']>) : undefined;
  } catch {
    return undefined;
  }
}
