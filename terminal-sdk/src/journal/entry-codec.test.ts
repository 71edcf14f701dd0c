import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeRecordEntry,
  encodeSkipEntry,
  scanEntries,
  type DecodedEntry,
} from './entry-codec.js';

const payloadsArb = fc.array(fc.uint8Array({ maxLength: 64 }), { minLength: 1, maxLength: 12 });

function encodeAll(payloads: Uint8Array[]): {
  bytes: Buffer;
  ends: number[];
  entries: DecodedEntry[];
} {
  const parts = payloads.map((p, i) => encodeRecordEntry(i + 1, Buffer.from(p)));
  const ends = parts.map((_, i) => parts.slice(0, i + 1).reduce((n, b) => n + b.length, 0));
  const entries = payloads.map((p, i): DecodedEntry => ({
    kind: 'record',
    sequence: i + 1,
    payload: Buffer.from(p),
  }));
  return { bytes: Buffer.concat(parts), ends, entries };
}

describe('journal entry codec', () => {
  it('decodes what it encodes, skips included', () => {
    const bytes = Buffer.concat([
      encodeRecordEntry(1, Buffer.from('a')),
      encodeSkipEntry(2, 9),
      encodeRecordEntry(10, Buffer.alloc(0)),
    ]);
    expect(scanEntries(bytes, 0, 1024)).toEqual({
      entries: [
        { kind: 'record', sequence: 1, payload: Buffer.from('a') },
        { kind: 'skip', from: 2, to: 9 },
        { kind: 'record', sequence: 10, payload: Buffer.alloc(0) },
      ],
      validLength: bytes.length,
    });
  });

  it('keeps exactly the whole entries before any cut', () => {
    fc.assert(
      fc.property(payloadsArb, fc.nat(), (payloads, cutSeed) => {
        const { bytes, ends, entries } = encodeAll(payloads);
        const cut = cutSeed % (bytes.length + 1);
        const whole = ends.filter((e) => e <= cut).length;
        const scan = scanEntries(bytes.subarray(0, cut), 0, 1024);
        expect(scan.entries).toEqual(entries.slice(0, whole));
        expect(scan.validLength).toBe(whole === 0 ? 0 : ends[whole - 1]);
      }),
    );
  });

  it('stops at the first damaged byte', () => {
    fc.assert(
      fc.property(payloadsArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (payloads, at, xor) => {
        const { bytes, ends, entries } = encodeAll(payloads);
        const index = at % bytes.length;
        const damaged = Buffer.from(bytes);
        damaged[index] = (damaged[index] ?? 0) ^ xor;
        const intact = ends.filter((e) => e <= index).length;
        expect(scanEntries(damaged, 0, 1024).entries).toEqual(entries.slice(0, intact));
      }),
    );
  });
});
