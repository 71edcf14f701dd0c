import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seal } from '@citycard/core/crypto';
import { PROTOCOL_PATHS } from '@citycard/terminal-sdk/protocol';
import { macKeyAad } from '../terminals/index.js';
import {
  TestTerminal,
  startGatewayTestApp,
  type GatewayTestApp,
  type TestCard,
} from '../testing/index.js';

let gw: GatewayTestApp;
let card: TestCard;

beforeAll(async () => {
  gw = await startGatewayTestApp();
  card = await gw.addCard();
});
afterAll(async () => {
  await gw.close();
});

// The terminal row and its opened key are kept in memory for a moment after each request: these
// show that a change to the row still stops the very next upload.
describe('a terminal known from a recent request', () => {
  it('is refused as soon as it is disabled, and nothing is written', async () => {
    const terminal = await gw.addTerminal();
    const first = await gw.postBatch(terminal.batch(terminal.records(card, 2)), terminal);
    expect(first.statusCode, first.body).toBe(200);
    await gw.db.query(`UPDATE terminals SET status = 'disabled' WHERE id = $1`, [
      terminal.credentials.id,
    ]);
    const before = await gw.counts();
    const batch = await gw.postBatch(terminal.batch(terminal.records(card, 2)), terminal);
    expect(batch.statusCode).toBe(403);
    expect(batch.json()).toMatchObject({ code: 'TERMINAL_DISABLED' });
    const single = await gw.post(
      PROTOCOL_PATHS.transactions,
      terminal.record(card),
      terminal.credentials,
    );
    expect(single.statusCode).toBe(403);
    expect(await gw.counts()).toEqual(before);
  });

  it('takes a new MAC key at once and refuses the old one', async () => {
    const terminal = await gw.addTerminal();
    const first = await gw.post(
      PROTOCOL_PATHS.transactions,
      terminal.record(card),
      terminal.credentials,
    );
    expect(first.statusCode, first.body).toBe(200);
    const macKey = randomBytes(16);
    const { id } = terminal.credentials;
    await gw.db.query('UPDATE terminals SET mac_key_sealed = $2 WHERE id = $1', [
      id,
      seal(macKey, gw.deps.macKeyKek, macKeyAad(id)),
    ]);
    const renewed = new TestTerminal({ ...terminal.credentials, macKey }, () => gw.deps.clock());
    renewed.sequence = terminal.sequence;
    const before = await gw.counts();
    const old = await gw.post(
      PROTOCOL_PATHS.transactions,
      terminal.record(card, { sequence: terminal.sequence + 5 }),
      terminal.credentials,
    );
    expect(old.statusCode).toBe(401);
    expect(await gw.counts()).toEqual(before);
    const res = await gw.post(
      PROTOCOL_PATHS.transactions,
      renewed.record(card),
      renewed.credentials,
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ outcome: { sequence: 2, outcome: 'accepted' } });
  });
});
