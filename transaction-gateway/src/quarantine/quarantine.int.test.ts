import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransactionRecord } from '@citycard/terminal-sdk/protocol';
import {
  startGatewayTestApp,
  type GatewayTestApp,
  type TestStaff,
  type TestTerminal,
} from '../testing/index.js';
import type { Decision } from './quarantine.schemas.js';

let gw: GatewayTestApp;
let terminal: TestTerminal;
let maker: TestStaff;
let checker: TestStaff;

beforeAll(async () => {
  gw = await startGatewayTestApp();
  terminal = await gw.addTerminal();
  maker = await gw.staff(['finance']);
  checker = await gw.staff(['finance']);
});
afterAll(async () => {
  await gw.close();
});

/** A record for a card issuance does not know: stored, quarantined UNKNOWN_CARD. */
async function quarantinedRecord(): Promise<TransactionRecord> {
  const stranger = { cardNumber: '3100777777777777', uid: 'ABCDEF01', productCode: 'standard' };
  const record = terminal.record(stranger);
  const res = await gw.postBatch(terminal.batch([record]), terminal);
  expect(res.json()).toMatchObject({ quarantined: 1 });
  return record;
}

const propose = (r: TransactionRecord, who: TestStaff, action: 'release' | 'reject') =>
  gw.app.inject({
    method: 'POST',
    url: `/v1/quarantine/${r.terminalId}/${r.sequence}/decisions`,
    headers: who.headers,
    payload: { action, note: 'Card confirmed with issuance' },
  });

const approve = (id: string, who: TestStaff) =>
  gw.app.inject({
    method: 'POST',
    url: `/v1/quarantine/decisions/${id}/approve`,
    headers: who.headers,
  });

async function statusOf(r: TransactionRecord): Promise<string | undefined> {
  const { rows } = await gw.db.query<{ status: string }>(
    'SELECT status FROM transactions WHERE terminal_id = $1 AND sequence = $2',
    [r.terminalId, r.sequence],
  );
  return rows[0]?.status;
}

describe('quarantine review (maker-checker)', () => {
  it('lists quarantined records for finance and auditors only', async () => {
    const record = await quarantinedRecord();
    const auditor = await gw.staff(['auditor']);
    const list = await gw.app.inject({
      method: 'GET',
      url: `/v1/quarantine?terminalId=${terminal.credentials.id}`,
      headers: auditor.headers,
    });
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json<{ records: unknown[] }>().records).toContainEqual(
      expect.objectContaining({
        sequence: record.sequence,
        reason: 'UNKNOWN_CARD',
        openDecision: null,
      }),
    );
    const clerk = await gw.staff(['clerk']);
    const refused = await gw.app.inject({
      method: 'GET',
      url: '/v1/quarantine',
      headers: clerk.headers,
    });
    expect(refused.statusCode).toBe(403);
    expect((await propose(record, auditor, 'release')).statusCode).toBe(403);
    expect((await gw.app.inject({ method: 'GET', url: '/v1/quarantine' })).statusCode).toBe(401);
  });

  it('releases a record only when a second finance user approves, with an audit trail', async () => {
    const record = await quarantinedRecord();
    const proposed = await propose(record, maker, 'release');
    expect(proposed.statusCode, proposed.body).toBe(201);
    const decision = proposed.json<Decision>();
    expect(decision).toMatchObject({
      action: 'release',
      proposedBy: maker.username,
      approvedAt: null,
    });

    const second = await propose(record, checker, 'reject');
    expect(second.json()).toMatchObject({ code: 'QUARANTINE_PROPOSAL_OPEN' });

    const own = await approve(decision.id, maker);
    expect(own.statusCode).toBe(403);
    expect(own.json()).toMatchObject({ code: 'QUARANTINE_SELF_APPROVAL' });
    expect(await statusOf(record)).toBe('quarantined');

    const approved = await approve(decision.id, checker);
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ approvedBy: checker.username });
    expect(await statusOf(record)).toBe('released');
    const { rows: counted } = await gw.db.query<{ released: boolean }>(
      `SELECT released FROM accepted_transactions_contract WHERE terminal_id = $1 AND sequence = $2`,
      [record.terminalId, record.sequence],
    );
    expect(counted).toEqual([{ released: true }]);

    const { rows: audit } = await gw.db.query<{ action: string; actor_username: string }>(
      `SELECT action, actor_username FROM audit_events WHERE subject = $1 ORDER BY id`,
      [`transaction:${record.terminalId}/${record.sequence}`],
    );
    expect(audit).toEqual([
      { action: 'quarantine.propose', actor_username: maker.username },
      { action: 'quarantine.approve', actor_username: checker.username },
    ]);
    expect((await approve(decision.id, checker)).json()).toMatchObject({
      code: 'QUARANTINE_PROPOSAL_NOT_FOUND',
    });
    expect((await propose(record, maker, 'reject')).json()).toMatchObject({
      code: 'QUARANTINE_NOT_OPEN',
    });
  });

  it('rejects a record: kept as evidence, never counted', async () => {
    const record = await quarantinedRecord();
    const decision = (await propose(record, checker, 'reject')).json<Decision>();
    expect((await approve(decision.id, maker)).statusCode).toBe(200);
    expect(await statusOf(record)).toBe('rejected');
    const { rows } = await gw.db.query(
      `SELECT 1 FROM accepted_transactions_contract WHERE terminal_id = $1 AND sequence = $2`,
      [record.terminalId, record.sequence],
    );
    expect(rows).toHaveLength(0);
  });

  it('refuses decisions on accepted or unknown records', async () => {
    const card = await gw.addCard();
    const record = terminal.record(card);
    await gw.postBatch(terminal.batch([record]), terminal);
    expect((await propose(record, maker, 'reject')).json()).toMatchObject({
      code: 'QUARANTINE_NOT_OPEN',
    });
    const missing = { ...record, sequence: 999_999 };
    expect((await propose(missing, maker, 'reject')).statusCode).toBe(404);
  });

  it('keeps stored records unchangeable in the database itself', async () => {
    const record = await quarantinedRecord();
    await expect(
      gw.db.query(`UPDATE transactions SET amount = 0 WHERE terminal_id = $1 AND sequence = $2`, [
        record.terminalId,
        record.sequence,
      ]),
    ).rejects.toThrow(/append-only/);
    await expect(
      gw.db.query(`DELETE FROM transactions WHERE terminal_id = $1`, [record.terminalId]),
    ).rejects.toThrow(/append-only/);
    await expect(
      gw.db.query(
        `UPDATE transactions SET status = 'accepted', reason = NULL
                    WHERE terminal_id = $1 AND sequence = $2`,
        [record.terminalId, record.sequence],
      ),
    ).rejects.toThrow(/append-only/);
  });
});
