import { AppError } from '../errors/index.js';
import { fileNameOf, type MigrationFile } from './migration-files.js';

export interface AppliedRow {
  schema: string;
  version: number;
  name: string;
  checksum: string;
  applied_at: Date;
}

export type MigrationState = 'applied' | 'pending' | 'edited' | 'missing';

export interface PlanEntry {
  schema: string;
  version: number;
  state: MigrationState;
  file?: MigrationFile;
  row?: AppliedRow;
}

/** Lines up one schema's files with its tracking rows, by version. */
export function compareSchema(
  schema: string,
  files: readonly MigrationFile[],
  rows: readonly AppliedRow[],
): PlanEntry[] {
  const byVersion = new Map<number, PlanEntry>();
  for (const row of rows)
    byVersion.set(row.version, { schema, version: row.version, state: 'missing', row });
  for (const file of files) {
    const row = byVersion.get(file.version)?.row;
    const state = !row
      ? 'pending'
      : row.checksum === file.checksum && row.name === file.name
        ? 'applied'
        : 'edited';
    byVersion.set(file.version, {
      schema,
      version: file.version,
      state,
      file,
      ...(row ? { row } : {}),
    });
  }
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}

/**
 * The files still to apply, in order. Throws on the first entry that makes the history
 * untrustworthy, so that nothing at all is applied on top of it.
 */
export function pendingFiles(entries: readonly PlanEntry[]): MigrationFile[] {
  let lastApplied = 0;
  const pending: MigrationFile[] = [];
  for (const entry of entries) {
    const { file, row } = entry;
    if (entry.state === 'edited' && file && row) throw editedError(file, row);
    if (entry.state === 'missing' && row) throw missingError(row);
    if (row) lastApplied = Math.max(lastApplied, row.version);
    if (entry.state === 'pending' && file) pending.push(file);
  }
  const stray = pending.find((f) => f.version < lastApplied);
  if (stray) {
    throw new AppError('MIGRATION_OUT_OF_ORDER', {
      message:
        `${stray.schema}/${stray.file} is new but numbered below ${fileNameOf(lastApplied, '…')}, which is ` +
        'already applied; migrations are append-only: give it the next free number',
      details: { schema: stray.schema, file: stray.file, lastAppliedVersion: lastApplied },
    });
  }
  return pending;
}

function editedError(file: MigrationFile, row: AppliedRow): AppError {
  const applied = fileNameOf(row.version, row.name);
  const what =
    row.name === file.name
      ? `was edited after it was applied`
      : `replaces the applied ${applied} (renamed or replaced)`;
  return new AppError('MIGRATION_EDITED', {
    message:
      `${file.schema}/${file.file} ${what}: applied checksum ${row.checksum}, file checksum ${file.checksum}. ` +
      'Applied migrations are append-only: restore the file and put the change in a new one',
    details: {
      schema: file.schema,
      file: file.file,
      appliedFile: applied,
      appliedChecksum: row.checksum,
      fileChecksum: file.checksum,
    },
  });
}

function missingError(row: AppliedRow): AppError {
  const file = fileNameOf(row.version, row.name);
  return new AppError('MIGRATION_MISSING', {
    message: `${row.schema}/${file} was applied on ${row.applied_at.toISOString()} but the file is gone; restore it`,
    details: { schema: row.schema, file, appliedChecksum: row.checksum },
  });
}
