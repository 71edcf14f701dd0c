import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { insertTransfer, type TransferRow } from './balance-transfer.js';
import { applyCommand } from './card-command.js';
import type { ActionContext } from './card-context.js';
import { bindToHolder } from './card-issue.js';
import { lockCardAndUid, writeReplaced, type CardRow } from './card.repository.js';
import { canApply, transition } from './lifecycle.js';
import { getProduct } from './product.repository.js';

export interface ReplaceInput {
  readonly newUid: string;
  readonly reason: string;
}

export interface ReplaceSettings {
  readonly cityCode: string;
  readonly replacementHoldDays: number;
}

export interface Replacement {
  readonly replaced: CardRow;
  readonly replacement: CardRow;
  readonly transfer: TransferRow;
}

/**
 * Issues a stock card to the same holder with the same product and deposit (no cash moves), and
 * retires the old card onto the hotlist. Its shadow balance stays behind for the hold period:
 * offline terminals may still post taps made before the hotlist reached them.
 */
export async function replaceCard(
  tx: Queryable,
  ctx: ActionContext,
  settings: ReplaceSettings,
  cardId: string,
  input: ReplaceInput,
): Promise<Replacement> {
  const { card: old, byUid: blank } = await lockCardAndUid(tx, cardId, input.newUid);
  transition(old.state, 'replace');
  if (!canApply(blank.state, 'issue')) {
    throw new AppError('CARD_TRANSITION_ILLEGAL', {
      message: 'The replacement card must be a blank card from stock',
      details: { from: blank.state, command: 'issue', card: 'replacement' },
    });
  }
  if (old.productCode === null || old.cardholderId === null) {
    throw new Error('an issued card without product or holder');
  }
  const product = await getProduct(tx, old.productCode);
  const replacement = await bindToHolder(tx, ctx, settings.cityCode, blank, {
    product,
    cardholderId: old.cardholderId,
    deposit: old.deposit,
    replaces: old.id,
  });
  const transfer = await insertTransfer(
    tx,
    old.id,
    replacement.id,
    settings.replacementHoldDays,
    ctx.now,
  );
  const replaced = await applyCommand(tx, old, 'replace', ctx, {
    reason: input.reason,
    write: () => writeReplaced(tx, old.id, replacement.id, ctx.now),
    audit: { replacedBy: replacement.id, transferId: transfer.id },
  });
  return { replaced, replacement, transfer };
}
