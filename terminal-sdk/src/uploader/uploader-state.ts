import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@citycard/core/errors';
import { z } from 'zod';
import { writeFileAtomic } from '../journal/atomic-file.js';
import { GENESIS_HASH, batchSchema, hex256 } from '../protocol/index.js';

const STATE_FILE = 'uploader.json';

/**
 * The uploader's durable memory: the next batch number, the chain head, and the batch in flight.
 * A batch is saved before it is first sent and re-sent unchanged until a receipt arrives, so a
 * lost answer never produces a second, different batch under the same number.
 */
const stateSchema = z.object({
  nextBatchSequence: z.int().min(1),
  headHash: hex256,
  inFlight: batchSchema.optional(),
});
export type UploaderState = z.infer<typeof stateSchema>;

export const INITIAL_STATE: UploaderState = { nextBatchSequence: 1, headHash: GENESIS_HASH };

export async function readUploaderState(dir: string): Promise<UploaderState> {
  let text: string;
  try {
    text = await readFile(join(dir, STATE_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ...INITIAL_STATE };
    throw new AppError('JOURNAL_IO', { cause: error });
  }
  const parsed = stateSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new AppError('JOURNAL_CORRUPT', { message: 'The uploader state file is damaged' });
  }
  return parsed.data;
}

export async function writeUploaderState(dir: string, state: UploaderState): Promise<void> {
  await writeFileAtomic(join(dir, STATE_FILE), JSON.stringify(state));
}
