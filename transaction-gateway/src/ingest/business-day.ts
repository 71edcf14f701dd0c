const CUTOFF = /^([01]\d|2[0-3]):([0-5]\d)$/;

// Building a formatter costs far more than using one: one per time zone, kept.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, dateStyle: 'short' });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * The business day an instant belongs to: the local date in `timeZone` of the instant moved back
 * by the cut-off, so 03:59 on the 2nd (cut-off 04:00) still counts in the 1st. Assumes the zone
 * keeps one offset around the cut-off (true of Asia/Shanghai, which has no daylight saving).
 */
export function businessDay(at: Date, timeZone: string, cutoff: string): string {
  const match = CUTOFF.exec(cutoff);
  if (match === null) throw new Error(`invalid business-day cut-off ${cutoff}`);
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  const shifted = new Date(at.getTime() - minutes * 60_000);
  return formatterFor(timeZone).format(shifted);
}
