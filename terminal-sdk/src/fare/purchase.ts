import { AppError } from '@citycard/core/errors';
import type { Amount } from '@citycard/core/money';
import { fareIndex } from './fare-index.js';
import type { FareSet } from './fare-set.schema.js';
import type { RiderState } from './rider-state.js';
import { unixSeconds } from './time.js';

export interface PurchaseInput {
  at: Date;
  operatorId: string;
  shopId: string;
  /** What the shop charges; the fare set does not price purchases. */
  amount: Amount;
  state: RiderState;
}

/**
 * A shop purchase: checked against the fare set's shops, priced by the shop. It only moves the
 * card's last tap; transfers, daily spend and open journeys are transit matters.
 */
export function pricePurchase(
  set: FareSet,
  input: PurchaseInput,
): { type: 'purchase'; amount: Amount; nextState: RiderState } {
  const ix = fareIndex(set);
  const shop = ix.shops.get(input.shopId);
  const operator = ix.operators.get(input.operatorId);
  if (shop === undefined || operator === undefined || shop.operatorId !== operator.operatorId) {
    throw new AppError('FARE_TAP_INVALID', {
      message: 'Unknown shop for this operator',
      details: { shopId: input.shopId },
    });
  }
  if (!input.amount.isPositive()) {
    throw new AppError('FARE_TAP_INVALID', { message: 'A purchase amount must be positive' });
  }
  const at = unixSeconds(input.at);
  const lastTap = {
    at,
    operatorId: operator.code,
    routeId: 0,
    stopId: 0,
    direction: 0 as const,
    kind: 'purchase' as const,
    fareFen: input.amount.toInt32Fen(),
  };
  return { type: 'purchase', amount: input.amount, nextState: { ...input.state, lastTap } };
}
