import { describe, expect, it } from 'vitest';
import { blocksFromReport, decodeCardImage } from './card-image.js';
import { encodeIssuerInfo } from './issuer-info.js';
import type { PlanReport } from './plan.js';
import { purseUpdateWrites } from './purse.js';

const UID = Buffer.from('04A1B2C3', 'hex');
const KEY = Buffer.alloc(16, 1);
const zero = () => Buffer.alloc(16);

describe('decodeCardImage', () => {
  it('decodes only the parts whose blocks were all read', () => {
    const blocks = new Map<number, Buffer>([[4, zero()]]);
    expect(decodeCardImage(blocks, UID, KEY)).toEqual({});
  });

  it('reports parts that do not decode, and a purse that fails its MAC', () => {
    const { extra } = encodeIssuerInfo({
      cardNumber: '3100000000000017',
      issuedOn: '2026-01-01',
      expiresOn: '2030-01-01',
      status: 'active',
      layoutVersion: 1,
      keyVersion: 1,
      concession: 'FULL',
      concessionUntil: null,
    });
    const writes = purseUpdateWrites({
      uid: UID,
      macKey: KEY,
      newBalanceFen: 10,
      newCounter: 1,
      lastKind: 'load',
    });
    const blocks = new Map<number, Buffer>([
      [4, zero()],
      [5, extra],
      ...writes.map((w): [number, Buffer] => [w.block, w.data]),
      [12, Buffer.alloc(16, 0xee)],
      [13, zero()],
      [14, zero()],
    ]);
    const image = decodeCardImage(blocks, UID, Buffer.alloc(16, 2));
    expect(image.purse).toEqual({ error: 'PURSE_MAC_INVALID' });
    expect(image.problems).toEqual([
      { part: 'issuer', code: 'CARD_DATA_INVALID' },
      { part: 'transit', code: 'CARD_DATA_INVALID' },
    ]);
    expect(decodeCardImage(blocks, UID, KEY).purse).toMatchObject({ balanceFen: 10, counter: 1 });
    // Without the MAC key the balance is not believed, so it is left out.
    expect(decodeCardImage(blocks, UID).purse).toBeUndefined();
  });
});

describe('blocksFromReport', () => {
  it('keeps the reads that are done', () => {
    const data = 'AB'.repeat(16);
    const report: PlanReport = {
      planId: '00000000-0000-4000-8000-000000000001',
      uid: '04A1B2C3',
      outcome: 'readback_mismatch',
      completedSteps: 2,
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:00.000Z',
      steps: [
        { index: 0, op: 'auth', block: 4, status: 'done' },
        { index: 1, op: 'read', block: 4, status: 'done', data },
        { index: 2, op: 'read', block: 5, status: 'failed', data },
      ],
    };
    expect([...blocksFromReport(report)]).toEqual([[4, Buffer.from(data, 'hex')]]);
  });
});
