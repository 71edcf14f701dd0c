import { createHash, randomBytes } from 'node:crypto';
import { aesCmac } from '@citycard/core/crypto';
import { Amount } from '@citycard/core/money';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sampleDraft } from '../testing/sample-record.js';
import {
  CHAIN_DOMAIN,
  GENESIS_HASH,
  buildBatch,
  chainHead,
  verifyBatch,
  type Batch,
} from './batch.js';
import { canonicalBytes, canonicalJson, canonicalSlow } from './canonical.js';
import {
  RECORD_MAC_DOMAIN,
  RECORD_TYPES,
  canonicalRecord,
  recordMacInput,
  recordDraftSchema,
  signRecord,
  transactionRecordSchema,
  verifyRecordMac,
  type RecordDraft,
  type TransactionRecord,
} from './record.js';
import { signRequest, verifyRequestSignature } from './request-auth.js';

const macKey = randomBytes(16);
const fen = (n: number) => Amount.fromFen(BigInt(n)).toString();

const draftArb: fc.Arbitrary<RecordDraft> = fc
  .record({
    type: fc.constantFrom(...RECORD_TYPES),
    cardNumber: fc.stringMatching(/^\d{16}$/),
    uid: fc.stringMatching(/^(?:[0-9A-F]{8}|[0-9A-F]{14})$/),
    purseCounter: fc.integer({ min: 0, max: 0x7fff_ffff }),
    before: fc.integer({ min: 0, max: 10_000_000 }),
    charge: fc.integer({ min: 0, max: 10_000 }),
    at: fc.date({ min: new Date('2020-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }),
    routeId: fc.option(fc.stringMatching(/^[A-Za-z0-9]{1,8}$/), { nil: undefined }),
    direction: fc.option(fc.constantFrom(0 as const, 1 as const), { nil: undefined }),
  })
  .map((g) => {
    const amount = g.type === 'transit_correction' ? -g.charge : Math.min(g.charge, g.before);
    return {
      ...sampleDraft(),
      type: g.type,
      cardNumber: g.cardNumber,
      uid: g.uid,
      purseCounter: g.purseCounter,
      amount: fen(amount),
      balanceBefore: fen(g.before),
      balanceAfter: fen(g.before - amount),
      occurredAt: g.at.toISOString(),
      location: { routeId: g.routeId, direction: g.direction },
    };
  });

function sign(draft: RecordDraft, sequence = 1): TransactionRecord {
  return signRecord({ v: 1, terminalId: 'T-1', sequence, ...draft }, macKey);
}

/** The same object with its keys inserted in reverse order, nested objects too. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversedKeys(v)]),
  );
}

/** One change to one field, still of a plausible type. */
const mutations: Record<string, (r: TransactionRecord) => TransactionRecord> = {
  terminalId: (r) => ({ ...r, terminalId: `${r.terminalId}x` }),
  sequence: (r) => ({ ...r, sequence: r.sequence + 1 }),
  type: (r) => ({ ...r, type: r.type === 'purchase' ? 'transit_flat' : 'purchase' }),
  cardNumber: (r) => ({
    ...r,
    cardNumber: r.cardNumber.replace(/.$/, (d) => String((+d + 1) % 10)),
  }),
  purseCounter: (r) => ({ ...r, purseCounter: r.purseCounter ^ 1 }),
  amount: (r) => ({ ...r, amount: r.amount === '0.01' ? '0.02' : '0.01' }),
  balanceAfter: (r) => ({ ...r, balanceAfter: r.balanceAfter === '0.00' ? '0.01' : '0.00' }),
  occurredAt: (r) => ({
    ...r,
    occurredAt: new Date(Date.parse(r.occurredAt) + 1000).toISOString(),
  }),
  operatorId: (r) => ({ ...r, operatorId: 'other-operator' }),
  location: (r) => ({ ...r, location: { ...r.location, stopId: 'S-changed' } }),
  fare: (r) => ({ ...r, fare: undefined }),
};

describe('canonical bytes', () => {
  it('do not depend on key order and are stable', () => {
    fc.assert(
      fc.property(draftArb, (draft) => {
        const record = sign(draft);
        expect(canonicalJson(reversedKeys(record))).toBe(canonicalJson(record));
        expect(canonicalJson(JSON.parse(JSON.stringify(record)))).toBe(canonicalJson(record));
      }),
    );
  });

  it('are the same on the fast path and the reference path', () => {
    const outcome = (f: (v: unknown) => string, v: unknown) => {
      try {
        return f(v);
      } catch {
        return 'refused';
      }
    };
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(outcome(canonicalJson, value)).toBe(outcome(canonicalSlow, value));
      }),
      { numRuns: 2000 },
    );
    expect(canonicalJson({ b: 1, 10: 2, 9: 3, a: { 2: 0, x: 1 } })).toBe(
      '{"10":2,"9":3,"a":{"2":0,"x":1},"b":1}',
    );
  });

  it('of a record with and without its MAC come from one pass, as canonicalJson makes them', () => {
    fc.assert(
      fc.property(draftArb, fc.boolean(), (draft, reversed) => {
        const record = sign(draft);
        const { mac: _mac, ...unsigned } = record;
        const form = canonicalRecord(
          (reversed ? reversedKeys(record) : record) as TransactionRecord,
        );
        expect(form.signed).toBe(canonicalJson(record));
        expect(form.unsigned).toBe(canonicalJson(unsigned));
        expect(canonicalRecord(unsigned).signed).toBe(canonicalJson(unsigned));
        expect(recordMacInput(record).equals(canonicalBytes(RECORD_MAC_DOMAIN, unsigned))).toBe(
          true,
        );
      }),
    );
  });

  it('refuse what has no single form', () => {
    expect(() => canonicalJson({ a: 1.5 })).toThrow();
    expect(() => canonicalJson({ a: 10n })).toThrow();
    expect(() => canonicalJson(new Date())).toThrow();
    expect(canonicalJson({ b: [1, 'x', null, true], a: undefined })).toBe(
      '{"b":[1,"x",null,true]}',
    );
  });
});

