import { EMPTY_TRANSIT_STATE, type TransitState } from '@citycard/core/card';

/**
 * What the engine remembers about a rider between taps: exactly the transit state the card
 * carries (blocks 12–14), so the card is the only place it lives. Times are unix seconds, days
 * count from 2000-01-01, money is int32 fen, codes are the fare set's u16 codes (0 = none).
 */
export type RiderState = TransitState;

export const EMPTY_RIDER_STATE: RiderState = EMPTY_TRANSIT_STATE;
