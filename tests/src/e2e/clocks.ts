/** China Standard Time has no daylight saving: +08:00 all year. */
const CST = 8 * 3600_000;
const HOUR = 3600_000;

/** The calendar day in China Standard Time, YYYY-MM-DD. */
export const cstDay = (t: number): string => new Date(t + CST).toISOString().slice(0, 10);

/** HH:MM in China Standard Time. */
export const cstTime = (t: number): string => new Date(t + CST).toISOString().slice(11, 16);

/**
 * Where the city's day sits in real time. The counter works on real time (issuance has no clock
 * to move), so the business day is the one running now, with its 04:00 cut-off. The gateway is
 * moved to the last hour before that cut-off while the terminals upload (every tap of the day
 * then lies in its past), and past it for the offline terminals' late uploads; clearing is moved
 * past it, as the nightly job would find it.
 */
export interface CityClocks {
  /** The business day the story happens in. */
  readonly day: string;
  /** Its cut-off, when the next business day begins. */
  readonly cutoff: Date;
  readonly clearingOffsetS: number;
  readonly gatewayDayOffsetS: number;
  readonly gatewayLateOffsetS: number;
  /** When the lost card goes missing: now in the city, kept inside the service day. */
  readonly lostAt: string;
}

/** Now in the city, kept between 07:00 and 18:00 (after midnight, the day is behind us). */
function serviceTime(time: string): string {
  if (time >= '04:00' && time < '07:00') return '07:00';
  return time > '18:00' || time < '04:00' ? '18:00' : time;
}

export function cityClocks(now: number): CityClocks {
  const day = cstDay(now - 4 * HOUR);
  const cutoff = Date.parse(`${day}T04:00:00+08:00`) + 24 * HOUR;
  const offset = (target: number): number => Math.round((target - now) / 1000);
  return {
    day,
    cutoff: new Date(cutoff),
    clearingOffsetS: offset(cutoff + HOUR / 2),
    gatewayDayOffsetS: offset(cutoff - HOUR),
    gatewayLateOffsetS: offset(cutoff + HOUR),
    lostAt: serviceTime(cstTime(now)),
  };
}

/**
 * Counter work that straddled the cut-off would fall into two business days: a story about to
 * start in the last minutes of one waits for the next.
 */
export async function awayFromCutoff(marginMs = 4 * 60_000): Promise<CityClocks> {
  const clocks = cityClocks(Date.now());
  const left = clocks.cutoff.getTime() - Date.now();
  if (left > marginMs) return clocks;
  console.log(`e2e: ${Math.ceil(left / 1000)} s to the 04:00 cut-off: waiting for the next day`);
  await new Promise((resolve) => setTimeout(resolve, left + 5000));
  return cityClocks(Date.now());
}
