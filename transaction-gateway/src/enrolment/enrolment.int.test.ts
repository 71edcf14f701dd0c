import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyAndCsr, verifyCertificate, type KeyAndCsr } from '@citycard/core/crypto';
import {
  PROTOCOL_PATHS,
  enrolmentResponseSchema,
  unwrapMacKey,
  type Receipt,
} from '@citycard/terminal-sdk/protocol';
import { startGatewayTestApp, TestTerminal, type GatewayTestApp } from '../testing/index.js';

let gw: GatewayTestApp;
let keys: KeyAndCsr;
let otherKeys: KeyAndCsr;

beforeAll(async () => {
  gw = await startGatewayTestApp();
  keys = createKeyAndCsr({ commonName: 'bus validator' });
  otherKeys = createKeyAndCsr({ commonName: 'another device' });
});
afterAll(async () => {
  await gw.close();
});

const enrol = (token: string, csrPem: string) =>
  gw.app.inject({
    method: 'POST',
    url: PROTOCOL_PATHS.enrol,
    payload: { v: 1, token, csrPem, device: { model: 'V9', serial: 'SN-1' } },
  });

describe('enrolment', () => {
  it('signs the CSR, hands over a wrapped MAC key, and the terminal can post with it', async () => {
    const { terminalId, token } = await gw.addEnrolmentToken();
    const res = await enrol(token, keys.csrPem);
    expect(res.statusCode, res.body).toBe(201);
    const answer = enrolmentResponseSchema.parse(res.json());
    expect(answer).toMatchObject({ terminalId, operatorId: 'jiangbei-bus' });
    const cert = verifyCertificate({
      certPem: answer.certificatePem,
      caCertPem: answer.caCertificatePem,
    });
    expect(cert).toMatchObject({ role: 'terminal', subjectId: terminalId });
    const macKey = unwrapMacKey(keys.keyPem, answer.macKeyWrapped);
    const { rows } = await gw.db.query<{ status: string }>(
      'SELECT status FROM terminals WHERE id = $1',
      [terminalId],
    );
    expect(rows[0]?.status).toBe('enrolled');

    const terminal = new TestTerminal(
      { id: terminalId, operatorId: answer.operatorId, macKeyId: answer.macKeyId, macKey },
      gw.deps.clock,
    );
    const card = await gw.addCard();
    const posted = await gw.postBatch(terminal.batch(terminal.records(card, 2)), terminal);
    expect(posted.statusCode, posted.body).toBe(200);
    expect(posted.json<Receipt>().accepted).toBe(2);
  });

  it('answers the same enrolment to the same token and CSR, and refuses another CSR', async () => {
    const { token } = await gw.addEnrolmentToken();
    const first = enrolmentResponseSchema.parse((await enrol(token, keys.csrPem)).json());
    const retry = await enrol(token, keys.csrPem);
    expect(retry.statusCode).toBe(201);
    const again = enrolmentResponseSchema.parse(retry.json());
    expect(again.certificatePem).toBe(first.certificatePem);
    expect(again.macKeyId).toBe(first.macKeyId);
    expect(unwrapMacKey(keys.keyPem, again.macKeyWrapped)).toEqual(
      unwrapMacKey(keys.keyPem, first.macKeyWrapped),
    );
    const other = await enrol(token, otherKeys.csrPem);
    expect(other.statusCode).toBe(401);
    expect(other.json()).toMatchObject({ code: 'ENROLMENT_TOKEN_INVALID' });
  });

  it('refuses unknown, expired and wrong-operator tokens, and disabled operators', async () => {
    const unknown = await enrol('x'.repeat(32), keys.csrPem);
    expect(unknown.json()).toMatchObject({ code: 'ENROLMENT_TOKEN_INVALID' });

    const expired = await gw.addEnrolmentToken({ ttlSeconds: 60 });
    gw.advanceClock(120);
    try {
      expect((await enrol(expired.token, keys.csrPem)).statusCode).toBe(401);
    } finally {
      gw.advanceClock(-120);
    }

    // A token scoped to another operator than the terminal's.
    await gw.addOperator('lakeside-bus');
    const wrong = await gw.addEnrolmentToken();
    await gw.db.query(
      `UPDATE enrolment_tokens SET operator_id = 'lakeside-bus' WHERE terminal_id = $1`,
      [wrong.terminalId],
    );
    expect((await enrol(wrong.token, keys.csrPem)).json()).toMatchObject({
      code: 'ENROLMENT_TOKEN_INVALID',
    });

    await gw.addOperator('closed-metro');
    const closed = await gw.addEnrolmentToken({ operatorId: 'closed-metro' });
    await gw.db.query(`UPDATE operators SET enabled = false WHERE id = 'closed-metro'`);
    expect((await enrol(closed.token, keys.csrPem)).statusCode).toBe(401);

    const { rows } = await gw.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM terminals WHERE id = ANY($1) AND status <> 'registered'`,
      [[expired.terminalId, wrong.terminalId, closed.terminalId]],
    );
    expect(rows[0]?.n).toBe('0');
  });

  it('refuses a CSR that does not verify', async () => {
    const { token } = await gw.addEnrolmentToken();
    const lines = keys.csrPem.trim().split('\n');
    const i = lines.length - 3; // inside the signature
    const line = lines[i] ?? '';
    lines[i] = (line[0] === 'A' ? 'B' : 'A') + line.slice(1);
    const tampered = await enrol(token, lines.join('\n'));
    expect(tampered.statusCode).toBe(400);
    expect(tampered.json()).toMatchObject({ code: 'CSR_INVALID' });
    const garbage = '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----';
    expect((await enrol(token, garbage)).json()).toMatchObject({ code: 'CSR_INVALID' });
    // The refused attempts did not use the token up.
    expect((await enrol(token, keys.csrPem)).statusCode).toBe(201);
  });
});
