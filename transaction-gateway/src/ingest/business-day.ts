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

// The last answer per zone and cut-off, by whole second: every zone's offsets are whole seconds,
// so an instant in the same second has the same local date, and a busy gateway formats once a
// second instead of once an upload.
const lastAnswer = new Map<string, { second: number; day: string }>();

/**
 * The business day an instant belongs to: the local date in `timeZone` of the instant moved back
 * by the cut-off, so 03:59 on the 2nd (cut-off 04:00) still counts in the 1st. Assumes the zone
 * keeps one offset around the cut-off (true of Asia/Shanghai, which has no daylight saving).
 */
export function businessDay(at: Date, timeZone: string, cutoff: string): string {
  const match = CUTOFF.exec(cutoff);
  if (match === null) throw new Error(`invalid business-day cut-off ${cutoff}`);
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  const shiftedMs = at.getTime() - minutes * 60_000;
  const second = Math.floor(shiftedMs / 1000);
  const key = `${timeZone} ${cutoff}`;
  const last = lastAnswer.get(key);
  if (last?.second === second) return last.day;
  const day = formatterFor(timeZone).format(new Date(shiftedMs));
  lastAnswer.set(key, { second, day });
  return day;
}
