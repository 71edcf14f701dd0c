import {
  PROTOCOL_PATHS,
  singleReceiptSchema,
  type SingleReceipt,
  type TransactionRecord,
} from '../protocol/index.js';
import { AppError } from '@citycard/core/errors';
import type { GatewayClient } from './gateway-client.js';

/**
 * An online terminal's immediate send of one journaled record. The record stays in the journal:
 * the next batch carries it again and the gateway answers it as a duplicate, so a lost answer here
 * costs nothing.
 */
export async function sendOnline(
  client: GatewayClient,
  record: TransactionRecord,
): Promise<SingleReceipt> {
  const { data } = await client.request('POST', PROTOCOL_PATHS.transactions, singleReceiptSchema, {
    body: record,
  });
  if (data?.outcome.sequence !== record.sequence) {
    throw new AppError('GATEWAY_RESPONSE_INVALID', {
      message: 'The receipt is for another record',
    });
  }
  return data;
}
