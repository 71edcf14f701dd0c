import { loadMasterKeySet } from '@citycard/card-issuance/keys';
import {
  SHADOW_POSTING_JOB,
  SHADOW_POSTING_QUEUE,
  type ShadowPostingJobResult,
} from '@citycard/card-issuance/shadow-posting';
import { call, type SeededCity } from '@citycard/cli/demo';
import { clearingSettingsFromEnv } from '@citycard/clearing';
import { CLEARING_QUEUE, enqueueClearingRun, type NightlyJobResult } from '@citycard/clearing/jobs';
import type { QueueFactory } from '@citycard/core/queue';
import type { TransactionRecord } from '@citycard/terminal-sdk/protocol';
import { simulateDay, type SimulationSummary } from '@citycard/terminal-sdk/simulator';
import type { CityClocks } from './clocks.js';
import type { CounterMorning } from './counter.js';
import { recordKey, type Stored } from './planted.js';
import type { CityStack } from './stack.js';

/** What the gateway held when the nightly job had run, before the late uploads. */
export interface AtTheRun {
  readonly night: NightlyJobResult;
  /** Whether the worker posted the day's records to issuance's shadow balances. */
  readonly shadowPosted: boolean;
  /** Σ issuance's shadow balances then. */
  readonly shadowTotal: string;
  /** Every record the gateway then held: "terminal/sequence" → status and reason. */
  readonly stored: ReadonlyMap<string, Stored>;
}

export interface TerminalDay {
  readonly summary: SimulationSummary;
  /** Every record a terminal journaled, in the order the taps finished. */
  readonly records: readonly TransactionRecord[];
  readonly lostCard: { readonly cardNumber: string; readonly hotlistedAt: Date } | undefined;
  readonly atRun: AtTheRun;
}

