import { AppError } from '@citycard/core/errors';
import type { FareSet } from './fare-set.schema.js';

const DAY_SECONDS = 86_400;
/** 1970-01-01 to 2000-01-01: the card counts days from 2000-01-01. */
const DAYS_1970_TO_2000 = 10_957;

function clockSeconds(hhmm: string): number {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 3600 + Number(m) * 60;
}

/** Unix seconds of a tap, as the card stores them (u32). */
export function unixSeconds(at: Date): number {
  const ms = at.getTime();
  if (!Number.isFinite(ms) || ms < 946_684_800_000 || ms >= 4_294_967_296_000) {
    throw new AppError('FARE_TAP_INVALID', { message: 'The tap time is out of range' });
  }
  return Math.floor(ms / 1000);
}

function localSeconds(set: FareSet, at: number): number {
  return at + set.serviceDay.utcOffsetMinutes * 60;
}

/** The service day (days since 2000-01-01) a tap belongs to; days start at serviceDay.startTime. */
export function serviceDayOf(set: FareSet, at: number): number {
  const shifted = localSeconds(set, at) - clockSeconds(set.serviceDay.startTime);
  return Math.floor(shifted / DAY_SECONDS) - DAYS_1970_TO_2000;
}

/** YYYY-MM-DD of a service day number. */
export function serviceDate(day: number): string {
  return new Date((day + DAYS_1970_TO_2000) * DAY_SECONDS * 1000).toISOString().slice(0, 10);
}

/** Local wall-clock time of a tap: seconds since local midnight and ISO weekday (1 = Monday). */
export function localClock(set: FareSet, at: number): { secondsOfDay: number; weekday: number } {
  const local = localSeconds(set, at);
  const days = Math.floor(local / DAY_SECONDS);
  // 1970-01-01 was a Thursday (ISO weekday 4).
  const weekday = ((((days + 3) % 7) + 7) % 7) + 1;
  return { secondsOfDay: local - days * DAY_SECONDS, weekday };
}

export function inTimeframe(
  clock: { secondsOfDay: number; weekday: number },
  tf: { startTime: string; endTime: string; days?: readonly number[] | undefined },
): boolean {
  if (tf.days !== undefined && !tf.days.includes(clock.weekday)) return false;
  return (
    clock.secondsOfDay >= clockSeconds(tf.startTime) &&
    clock.secondsOfDay < clockSeconds(tf.endTime)
  );
}
