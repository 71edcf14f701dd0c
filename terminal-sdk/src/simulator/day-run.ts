import { VirtualClassicCard } from '@citycard/core/card';
import { isAppError } from '@citycard/core/errors';
import { Amount } from '@citycard/core/money';
import type { FareSet } from '../fare/index.js';
import {
  performTap,
  type CardKeySource,
  type TapOutcome,
  type TerminalContext,
} from '../tap/index.js';
import type { SimEvent } from './scenario.js';
import type { SimulatedCard } from './sim-cards.js';
import type { SimGateway } from './sim-gateway.js';
import { OutcomeTally } from './sim-summary.js';
import {
  journalLeftover,
  syncTerminal,
  uploadTerminal,
  type SimTerminal,
  type UploadPhase,
} from './sim-terminal.js';
import type { SimulateDayOptions } from './simulate.types.js';
import { TapScheduler } from './tap-scheduler.js';

const MINUTE = 60_000;

export interface LostCardState {
  readonly card: number;
  readonly at: number;
  reportedAt: number | null;
  blockedAt: number | null;
  blockedBy: string | null;
  chargedAfterReport: number;
  refusedAfterBlock: number;
}

export interface ClonedCardState {
  readonly card: number;
  readonly at: number;
  copy: VirtualClassicCard | null;
  clonedAt: number | null;
  turns: number;
  originalTaps: number;
  cloneTaps: number;
}

export interface DayRunInput {
  readonly options: SimulateDayOptions;
  readonly fareSet: FareSet;
  readonly sam: CardKeySource;
  readonly gateway: SimGateway;
  readonly cards: readonly SimulatedCard[];
  readonly terminals: ReadonlyMap<string, SimTerminal>;
  readonly events: readonly SimEvent[];
  readonly outages: readonly { from: number; to: number }[];
  readonly lost: LostCardState | null;
  readonly cloned: ClonedCardState | null;
}

async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function contextOf(e: SimEvent, ref: number): TerminalContext {
  const at = <K extends string, V>(k: K, v: V | undefined) => (v === undefined ? {} : { [k]: v });
  switch (e.kind) {
    case 'purchase':
      return {
        operatorId: e.operatorId,
        location: { ...at('shopId', e.shopId) },
        mode: 'purchase',
        purchaseAmount: Amount.fromFen(BigInt(e.amountFen ?? 0)),
        terminalRef: ref,
      };
    case 'bus':
    case 'metro_entry':
    case 'metro_exit':
      return {
        operatorId: e.operatorId,
        location: {
          ...at('routeId', e.routeId),
          ...at('stopId', e.stopId),
          ...at('direction', e.direction),
          ...at('vehicleId', e.vehicleId),
        },
        mode: e.kind === 'bus' ? 'flat' : e.kind === 'metro_entry' ? 'entry' : 'exit',
        terminalRef: ref,
      };
  }
}

/** The service day: taps in time order, uploads and hotlist syncs on the simulated clock. */
export class DayRun {
  readonly tally = new OutcomeTally();
  readonly #in: DayRunInput;
  readonly #scheduler: TapScheduler;
  readonly #every: number;
  #done = 0;

  constructor(input: DayRunInput) {
    this.#in = input;
    this.#scheduler = new TapScheduler(input.options.concurrency ?? 64);
    this.#every = (input.options.uploadEveryMinutes ?? 30) * MINUTE;
  }

