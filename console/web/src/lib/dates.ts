/** The platform's business days and times are those of the city: Asia/Shanghai. */
export const CITY_TIME_ZONE = 'Asia/Shanghai';

/** YYYY-MM-DD of an instant in the city. */
export function cityDate(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: CITY_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

/** The calendar day `days` before `day` (YYYY-MM-DD), by the calendar, not by hours. */
export function dayBefore(day: string, days = 1): string {
  const [y, m, d] = day.split('-').map(Number);
  const utc = new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, (d ?? 1) - days));
  return utc.toISOString().slice(0, 10);
}

/** The last business day whose clearing could have run: yesterday in the city. */
export function lastBusinessDay(now: Date = new Date()): string {
  return dayBefore(cityDate(now));
}

export function isDay(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && dayBefore(value, 0) === value;
}

export function formatDateTime(iso: string | null | undefined, locale: string): string {
  if (iso === null || iso === undefined) return '—';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, {
    timeZone: CITY_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(at);
}
