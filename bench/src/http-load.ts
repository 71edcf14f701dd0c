import { percentile } from './figures.js';

export interface LoadResult {
  readonly sent: number;
  readonly ok: number;
  readonly failed: number;
  readonly achievedPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * Open-loop load: request i is due at start + i/rate whatever happened to the others, and its
 * latency counts from when it was due, so a stall shows up in the percentiles instead of quietly
 * lowering the rate (coordinated omission).
 */
export async function constantRate(
  ratePerS: number,
  seconds: number,
  request: (i: number) => Promise<Response>,
): Promise<LoadResult> {
  const total = Math.round(ratePerS * seconds);
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / ratePerS;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(
      request(i).then(
        async (res) => {
          await res.arrayBuffer();
          latencies.push(performance.now() - due);
          if (res.ok) ok += 1;
          else failed += 1;
        },
        () => {
          latencies.push(performance.now() - due);
          failed += 1;
        },
      ),
    );
  }
  await Promise.all(inFlight);
  const elapsedS = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    sent: total,
    ok,
    failed,
    achievedPerS: total / elapsedS,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1) ?? Number.NaN,
  };
}
