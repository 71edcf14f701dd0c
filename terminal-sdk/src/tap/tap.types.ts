import type { ClassicCardIo } from '@citycard/core/card';
import type { Amount } from '@citycard/core/money';
import type { FareSet } from '../fare/index.js';
import type { RecordLocation, RecordType, TransactionRecord } from '../protocol/index.js';
import type { TransactionRecorder } from '../recorder/index.js';
import type { HotlistView } from '../sync/index.js';
import type { PendingTap, PendingTapStore } from './pending-taps.js';
import type { CardKeySource } from './soft-sam.js';

export type TerminalMode = 'flat' | 'entry' | 'exit' | 'purchase';

export interface TerminalContext {
  operatorId: string;
  location: RecordLocation;
  mode: TerminalMode;
  /** The shop's amount, for mode 'purchase'. */
  purchaseAmount?: Amount;
  /** Written into the card's history entry (u16); 0 when the terminal has none. */
  terminalRef?: number;
}

export interface PerformTapInput {
  card: ClassicCardIo;
  keys: CardKeySource;
  hotlist: HotlistView;
  fareSet: FareSet;
  recorder: TransactionRecorder;
  terminal: TerminalContext;
  now: Date;
  /** Taps whose outcome the card must settle; without one, a torn commit cannot be resumed. */
  pending?: PendingTapStore;
  /** false refuses before anything is written, e.g. when the journal is (nearly) full. */
  canRecord?: () => boolean;
}

export type RefusalReason =
  | 'card_unreadable'
  | 'card_blocked'
  | 'card_expired'
  | 'purse_invalid'
  | 'insufficient_balance'
  | 'purse_full'
  | 'fare_not_found'
  | 'tap_invalid'
  | 'terminal_not_ready';

export type TapOutcome =
  /** Purse, transit state and history written, the record durable. */
  | {
      status: 'charged';
      type: RecordType;
      amount: Amount;
      balanceAfter: Amount;
      record: TransactionRecord;
      /** An earlier torn tap of this card, settled now instead of charging again. */
      resumed: boolean;
      /** false when the card left after the purse commit: the pending store finishes it. */
      cardComplete: boolean;
    }
  /** Hotlisted: the card is now blocked and the block recorded. */
  | { status: 'blocked'; record: TransactionRecord }
  /** Nothing written, nothing recorded. */
  | { status: 'refused'; reason: RefusalReason; balance?: Amount }
  /** The card left before the purse commit: nothing changed; tap again. */
  | { status: 'card_removed' }
  /**
   * The card left during the commit write (whether it reached the card is unknown), or the
   * recorder failed after it: kept in the pending store, settled when the card comes back
   * (or, for a known commit, by recordCommittedPending at the next start).
   */
  | { status: 'record_pending'; pending: PendingTap; errorCode: string };