describe('record MAC', () => {
  it('verifies, survives a JSON round trip, and breaks on any field change', () => {
    fc.assert(
      fc.property(draftArb, fc.constantFrom(...Object.keys(mutations)), (draft, field) => {
        const record = sign(draft);
        expect(transactionRecordSchema.parse(JSON.parse(JSON.stringify(record)))).toEqual(record);
        expect(verifyRecordMac(record, macKey)).toBe(true);
        const changed = mutations[field]?.(record);
        if (!changed || canonicalJson(changed) === canonicalJson(record)) return;
        expect(verifyRecordMac(changed, macKey)).toBe(false);
      }),
    );
  });

  it('does not verify under another key', () => {
    expect(verifyRecordMac(sign(sampleDraft()), randomBytes(16))).toBe(false);
  });
});

describe('record schema', () => {
  it('holds balanceAfter = balanceBefore − amount', () => {
    const bad = recordDraftSchema.safeParse(sampleDraft({ balanceAfter: '7.99' }));
    expect(bad.success).toBe(false);
  });
  it('allows a negative amount only on a correction', () => {
    const refund = { amount: '-1.50', balanceBefore: '5.00', balanceAfter: '6.50' };
    expect(recordDraftSchema.safeParse(sampleDraft(refund)).success).toBe(false);
    const correction = sampleDraft({ ...refund, type: 'transit_correction' });
    expect(recordDraftSchema.safeParse(correction).success).toBe(true);
  });
  it('refuses unknown fields and malformed money', () => {
    expect(recordDraftSchema.safeParse({ ...sampleDraft(), extra: 1 }).success).toBe(false);
    expect(recordDraftSchema.safeParse(sampleDraft({ amount: '2.5' })).success).toBe(false);
  });
});

function batchOf(records: TransactionRecord[], prevHash = GENESIS_HASH): Batch {
  return buildBatch({
    terminalId: 'T-1',
    batchSequence: 1,
    macKeyId: 'k1',
    macKey,
    prevHash,
    records,
    skipped: [],
    createdAt: '2026-11-27T00:00:00.000Z',
  });
}

