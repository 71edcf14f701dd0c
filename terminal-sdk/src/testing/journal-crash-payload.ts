/** What the crash writer tells its parent. */
export type CrashWriterMessage =
  { type: 'ready' } | { type: 'durable'; sequence: number } | { type: 'acked'; through: number };

/** A payload the parent can check byte for byte, of varying length. */
export function crashPayload(sequence: number): Buffer {
  return Buffer.from(`record ${sequence} `.padEnd(40 + (sequence % 50), '.'));
}
