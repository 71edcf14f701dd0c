import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

export const DEFAULT_CUTOFF_TIME = '04:00';
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

export interface RunWindow {
  /** Start of business day D: its cut-off time on D, local. */
  readonly dayStart: Date;
  /** End of D: the cut-off time on D + 1, local. */
  readonly cutoff: Date;
}

/** The instants bounding business day `day`, computed by PostgreSQL's own time-zone rules. */
export async function runWindow(
  db: Queryable,
  day: string,
  cutoffTime = DEFAULT_CUTOFF_TIME,
  timeZone = DEFAULT_TIME_ZONE,
): Promise<RunWindow> {
  if (!DAY.test(day) || !TIME.test(cutoffTime)) {
    throw new AppError('CLEARING_DAY_INVALID', { details: { day, cutoffTime } });
  }
  try {
    const { rows } = await db.query<{ day_start: Date; cutoff: Date }>(
      `SELECT ($1::date + $2::time) AT TIME ZONE $3 AS day_start,
              ($1::date + 1 + $2::time) AT TIME ZONE $3 AS cutoff`,
      [day, cutoffTime, timeZone],
    );
    const row = rows[0];
    if (row === undefined) throw new Error('no window row');
    return { dayStart: row.day_start, cutoff: row.cutoff };
  } catch (err) {
    // 22007/22008: not a real date; 22023: unknown time zone.
    const code = (err as { code?: unknown }).code;
    if (code === '22007' || code === '22008' || code === '22023') {
      throw new AppError('CLEARING_DAY_INVALID', {
        details: { day, cutoffTime, timeZone },
        cause: err,
      });
    }
    throw err;
  }
}
