import type { Queryable } from '@citycard/core/db';
import { qualified, type HotlistRow } from './issuance-contract.js';

export interface VersionedRow extends HotlistRow {
  version: string;
}

const byVersion = (a: VersionedRow, b: VersionedRow): number =>
  Number(a.version) - Number(b.version);

/**
 * Issuance's hotlist, kept in memory and brought up to date before each use by reading only the
 * versions added since (the view's key is the version). Ingest reads the new versions in the
 * same statement as its other checks (`since` / `apply`); each card's changes stay in version
 * order.
 */
export class HotlistCache {
  private version = '0';
  private loaded = false;
  private readonly byKey = new Map<string, VersionedRow[]>();
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly db: Queryable,
    private readonly schema: string,
  ) {}

  /** Every change for these cards, in version order. */
  async historyOf(uids: readonly string[], cardNumbers: readonly string[]): Promise<HotlistRow[]> {
    await this.refresh();
    return this.history(uids, cardNumbers);
  }

  /** The changes kept for these cards, in version order (after `apply` of a fresh read). */
  history(uids: readonly string[], cardNumbers: readonly string[]): HotlistRow[] {
    const rows = new Set<VersionedRow>();
    for (const key of [...uids.map((u) => `u:${u}`), ...cardNumbers.map((n) => `n:${n}`)]) {
      for (const row of this.byKey.get(key) ?? []) rows.add(row);
    }
    return [...rows].sort(byVersion);
  }

  /**
   * The version to read on from, once the whole hotlist has been read once (the first read is
   * made here, one at a time, so concurrent first uploads do not each read it all).
   */
  async since(): Promise<string> {
    if (!this.loaded) await this.refresh();
    return this.version;
  }

  /** Versions read after `since()`, in order; those already kept are skipped. */
  apply(rows: readonly VersionedRow[]): void {
    for (const row of rows) {
      if (BigInt(row.version) <= BigInt(this.version)) continue;
      this.add(`u:${row.uid}`, row);
      if (row.card_number !== null) this.add(`n:${row.card_number}`, row);
      this.version = row.version;
    }
  }

  /** The read `apply` takes, for use inside a larger statement ($n: the `since()` version). */
  deltaSql(since: string): string {
    return `SELECT h.version::text AS version, h.card_number, h.uid, h.action, h.created_at
              FROM ${qualified(this.schema, 'hotlist_contract')} h
             WHERE h.version > ${since}::bigint`;
  }

  private refresh(): Promise<void> {
    // One read at a time; callers arriving meanwhile wait for it and see its rows.
    this.refreshing ??= this.readNewRows().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async readNewRows(): Promise<void> {
    const { rows } = await this.db.query<VersionedRow>(
      `${this.deltaSql('$1')} ORDER BY h.version`,
      [this.version],
    );
    this.apply(rows);
    this.loaded = true;
  }

  private add(key: string, row: VersionedRow): void {
    const list = this.byKey.get(key);
    if (list === undefined) this.byKey.set(key, [row]);
    else list.push(row);
  }
}
