import { crc32 } from 'node:zlib';

/**
 * One journal entry on disk, little-endian:
 *   0  u32 magic "CCJ1"      8  u32 sequence (a skip: its last sequence)
 *   4  u32 payload length   12  u8 kind (1 record, 2 skip), 3 bytes zero
 *  16  u32 CRC-32 of bytes 0–15 and the payload        20  payload
 * A skip's payload is its first sequence (u32). Anything that does not check out ends the valid
 * part of a segment: after a crash, that is the torn tail.
 */
export const ENTRY_HEADER_BYTES = 20;
const MAGIC = 0x314a4343;
const KIND_RECORD = 1;
const KIND_SKIP = 2;

export type DecodedEntry =
  | { kind: 'record'; sequence: number; payload: Buffer }
  | { kind: 'skip'; from: number; to: number };

function encode(kind: number, sequence: number, payload: Buffer): Buffer {
  const out = Buffer.alloc(ENTRY_HEADER_BYTES + payload.length);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(payload.length, 4);
  out.writeUInt32LE(sequence, 8);
  out.writeUInt8(kind, 12);
  payload.copy(out, ENTRY_HEADER_BYTES);
  const crc = crc32(payload, crc32(out.subarray(0, 16)));
  out.writeUInt32LE(crc, 16);
  return out;
}

export function encodeRecordEntry(sequence: number, payload: Buffer): Buffer {
  return encode(KIND_RECORD, sequence, payload);
}

export function encodeSkipEntry(from: number, to: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32LE(from, 0);
  return encode(KIND_SKIP, to, payload);
}

export interface ScanResult {
  entries: DecodedEntry[];
  /** Bytes from the start that hold whole, valid entries in increasing sequence order. */
  validLength: number;
}

function decodeAt(buf: Buffer, offset: number, maxPayload: number): DecodedEntry | undefined {
  if (buf.length - offset < ENTRY_HEADER_BYTES) return undefined;
  if (buf.readUInt32LE(offset) !== MAGIC) return undefined;
  const length = buf.readUInt32LE(offset + 4);
  if (length > maxPayload || buf.length - offset - ENTRY_HEADER_BYTES < length) return undefined;
  const header = buf.subarray(offset, offset + 16);
  const payload = buf.subarray(offset + ENTRY_HEADER_BYTES, offset + ENTRY_HEADER_BYTES + length);
  if (crc32(payload, crc32(header)) !== buf.readUInt32LE(offset + 16)) return undefined;
  const sequence = buf.readUInt32LE(offset + 8);
  const kind = buf.readUInt8(offset + 12);
  if (kind === KIND_RECORD) return { kind: 'record', sequence, payload: Buffer.from(payload) };
  if (kind === KIND_SKIP && length === 4) {
    const from = payload.readUInt32LE(0);
    return from <= sequence ? { kind: 'skip', from, to: sequence } : undefined;
  }
  return undefined;
}

export function lastSequenceOf(entry: DecodedEntry): number {
  return entry.kind === 'record' ? entry.sequence : entry.to;
}

export function firstSequenceOf(entry: DecodedEntry): number {
  return entry.kind === 'record' ? entry.sequence : entry.from;
}

/** Reads entries until the first one that is incomplete, damaged or out of sequence. */
export function scanEntries(buf: Buffer, afterSequence: number, maxPayload: number): ScanResult {
  const entries: DecodedEntry[] = [];
  let offset = 0;
  let previous = afterSequence;
  for (;;) {
    const entry = decodeAt(buf, offset, maxPayload);
    if (!entry || firstSequenceOf(entry) !== previous + 1) break;
    entries.push(entry);
    previous = lastSequenceOf(entry);
    offset += ENTRY_HEADER_BYTES + (entry.kind === 'record' ? entry.payload.length : 4);
  }
  return { entries, validLength: offset };
}
