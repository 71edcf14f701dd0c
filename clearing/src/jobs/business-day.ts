/** Wall-clock fields of `at` in `timeZone`, as if they were UTC (for date arithmetic). */
function wallClockAsUtc(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? '0');
  return Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
}

/**
 * The latest business day whose cut-off has passed at `at`: at 04:30 on the 28th (cut-off
 * 04:00) it is the 27th; at 03:59 on the 28th the 27th is still open, so it is the 26th.
 */
export function lastClosedBusinessDay(at: Date, cutoffTime: string, timeZone: string): string {
  const [h, m] = cutoffTime.split(':').map(Number);
  const shifted = wallClockAsUtc(at, timeZone) - ((h ?? 0) * 60 + (m ?? 0)) * 60_000;
  return new Date(shifted - 86_400_000).toISOString().slice(0, 10);
}

/** YYYY-MM-DD naming a day that exists (2001-02-30 does not). */
export function isCalendarDay(day: string): boolean {
  const at = /^\d{4}-\d{2}-\d{2}$/.test(day) ? new Date(`${day}T00:00:00Z`) : undefined;
  return at !== undefined && !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === day;
}
