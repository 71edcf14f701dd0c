import type pg from 'pg';
import { loadMasterKeySet, initMasterKeys } from '@citycard/card-issuance/keys';
import { withTransaction } from '@citycard/core/db';
import type { Logger } from '@citycard/core/logging';
import type { QueueFactory } from '@citycard/core/queue';
import type { NightlyJobResult } from '@citycard/clearing/jobs';
import {
  simulateDay,
  type SimProgress,
  type SimulationSummary,
} from '@citycard/terminal-sdk/simulator';
import type { KeyEncryptionKey } from '@citycard/core/crypto';
import { progressBar } from '../progress.js';
import { seedCity, type SeededCity, type ServiceUrls } from './city-seed.js';
import { counterDay, type CounterDay } from './counter.js';
import { call } from './http.js';
import { nightlyClearing, settle, type Settlement } from './night.js';
import type { SimClock } from './sim-clock.js';

export interface CityDayOptions {
  readonly cards: number;
  readonly events: number;
  readonly seed: string;
  /** The service day the terminals ride through, YYYY-MM-DD: today in the city. */
  readonly serviceDay: string;
}

export interface CityDayDeps {
  readonly urls: ServiceUrls & { agent: string };
  readonly pools: { issuance: pg.Pool; clearing: pg.Pool; gateway: pg.Pool };
  readonly cardKeyKek: KeyEncryptionKey;
  readonly queues: QueueFactory;
  readonly log: Logger;
  /** Hands the simulated terminals' uploads to the back office's own post-processing. */
  readonly beforeClearing?: () => Promise<string | undefined>;
  readonly say: (line: string) => void;
  /** The simulated day's clock, which the gateway runs on too. */
  readonly clock: SimClock;
}

export interface CityDayResult {
  readonly city: SeededCity;
  readonly counter: CounterDay;
  readonly day: SimulationSummary;
  readonly night: NightlyJobResult;
  readonly settlement: Settlement;
  readonly lostCardNumber: string | undefined;
}

const PHASES: Record<SimProgress['phase'], string> = {
  cards: '  cards',
  terminals: '  terminals enrol',
  day: '  service day',
  late_uploads: '  late uploads',
};

function phaseBars(): { onProgress(p: SimProgress): void; stop(): void } {
  let current: { phase: string; bar: ReturnType<typeof progressBar>; shown: number } | undefined;
  return {
    onProgress(p) {
      if (current?.phase !== p.phase) {
        current?.bar.stop();
        current = { phase: p.phase, bar: progressBar(PHASES[p.phase], 20), shown: 0 };
      }
      const target = Math.floor((p.done / Math.max(1, p.total)) * 20);
      while (current.shown < target) {
        current.shown += 1;
        current.bar.tick(`${p.done}/${p.total}`);
      }
    },
    stop: () => current?.bar.stop(),
  };
}

/**
 * The city's day, told through its real parts: the back office set up over HTTP, residents
 * served at two counters, the terminals' service day uploaded to the gateway, the night's
 * clearing on the queue, and finance settling it the next morning.
 */
export async function runCityDay(
  deps: CityDayDeps,
  options: CityDayOptions,
): Promise<CityDayResult> {
  const { urls } = deps;
  let lap = Date.now();
  const say = (line: string): void => {
    const now = Date.now();
    deps.say(`${line} (${((now - lap) / 1000).toFixed(1)} s)`);
    lap = now;
  };
  await withTransaction(deps.pools.issuance, (tx) =>
    initMasterKeys(tx, deps.cardKeyKek, { now: new Date(), note: 'demo city' }),
  );
  const city = await seedCity(urls, deps.pools);
  say(
    `city seeded: ${city.operators.length} operators, ${Object.keys(city.enrolmentTokens).length} terminals with enrolment tokens, ${city.staff.clerks.length + 4} staff, a branch with ${city.staff.clerks.length} counters`,
  );

  const bar = progressBar(`  ${city.staff.clerks.length} counters`, Math.min(options.cards, 20));
  let shown = 0;
  const counter = await counterDay(
    urls,
    city.staff.admin,
    city.staff.clerks,
    {
      cards: options.cards,
      onCard: (done, total) => {
        while (shown < Math.floor((done / total) * Math.min(total, 20))) {
          shown += 1;
          bar.tick(`${done}/${total}`);
        }
      },
    },
    deps.log,
  );
  bar.stop();
  try {
    say(
      `counters: ${counter.cards.length} residents registered, cards personalised through the reader agents and topped up (${Object.entries(
        counter.products,
      )
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}), ${counter.loads} loaded`,
    );
    // The terminals' SAMs carry the issuer's keys: loaded here from the key store, standing in for
    // the key ceremony that fills real SAMs. They never leave this process.
    const masterKeys = await loadMasterKeySet(deps.pools.issuance, deps.cardKeyKek, 1);
    const clerk = city.staff.clerks[0]?.session;
    const byNumber = new Map(counter.cards.map((c, i) => [c.cardNumber, counter.cardIds[i] ?? '']));
    let lostCardNumber: string | undefined;
    let night: NightlyJobResult | undefined;
    const bars = phaseBars();
    let day: SimulationSummary;
    try {
      ({ summary: day } = await simulateDay({
        seed: options.seed,
        day: options.serviceDay,
        cards: counter.cards.length,
        issuedCards: counter.cards,
        masterKeys,
        events: options.events,
        offlineSharePercent: 10,
        uploadEveryMinutes: 30,
        terminalKeys: 'enrol',
        gateway: {
          kind: 'remote',
          url: urls.gateway,
          enrolmentTokens: { terminals: city.enrolmentTokens },
          reportLost: async ({ cardNumber }) => {
            lostCardNumber = cardNumber;
            await call(
              urls.issuance,
              'POST',
              `/cards/${byNumber.get(cardNumber) ?? ''}/report-lost`,
              clerk,
              {
                reason: 'reported lost by phone',
              },
            );
          },
        },
        lostCard: { at: '10:00' },
        clonedCard: { at: '12:00' },
        wrongMacKeyTerminal: true,
        clock: deps.clock.now,
        onProgress: (p) => bars.onProgress(p),
        onOutcome: (event) => deps.clock.advanceTo(event.at),
        beforeLateUploads: async () => {
          bars.stop();
          // The night passes: the offline terminals reach the gateway after the cut-off.
          deps.clock.advanceTo(
            new Date(Date.parse(`${options.serviceDay}T05:00:00+08:00`) + 24 * 3600_000),
          );
          const posted = await deps.beforeClearing?.();
          if (posted !== undefined) say(posted);
          night = await nightlyClearing(deps.queues, 600_000);
          say(
            `nightly clearing job for ${night.day}: run ${night.status}, ${night.exceptions ?? 0} reconciliation exceptions`,
          );
        },
      }));
    } finally {
      bars.stop();
    }
    if (night === undefined) throw new Error('the day ended without its clearing run');
    const [runner, approver] = city.staff.finance;
    const settlement = await settle(urls.clearing, night.runId, approver, runner);
    return { city, counter, day, night, settlement, lostCardNumber };
  } finally {
    await counter.close();
  }
}
