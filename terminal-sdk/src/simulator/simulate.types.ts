import type { MasterKeySet } from '@citycard/core/card';
import type { FareSet } from '../fare/index.js';
import type { TapOutcome } from '../tap/index.js';
import type { TerminalSpec } from './city.js';
import type { SimulatedCard } from './sim-cards.js';
import type { SimEvent } from './scenario.js';
import type { SimGatewayOption, TerminalKeyMode } from './sim-gateway.js';

/** A time of the service day, HH:MM in the fare set's local time (+08:00 for the sample city). */
export type ClockTime = string;

export interface SimProgress {
  readonly phase: 'cards' | 'terminals' | 'day' | 'late_uploads';
  readonly done: number;
  readonly total: number;
}

export interface SimulateDayOptions {
  readonly seed: string | number;
  /** The service day, YYYY-MM-DD. */
  readonly day: string;
  /** Cards the simulator issues (ignored when `issuedCards` is given). */
  readonly cards: number;
  /**
   * Cards issued elsewhere (at a counter, with the issuer's keys: pass `masterKeys` too), so
   * that the back office knows them; indexes 0, 1, 2, … in order.
   */
  readonly issuedCards?: readonly SimulatedCard[];
  /** About how many taps and purchases the day should have. */
  readonly events: number;
  /** Percent of terminals offline all day, uploading only after the cut-off (default 10). */
  readonly offlineSharePercent?: number;
  /** Online terminals upload and sync the hotlist every this many simulated minutes (30). */
  readonly uploadEveryMinutes?: number;
  /** Gateway outages: no terminal reaches the gateway between from and to. */
  readonly outages?: readonly { readonly from: ClockTime; readonly to: ClockTime }[];
  readonly batchSize?: number;
  readonly vehiclesPerRoute?: number;
  readonly missingTapOutPerMille?: number;
  /** Default: the built-in test gateway, started in this process. */
  readonly gateway?: SimGatewayOption;
  /** Default 'enrol'. */
  readonly terminalKeys?: TerminalKeyMode;
  /** Journals and credentials; default a temporary directory removed at the end. */
  readonly workDir?: string;
  readonly fareSet?: FareSet;
  /** Default: test master keys from the seed (simulatorMasterKeys). */
  readonly masterKeys?: MasterKeySet;
  /** A card reported lost: hotlisted at `at`, blocked by terminals that sync after that. */
  readonly lostCard?: { readonly card?: number; readonly at: ClockTime };
  /** A copy of a card's memory taken at `at`; from then on the copies take its taps by turns. */
  readonly clonedCard?: { readonly card?: number; readonly at: ClockTime };
  /** A terminal holding a MAC key the gateway does not know (true: one picked from the seed). */
  readonly wrongMacKeyTerminal?: string | true;
  /** Taps in flight at once (different terminals and cards; each terminal and card in order). */
  readonly concurrency?: number;
  /**
   * The terminals' clock for requests and batch times (default real time). A caller that runs
   * the gateway on the simulated day gives both the same clock, so request signatures agree.
   */
  readonly clock?: () => Date;
  /** Runs after the online terminals' last upload, before the offline ones upload late. */
  readonly beforeLateUploads?: () => Promise<void>;
  readonly onProgress?: (progress: SimProgress) => void;
  readonly onOutcome?: (event: SimEvent, outcome: TapOutcome, terminalId: string) => void;
}

/** What the options decide before any card is tapped. */
export interface DayPlan {
  readonly specs: TerminalSpec[];
  readonly events: SimEvent[];
  readonly offline: Set<string>;
  readonly wrongKey: string | undefined;
}
