export interface ClockSample {
  /** Add to the terminal's clock to get the gateway's. */
  readonly offsetMs: number;
  readonly rttMs: number;
}

/**
 * NTP-style: the server read its clock somewhere between our send (t0) and receive (t1); taking
 * the midpoint bounds the error by half the round trip.
 */
export function offsetFromSample(t0: number, serverMs: number, t1: number): ClockSample {
  return { offsetMs: Math.round(serverMs - (t0 + t1) / 2), rttMs: t1 - t0 };
}

/** Several samples, keeping the one with the shortest round trip (the tightest bound). */
export async function measureClockOffset(
  serverTime: () => Promise<Date>,
  now: () => number = Date.now,
  samples = 3,
): Promise<ClockSample> {
  let best: ClockSample | undefined;
  for (let i = 0; i < samples; i++) {
    const t0 = now();
    const server = (await serverTime()).getTime();
    const sample = offsetFromSample(t0, server, now());
    if (!best || sample.rttMs < best.rttMs) best = sample;
  }
  if (!best) throw new RangeError('samples must be at least 1');
  return best;
}

/** The terminal's clock corrected by the last measured offset. */
export class GatewayClock {
  #sample: ClockSample = { offsetMs: 0, rttMs: 0 };
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  get offsetMs(): number {
    return this.#sample.offsetMs;
  }

  update(sample: ClockSample): void {
    this.#sample = sample;
  }

  now(): Date {
    return new Date(this.#now() + this.#sample.offsetMs);
  }
}
