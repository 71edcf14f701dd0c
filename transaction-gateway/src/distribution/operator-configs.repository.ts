import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import type { OperatorConfig, OperatorSettings } from '@citycard/terminal-sdk/protocol';
import { etagOf } from './fare-sets.repository.js';

const MAX_CONFIGS = 16;

/** What a terminal runs with until its operator publishes a configuration of its own. */
export const DEFAULT_OPERATOR_SETTINGS: OperatorSettings = {
  timeZone: 'Asia/Shanghai',
  uploadBatchSize: 500,
  uploadIntervalSeconds: 60,
  hotlistPollSeconds: 300,
  maxOfflineHours: 72,
  clockSkewToleranceSeconds: 300,
};

export const DEFAULT_CONFIG_VERSION = '0';

interface ConfigRow {
  operator_id: string;
  version: string;
  effective_from: Date;
  settings: OperatorSettings;
  published_by_username: string;
  published_at: Date;
}

export interface StoredOperatorConfig extends OperatorConfig {
  readonly publishedBy: string;
  readonly publishedAt: string;
}

const stored = (r: ConfigRow): StoredOperatorConfig => ({
  operatorId: r.operator_id,
  version: r.version,
  effectiveFrom: r.effective_from.toISOString(),
  settings: r.settings,
  publishedBy: r.published_by_username,
  publishedAt: r.published_at.toISOString(),
});

const COLUMNS = `operator_id, version, effective_from, settings, published_by_username, published_at`;

/** Same version and settings again answers the stored row; other settings are a conflict. */
export async function publishOperatorConfig(
  db: Queryable,
  input: { operatorId: string; version: string; effectiveFrom: string; settings: OperatorSettings },
  by: { id: string; username: string },
  now: Date,
): Promise<{ config: StoredOperatorConfig; created: boolean }> {
  const known = await db.query('SELECT 1 FROM operators WHERE id = $1', [input.operatorId]);
  if (known.rowCount === 0) throw new AppError('OPERATOR_NOT_FOUND');
  const { rows } = await db.query<ConfigRow>(
    `INSERT INTO operator_configs (operator_id, version, effective_from, settings,
       published_by, published_by_username, published_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (operator_id, version) DO NOTHING
     RETURNING ${COLUMNS}`,
    [
      input.operatorId,
      input.version,
      new Date(input.effectiveFrom),
      input.settings,
      by.id,
      by.username,
      now,
    ],
  );
  if (rows[0] !== undefined) return { config: stored(rows[0]), created: true };
  const existing = await db.query<ConfigRow>(
    `SELECT ${COLUMNS} FROM operator_configs WHERE operator_id = $1 AND version = $2`,
    [input.operatorId, input.version],
  );
  const row = existing.rows[0];
  const same =
    row !== undefined &&
    row.effective_from.getTime() === new Date(input.effectiveFrom).getTime() &&
    JSON.stringify(sortKeys(row.settings)) === JSON.stringify(sortKeys(input.settings));
  if (!same) {
    throw new AppError('OPERATOR_CONFIG_VERSION_EXISTS', { details: { version: input.version } });
  }
  return { config: stored(row), created: false };
}

function sortKeys(o: object): [string, unknown][] {
  return Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export async function listOperatorConfigs(
  db: Queryable,
  operatorId: string,
): Promise<StoredOperatorConfig[]> {
  const { rows } = await db.query<ConfigRow>(
    `SELECT ${COLUMNS} FROM operator_configs WHERE operator_id = $1
      ORDER BY effective_from DESC, published_at DESC LIMIT 500`,
    [operatorId],
  );
  return rows.map(stored);
}

/** The configuration in force for the operator and any scheduled after it; a default if none. */
export async function configsInForce(
  db: Queryable,
  operatorId: string,
  now: Date,
): Promise<{ configs: OperatorConfig[]; etag: string }> {
  const { rows } = await db.query<ConfigRow>(
    `SELECT ${COLUMNS} FROM operator_configs c
      WHERE c.operator_id = $1
        AND (c.effective_from > $2
             OR c.version = (SELECT version FROM operator_configs
                              WHERE operator_id = $1 AND effective_from <= $2
                              ORDER BY effective_from DESC, published_at DESC LIMIT 1))
      ORDER BY effective_from, published_at LIMIT $3`,
    [operatorId, now, MAX_CONFIGS],
  );
  const configs: OperatorConfig[] = rows.map((r) => ({
    operatorId: r.operator_id,
    version: r.version,
    effectiveFrom: r.effective_from.toISOString(),
    settings: r.settings,
  }));
  if (configs.length === 0 || rows[0] === undefined || rows[0].effective_from > now) {
    configs.unshift({
      operatorId,
      version: DEFAULT_CONFIG_VERSION,
      effectiveFrom: new Date(0).toISOString(),
      settings: DEFAULT_OPERATOR_SETTINGS,
    });
  }
  const etag = etagOf(configs.map((c) => `${c.version}:${JSON.stringify(sortKeys(c.settings))}`));
  return { configs: configs.slice(0, MAX_CONFIGS), etag };
}