  /** Every terminal syncs before the day starts; the offline ones then lose the gateway. */
  async start(): Promise<void> {
    await eachLimited([...this.#in.terminals.values()], 8, syncTerminal);
  }

  async runEvents(): Promise<void> {
    const { events } = this.#in;
    const first = events[0]?.at.getTime() ?? 0;
    let nextTick = Math.floor(first / this.#every) * this.#every + this.#every;
    for (const e of events) {
      if (e.at.getTime() >= nextTick) {
        await this.#scheduler.drain();
        while (nextTick <= e.at.getTime()) {
          await this.#tick(nextTick);
          nextTick += this.#every;
        }
      }
      await this.#schedule(e);
    }
    await this.#scheduler.drain();
    // The end of the service day: the online terminals' last upload.
    await this.#tick((events.at(-1)?.at.getTime() ?? first) + MINUTE);
  }

  /** After the cut-off: what is still in a journal (the offline terminals') goes up late. */
  async lateUploads(): Promise<void> {
    const late = [...this.#in.terminals.values()].filter(
      (t) => t.offline || journalLeftover(t) > 0,
    );
    let done = 0;
    await eachLimited(late, 8, async (t) => {
      await uploadTerminal(t, 'late');
      this.#in.options.onProgress?.({ phase: 'late_uploads', done: ++done, total: late.length });
    });
  }

  async #tick(at: number): Promise<void> {
    const { lost, gateway } = this.#in;
    if (lost && lost.reportedAt === null && at >= lost.at) {
      const card = this.#in.cards[lost.card];
      if (card)
        await gateway.reportLost({ cardNumber: card.cardNumber, uid: card.uid, reason: 'LOST' });
      lost.reportedAt = at;
    }
    if (this.#in.outages.some((o) => at >= o.from && at < o.to)) return;
    const online = [...this.#in.terminals.values()].filter((t) => !t.offline);
    await eachLimited(online, 8, async (t) => {
      await uploadTerminal(t, 'day' satisfies UploadPhase);
      await syncTerminal(t);
    });
  }

  async #schedule(e: SimEvent): Promise<void> {
    const terminal = this.#in.terminals.get(e.terminal);
    const card = this.#in.cards[e.card];
    if (!terminal || !card) throw new Error(`The scenario names an unknown terminal or card`);
    const { cloned } = this.#in;
    let route: 'plain' | 'snapshot' | 'original' | 'copy' = 'plain';
    if (cloned?.card === e.card && e.at.getTime() >= cloned.at) {
      route = cloned.turns === 0 ? 'snapshot' : cloned.turns % 2 === 1 ? 'copy' : 'original';
      cloned.turns += 1;
    }
    await this.#scheduler.schedule([`t:${e.terminal}`, `c:${e.card}`], async () => {
      if (route === 'snapshot' && cloned) {
        // What a cloner does with cracked Crypto-1 keys: copy every block to a second chip.
        cloned.copy = VirtualClassicCard.fromImage(card.card.identity.uid, card.card.image());
        cloned.clonedAt = e.at.getTime();
      }
      if (cloned && route === 'copy') cloned.cloneTaps += 1;
      else if (cloned && route !== 'plain') cloned.originalTaps += 1;
      const chip = route === 'copy' && cloned?.copy ? cloned.copy : card.card;
      await this.#tap(e, terminal, chip);
    });
  }

  async #tap(e: SimEvent, t: SimTerminal, chip: VirtualClassicCard): Promise<void> {
    chip.present();
    try {
      const outcome = await performTap({
        card: chip,
        keys: this.#in.sam,
        hotlist: t.hotlist,
        fareSet: this.#in.fareSet,
        recorder: t.recorder,
        terminal: contextOf(e, t.spec.ref),
        now: e.at,
        pending: t.pending,
      });
      if (this.tally.add(outcome)) t.tally.records += 1;
      this.#trackLost(e, t, outcome);
      this.#in.options.onOutcome?.(e, outcome, t.terminalId);
    } catch (error) {
      // JOURNAL_FULL and the like: counted, the day goes on (a real terminal would stop selling).
      if (!isAppError(error)) throw error;
      this.tally.error(error.code);
    }
    this.#progress();
  }

  #progress(): void {
    this.#done += 1;
    const total = this.#in.events.length;
    if (this.#done === total || this.#done % Math.max(1, Math.floor(total / 200)) === 0) {
      this.#in.options.onProgress?.({ phase: 'day', done: this.#done, total });
    }
  }

  #trackLost(e: SimEvent, t: SimTerminal, outcome: TapOutcome): void {
    const { lost } = this.#in;
    if (lost?.card !== e.card) return;
    const at = e.at.getTime();
    if (outcome.status === 'blocked' && lost.blockedAt === null) {
      lost.blockedAt = at;
      lost.blockedBy = t.terminalId;
    }
    if (outcome.status === 'charged' && lost.reportedAt !== null && at >= lost.reportedAt) {
      lost.chargedAfterReport += 1;
    }
    if (outcome.status === 'refused' && outcome.reason === 'card_blocked') lost.refusedAfterBlock++;
  }
}
