/**
 * vpcd speaks u16 big-endian length-prefixed messages. A 1-byte message is a control code from
 * the reader side; anything longer is a C-APDU.
 */
export const VPCD_CONTROL = {
  POWER_OFF: 0x00,
  POWER_ON: 0x01,
  RESET: 0x02,
  GET_ATR: 0x04,
} as const;

export const VPCD_PORTS = [35963, 35964] as const;

export function encodeFrame(payload: Buffer): Buffer {
  if (payload.length > 0xffff) throw new RangeError('vpcd frames carry at most 65535 bytes');
  const header = Buffer.alloc(2);
  header.writeUInt16BE(payload.length, 0);
  // one write for header and payload: two small writes would meet Nagle plus delayed ACK
  return Buffer.concat([header, payload]);
}

/** Splits a byte stream into frames; bytes of an unfinished frame wait for the next chunk. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    while (this.pending.length >= 2) {
      const length = this.pending.readUInt16BE(0);
      if (this.pending.length < 2 + length) break;
      frames.push(Buffer.from(this.pending.subarray(2, 2 + length)));
      this.pending = this.pending.subarray(2 + length);
    }
    return frames;
  }

  get buffered(): number {
    return this.pending.length;
  }
}