describe('batch', () => {
  const recordsArb = fc
    .array(draftArb, { minLength: 2, maxLength: 12 })
    .map((drafts) => drafts.map((d, i) => sign(d, i + 1)));

  it('verifies as built and chains from the previous head', () => {
    fc.assert(
      fc.property(recordsArb, (records) => {
        const first = batchOf(records.slice(0, 1));
        const second = batchOf(records.slice(1), first.headHash);
        expect(() => verifyBatch(first, macKey)).not.toThrow();
        expect(() => verifyBatch(second, macKey)).not.toThrow();
        expect(chainHead(first.headHash, records.slice(1))).toBe(chainHead(GENESIS_HASH, records));
      }),
      { numRuns: 50 },
    );
  });

  it('chains and MACs the bytes of the reference form, and hands back each MAC input', () => {
    fc.assert(
      fc.property(recordsArb, (records) => {
        let head = Buffer.from(GENESIS_HASH, 'hex');
        for (const r of records) {
          const bytes = Buffer.from(`${CHAIN_DOMAIN}\n${canonicalSlow(r)}`, 'utf8');
          head = createHash('sha256').update(head).update(bytes).digest();
        }
        const batch = batchOf(records);
        expect(batch.headHash).toBe(head.toString('hex'));
        const { macInputs } = verifyBatch(batch, macKey);
        records.forEach((r, i) => {
          const { mac, ...unsigned } = r;
          const reference = Buffer.from(`${RECORD_MAC_DOMAIN}\n${canonicalSlow(unsigned)}`);
          expect(macInputs[i]?.equals(reference)).toBe(true);
          expect(aesCmac(macKey, reference).toString('hex')).toBe(mac);
        });
      }),
      { numRuns: 50 },
    );
  });

  it('refuses a changed header, record, order or total', () => {
    fc.assert(
      fc.property(recordsArb, fc.integer({ min: 0, max: 3 }), (records, which) => {
        const batch = batchOf(records);
        const tampered: Batch[] = [
          { ...batch, count: batch.count + 1 },
          {
            ...batch,
            records: batch.records.map((r, i) =>
              i === 0 ? sign({ ...r, purseCounter: r.purseCounter ^ 1 }, r.sequence) : r,
            ),
          },
          { ...batch, records: [...batch.records].reverse() },
          { ...batch, amountTotal: '999.99' },
        ];
        const t = tampered[which];
        if (!t || canonicalJson(t) === canonicalJson(batch)) return;
        expect(() => verifyBatch(t, macKey)).toThrow();
      }),
      { numRuns: 100 },
    );
  });

  it('names the record whose MAC fails', () => {
    const records = [sign(sampleDraft(), 1), { ...sign(sampleDraft(), 2), mac: '0'.repeat(32) }];
    expect(() => verifyBatch(batchOf(records), macKey)).toThrow(
      expect.objectContaining({ code: 'RECORD_MAC_INVALID', details: { sequence: 2 } }),
    );
  });

  it('tiles records and skipped ranges', () => {
    const records = [sign(sampleDraft(), 1), sign(sampleDraft(), 5)];
    const base = {
      terminalId: 'T-1',
      batchSequence: 1,
      macKeyId: 'k1',
      macKey,
      prevHash: GENESIS_HASH,
      records,
      createdAt: '2026-11-27T00:00:00.000Z',
    };
    expect(() =>
      verifyBatch(buildBatch({ ...base, skipped: [{ from: 2, to: 4 }] }), macKey),
    ).not.toThrow();
    expect(() =>
      verifyBatch(buildBatch({ ...base, skipped: [{ from: 2, to: 3 }] }), macKey),
    ).toThrow(expect.objectContaining({ code: 'BATCH_INCONSISTENT' }));
  });
});

describe('request signature', () => {
  it('proves the terminal and binds method, path and body', () => {
    const now = new Date('2026-11-27T00:00:00Z');
    const req = { method: 'GET', path: '/v1/hotlist?since=3', body: '' };
    const headers = signRequest({ terminalId: 'T-1', macKey }, req, now);
    const opts = { headers, macKeyFor: () => macKey, now, toleranceMs: 60_000 };
    expect(verifyRequestSignature(req, opts)).toBe('T-1');
    expect(() => verifyRequestSignature({ ...req, path: '/v1/hotlist?since=0' }, opts)).toThrow();
    expect(() =>
      verifyRequestSignature(req, { ...opts, now: new Date('2026-11-28T00:00:00Z') }),
    ).toThrow();
  });
});