/** Adds a job and waits for its result; undefined when no worker finished it in time. */
async function runJob<R>(
  queues: QueueFactory,
  queueName: string,
  add: () => Promise<string>,
  timeoutMs: number,
): Promise<R | undefined> {
  const queue = queues.queue<unknown, R>(queueName);
  const id = await add();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const state = await queue.getJobState(id);
    if (state === 'completed') return (await queue.getJob(id))?.returnvalue;
    if (state === 'failed') {
      throw new Error(`job ${queueName}/${id} failed: ${(await queue.getJob(id))?.failedReason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return undefined;
}

/**
 * Asks the worker to post every accepted record to issuance's shadow balances, until a posting
 * drained them all (one held by a scheduled posting answers busy). False when no worker took it.
 */
async function postShadowDebits(queues: QueueFactory): Promise<boolean> {
  const queue = queues.queue(SHADOW_POSTING_QUEUE);
  for (let attempt = 0; attempt < 5; attempt++) {
    const result = await runJob<ShadowPostingJobResult>(
      queues,
      SHADOW_POSTING_QUEUE,
      async () => (await queue.add(SHADOW_POSTING_JOB, { full: true })).id ?? '',
      15_000,
    );
    if (result === undefined) return false;
    if (!result.busy && result.drained) return true;
  }
  return false;
}

/** The night, before the offline terminals come back: shadow posting, the nightly job, a snapshot. */
async function night(stack: CityStack): Promise<AtTheRun> {
  const { queues, pools } = stack;
  const shadowPosted = await postShadowDebits(queues);
  const nightly = await runJob<NightlyJobResult>(
    queues,
    CLEARING_QUEUE,
    () => enqueueClearingRun(queues, clearingSettingsFromEnv(), {}),
    120_000,
  );
  if (nightly === undefined) throw new Error('the nightly clearing job did not finish in time');
  const { rows } = await pools.gateway.query<{
    terminal_id: string;
    sequence: string;
    status: string;
    reason: string | null;
    received: string;
  }>(
    `SELECT terminal_id, sequence::text, status, reason,
            to_char(received_at, 'HH24:MI:SS.US') AS received
       FROM gateway.transactions`,
  );
  const shadow = await pools.issuance.query<{ total: string }>(
    'SELECT COALESCE(sum(balance), 0)::numeric(18,2)::text AS total FROM issuance.shadow_balances',
  );
  return {
    night: nightly,
    shadowPosted,
    shadowTotal: shadow.rows[0]?.total ?? '0.00',
    stored: new Map(
      rows.map((r) => [
        recordKey({ terminalId: r.terminal_id, sequence: r.sequence }),
        { status: r.status, reason: r.reason, received: r.received },
      ]),
    ),
  };
}

/** The lost card's owner phones the counter; the clerk reports it lost, and issuance hotlists it. */
function lostCardDesk(
  stack: CityStack,
  city: SeededCity,
  morning: CounterMorning,
): { report(card: { cardNumber: string }): Promise<void>; reported(): string | undefined } {
  const byNumber = new Map(morning.cards.map((c, i) => [c.cardNumber, morning.cardIds[i] ?? '']));
  const clerk = city.staff.clerks[0]?.session;
  let reported: string | undefined;
  return {
    async report({ cardNumber }) {
      reported = cardNumber;
      const id = byNumber.get(cardNumber) ?? '';
      await call(stack.urls.issuance, 'POST', `/cards/${id}/report-lost`, clerk, {
        reason: 'reported lost by phone',
      });
    },
    reported: () => reported,
  };
}

/**
 * The terminals' service day through the simulator: cards from the counter, terminals enrolled
 * with the city's tokens, a card reported lost at the counter, a cloned card, a terminal with a
 * wrong MAC key and offline terminals. The online terminals upload on the gateway's clock; then
 * the night clears the day, and the offline terminals reach a gateway past the cut-off.
 */
export async function terminalDay(
  stack: CityStack,
  city: SeededCity,
  morning: CounterMorning,
  clocks: CityClocks,
  options: { seed: string; events: number },
): Promise<TerminalDay> {
  const records: TransactionRecord[] = [];
  const lost = lostCardDesk(stack, city, morning);
  let atRun: AtTheRun | undefined;
  const { summary } = await simulateDay({
    seed: options.seed,
    day: clocks.day,
    cards: morning.cards.length,
    issuedCards: morning.cards,
    // The SAMs of the terminals hold the issuer's keys, as the key ceremony would fill them.
    masterKeys: await loadMasterKeySet(stack.pools.issuance, stack.kek, 1),
    events: options.events,
    vehiclesPerRoute: 1,
    offlineSharePercent: 15,
    uploadEveryMinutes: 30,
    terminalKeys: 'enrol',
    gateway: {
      kind: 'remote',
      url: stack.urls.gateway,
      enrolmentTokens: { terminals: city.enrolmentTokens },
      reportLost: (card) => lost.report(card),
    },
    lostCard: { at: clocks.lostAt },
    clonedCard: { at: '09:00' },
    wrongMacKeyTerminal: true,
    clock: stack.gatewayClock,
    onOutcome: (_event, outcome) => {
      if (outcome.status === 'charged' || outcome.status === 'blocked') {
        records.push(outcome.record);
      }
    },
    beforeLateUploads: async () => {
      atRun = await night(stack);
      await stack.gatewayPastCutoff();
    },
  });
  if (atRun === undefined) throw new Error('the day ended without its night');
  return { summary, records, lostCard: await hotlisted(stack, lost.reported()), atRun };
}

/** When issuance hotlisted the lost card: the instant the gateway compares records with. */
async function hotlisted(
  stack: CityStack,
  cardNumber: string | undefined,
): Promise<TerminalDay['lostCard']> {
  if (cardNumber === undefined) return undefined;
  // In milliseconds, as the gateway holds it once read.
  const { rows } = await stack.pools.issuance.query<{ ms: string }>(
    `SELECT floor(extract(epoch FROM created_at) * 1000)::bigint::text AS ms
       FROM issuance.hotlist_contract
      WHERE card_number = $1 AND action = 'add' ORDER BY version LIMIT 1`,
    [cardNumber],
  );
  const ms = rows[0]?.ms;
  if (ms === undefined) throw new Error('the lost card was never hotlisted');
  return { cardNumber, hotlistedAt: new Date(Number(ms)) };
}
