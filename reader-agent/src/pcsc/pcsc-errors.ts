import { AppError, isAppError, type ErrorCode } from '@citycard/core/errors';
import { SW, swHex } from '../apdu/index.js';

/** pcsc-lite return codes (winscard.h) and what they mean for a card session. */
const PCSC_RESULTS: ReadonlyMap<number, { code: ErrorCode; name: string }> = new Map([
  [0x80100069, { code: 'CARD_REMOVED', name: 'SCARD_W_REMOVED_CARD' }],
  [0x8010000c, { code: 'CARD_REMOVED', name: 'SCARD_E_NO_SMARTCARD' }],
  [0x80100068, { code: 'CARD_REMOVED', name: 'SCARD_W_RESET_CARD' }],
  [0x80100066, { code: 'CARD_REMOVED', name: 'SCARD_W_UNRESPONSIVE_CARD' }],
  [0x80100067, { code: 'CARD_REMOVED', name: 'SCARD_W_UNPOWERED_CARD' }],
  [0x80100009, { code: 'READER_UNPLUGGED', name: 'SCARD_E_UNKNOWN_READER' }],
  [0x80100017, { code: 'READER_UNPLUGGED', name: 'SCARD_E_READER_UNAVAILABLE' }],
  [0x80100003, { code: 'READER_UNPLUGGED', name: 'SCARD_E_INVALID_HANDLE' }],
  [0x8010000b, { code: 'READER_BUSY', name: 'SCARD_E_SHARING_VIOLATION' }],
  [0x8010001d, { code: 'PCSC_UNAVAILABLE', name: 'SCARD_E_NO_SERVICE' }],
  [0x8010001e, { code: 'PCSC_UNAVAILABLE', name: 'SCARD_E_SERVICE_STOPPED' }],
  [0x8010000a, { code: 'CARD_COMMAND_FAILED', name: 'SCARD_E_TIMEOUT' }],
  [0x80100016, { code: 'CARD_COMMAND_FAILED', name: 'SCARD_E_NOT_TRANSACTED' }],
  [0x8010002f, { code: 'CARD_COMMAND_FAILED', name: 'SCARD_E_COMM_DATA_LOST' }],
  [0x80100013, { code: 'CARD_COMMAND_FAILED', name: 'SCARD_F_COMM_ERROR' }],
]);

/** Finds the pcsc-lite result code in an error chain (nfc-pcsc wraps errors in `previous`). */
export function pcscResultOf(error: unknown): number | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const match = /\(0x([0-9a-f]{8})\)/i.exec(current.message);
    if (match?.[1]) return Number.parseInt(match[1], 16);
    const next: unknown = (current as { previous?: unknown }).previous ?? current.cause;
    current = next;
  }
  return null;
}

function messageChain(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    parts.push(current.message);
    current = (current as { previous?: unknown }).previous ?? current.cause;
  }
  return parts.join(' / ');
}

/** Maps whatever nfc-pcsc or pcsc-lite threw to a catalogue error (AppErrors pass through). */
export function mapPcscError(error: unknown, context: { op: string; reader?: string }): AppError {
  if (isAppError(error)) return error;
  const result = pcscResultOf(error);
  const known = result === null ? undefined : PCSC_RESULTS.get(result);
  const text = messageChain(error);
  let code: ErrorCode = known?.code ?? 'CARD_COMMAND_FAILED';
  if (!known && /not connected|no card or connection/i.test(text)) code = 'CARD_REMOVED';
  return new AppError(code, {
    details: {
      ...context,
      pcsc: known?.name ?? (result === null ? undefined : `0x${result.toString(16)}`),
    },
    cause: error,
  });
}

export type ClassicOp = 'loadKey' | 'authenticate' | 'read' | 'write' | 'getUid' | 'control';

/** Maps a status word other than 90 00 to the error the command failed with. */
export function statusWordError(sw: number, op: ClassicOp, block?: number): AppError {
  const details = { op, sw: swHex(sw), ...(block === undefined ? {} : { block }) };
  return new AppError(statusWordCode(sw, op), { details });
}

function statusWordCode(sw: number, op: ClassicOp): ErrorCode {
  if (sw === SW.OUT_OF_RANGE || sw === SW.WRONG_P1P2) return 'CARD_BLOCK_INVALID';
  if (op === 'authenticate') {
    // 63 00 is what most readers answer to a refused key; 69 82–69 84 are the part 3 variants.
    if (sw === SW.FAILED || (sw >= 0x6982 && sw <= 0x6984)) return 'CARD_AUTH_FAILED';
    return 'CARD_COMMAND_FAILED';
  }
  if (op === 'read' || op === 'write') {
    if (sw === SW.NOT_AUTHENTICATED) return 'CARD_NOT_AUTHENTICATED';
    // A card answers a command its access bits forbid with a NAK; readers turn it into 63 00.
    if (sw === SW.FAILED || sw === SW.NOT_ALLOWED) return 'CARD_ACCESS_DENIED';
  }
  return 'CARD_COMMAND_FAILED';
}
