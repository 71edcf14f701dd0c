import { describe, expect, it } from 'vitest';
import { AppError } from '@citycard/core/errors';
import { mapPcscError, pcscResultOf, statusWordError } from './pcsc-errors.js';

/** nfc-pcsc wraps the pcsc-lite error in `previous`. */
function nfcError(name: string, previous: Error): Error {
  const error = new Error(previous.message);
  error.name = name;
  return Object.assign(error, { code: 'failure', previous });
}

const pcsc = (result: string) => new Error(`SCardTransmit error: something happened.(0x${result})`);

describe('mapPcscError', () => {
  it.each([
    ['80100069', 'CARD_REMOVED'],
    ['8010000c', 'CARD_REMOVED'],
    ['80100068', 'CARD_REMOVED'],
    ['80100009', 'READER_UNPLUGGED'],
    ['80100017', 'READER_UNPLUGGED'],
    ['8010000b', 'READER_BUSY'],
    ['8010001d', 'PCSC_UNAVAILABLE'],
    ['8010000a', 'CARD_COMMAND_FAILED'],
    ['80100099', 'CARD_COMMAND_FAILED'],
  ])('maps pcsc-lite 0x%s to %s, also wrapped by nfc-pcsc', (result, code) => {
    expect(mapPcscError(pcsc(result), { op: 'read' }).code).toBe(code);
    const wrapped = nfcError('TransmitError', pcsc(result));
    expect(mapPcscError(wrapped, { op: 'read' }).code).toBe(code);
  });

  it('names the pcsc-lite code in details and keeps the cause', () => {
    const error = mapPcscError(pcsc('8010000b'), { op: 'write', reader: 'R' });
    expect(error.details).toEqual({ op: 'write', reader: 'R', pcsc: 'SCARD_E_SHARING_VIOLATION' });
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('takes "no card connected" as a removal and passes AppErrors through', () => {
    expect(mapPcscError(new Error('No card or connection available.'), { op: 'x' }).code).toBe(
      'CARD_REMOVED',
    );
    expect(mapPcscError(new Error('Card Reader not connected'), { op: 'x' }).code).toBe(
      'CARD_REMOVED',
    );
    const own = new AppError('READER_BUSY');
    expect(mapPcscError(own, { op: 'x' })).toBe(own);
    expect(mapPcscError('a string', { op: 'x' }).code).toBe('CARD_COMMAND_FAILED');
  });

  it('finds the result code only where pcsc-lite prints it', () => {
    expect(pcscResultOf(pcsc('80100069'))).toBe(0x80100069);
    expect(pcscResultOf(new Error('no code here'))).toBeNull();
    expect(pcscResultOf(undefined)).toBeNull();
  });
});

describe('statusWordError', () => {
  it.each([
    [0x6300, 'authenticate', 'CARD_AUTH_FAILED'],
    [0x6982, 'authenticate', 'CARD_AUTH_FAILED'],
    [0x6988, 'authenticate', 'CARD_COMMAND_FAILED'],
    [0x6300, 'read', 'CARD_ACCESS_DENIED'],
    [0x6986, 'write', 'CARD_ACCESS_DENIED'],
    [0x6982, 'write', 'CARD_NOT_AUTHENTICATED'],
    [0x6a82, 'read', 'CARD_BLOCK_INVALID'],
    [0x6f00, 'write', 'CARD_COMMAND_FAILED'],
    [0x6300, 'loadKey', 'CARD_COMMAND_FAILED'],
  ] as const)('%s on %s is %s', (sw, op, code) => {
    const error = statusWordError(sw, op, 4);
    expect(error.code).toBe(code);
    expect(error.details).toMatchObject({ op, block: 4 });
  });
});
