import { AppError } from '@citycard/core/errors';
import {
  RECORD_VERSION,
  recordDraftSchema,
  signRecord,
  type RecordDraft,
  type TransactionRecord,
} from '../protocol/index.js';
import type { Journal } from '../journal/journal.types.js';

/** What a tap calls last: the record is durable when the promise resolves. */
export interface TransactionRecorder {
  record(draft: RecordDraft): Promise<TransactionRecord>;
}

export interface RecorderCredentials {
  readonly terminalId: string;
  readonly macKey: Buffer;
}

export interface RecorderOptions {
  journal: Journal;
  credentials: RecorderCredentials;
}

function parseDraft(draft: RecordDraft): RecordDraft {
  const parsed = recordDraftSchema.safeParse(draft);
  if (parsed.success) return parsed.data;
  throw new AppError('VALIDATION_FAILED', {
    message: 'The transaction record is not valid',
    details: {
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    },
  });
}

/**
 * Assigns the terminal's next sequence, MACs the record under the terminal key and appends it to
 * the journal. Throws JOURNAL_FULL (the terminal must stop selling) or JOURNAL_IO; a draft that
 * breaks the record schema is VALIDATION_FAILED and takes no sequence.
 */
export function createRecorder(options: RecorderOptions): TransactionRecorder {
  const { journal, credentials } = options;
  return {
    async record(draft) {
      const valid = parseDraft(draft);
      let signed: TransactionRecord | undefined;
      await journal.append((sequence) => {
        signed = signRecord(
          { v: RECORD_VERSION, terminalId: credentials.terminalId, sequence, ...valid },
          credentials.macKey,
        );
        return Buffer.from(JSON.stringify(signed), 'utf8');
      });
      if (!signed)
        throw new AppError('JOURNAL_IO', { message: 'The journal did not build the entry' });
      return signed;
    },
  };
}

/** The record a journal payload holds (as the recorder wrote it). */
export function decodeRecordPayload(payload: Buffer): TransactionRecord {
  return JSON.parse(payload.toString('utf8')) as TransactionRecord;
}
