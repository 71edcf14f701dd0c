import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayTestApp, type GatewayTestApp, type TestCard } from '../testing/index.js';

let gw: GatewayTestApp;
let card: TestCard;

beforeAll(async () => {
  gw = await startGatewayTestApp();
  card = await gw.addCard();
});
afterAll(async () => {
  await gw.close();
});

describe('the batch control contract views', () => {
  it('show each batch header as declared, its conflicts, and every stored record', async () => {
    const terminal = await gw.addTerminal();
    const [r1, r2] = terminal.records(card, 2);
    if (!r1 || !r2) throw new Error('two records');
    const first = terminal.batch([r1, r2]);
    expect((await gw.postBatch(first, terminal)).statusCode).toBe(200);
    // The same sequence again with other content: a conflict kept apart under batch 2.
    const changed = terminal.record(card, {
      sequence: r2.sequence,
      amount: '0.00',
      balanceAfter: r2.balanceBefore,
    });
    expect((await gw.postBatch(terminal.batch([changed]), terminal)).statusCode).toBe(200);
    const { rows: batches } = await gw.db.query(
      `SELECT batch_seq::int, record_count, amount_total::text, first_sequence::int,
              last_sequence::int, conflicts::int, received_at IS NOT NULL AS received
         FROM batch_controls_contract WHERE terminal_id = $1 ORDER BY batch_seq`,
      [terminal.credentials.id],
    );
    expect(batches).toEqual([
      {
        batch_seq: 1,
        record_count: 2,
        amount_total: first.amountTotal,
        first_sequence: r1.sequence,
        last_sequence: r2.sequence,
        conflicts: 0,
        received: true,
      },
      {
        batch_seq: 2,
        record_count: 1,
        amount_total: '0.00',
        first_sequence: r2.sequence,
        last_sequence: r2.sequence,
        conflicts: 1,
        received: true,
      },
    ]);
    const { rows: records } = await gw.db.query(
      `SELECT sequence::int, batch_seq::int, operator_id, amount::text, status,
              occurred_at IS NOT NULL AS occurred, to_char(business_day, 'YYYY-MM-DD') AS day
         FROM stored_records_contract WHERE terminal_id = $1 ORDER BY sequence`,
      [terminal.credentials.id],
    );
    const day = (records[0] as { day: string }).day;
    expect(records).toEqual(
      [r1, r2].map((r) => ({
        sequence: r.sequence,
        batch_seq: 1,
        operator_id: 'jiangbei-bus',
        amount: r.amount,
        status: 'accepted',
        occurred: true,
        day,
      })),
    );
  });
});
