import { connect } from 'node:net';
import { AppError } from '@citycard/core/errors';

/**
 * The part of nfc-pcsc 0.8.1 this package uses, typed. nfc-pcsc ships no types; everything it
 * hands over is narrowed here or at the call site, so no `any` leaves this folder.
 */
export interface NfcCardData {
  readonly atr?: Buffer;
  readonly standard?: string;
}

export interface NfcReaderDevice {
  readonly name: string;
  /** The pcsc-lite reader underneath: `state` is set once its status thread has reported. */
  readonly reader?: {
    readonly state?: number;
    once(event: 'status', listener: () => void): unknown;
  };
  /** false: nfc-pcsc only connects and reports the ATR; UID and the rest are ours to ask. */
  autoProcessing: boolean;
  on(event: 'card', listener: (card: NfcCardData) => void): unknown;
  on(event: 'card.off', listener: (card: NfcCardData) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  /** Throws synchronously when no card is connected; rejects when pcsc-lite fails. */
  transmit(data: Buffer, responseMaxLength: number): Promise<Buffer>;
  close(): void;
}

export interface NfcSource {
  on(event: 'reader', listener: (reader: NfcReaderDevice) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  close(): void;
}

export const DEFAULT_PCSCD_SOCKET = '/run/pcscd/pcscd.comm';

export function pcscdSocketPath(): string {
  return process.env.PCSCLITE_CSOCK_NAME ?? DEFAULT_PCSCD_SOCKET;
}

/**
 * Whether pcscd answers on its socket. Checked before nfc-pcsc is loaded because pcsc-lite's
 * SCardEstablishContext, as the addon calls it, spins forever while the service is missing.
 */
export function pcscdReachable(socketPath = pcscdSocketPath(), timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path: socketPath });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Loads nfc-pcsc (an optional dependency with a native addon) and starts listening for readers. */
export async function createNfcSource(): Promise<NfcSource> {
  const specifier = 'nfc-pcsc';
  let mod: unknown;
  try {
    mod = await import(specifier);
  } catch (cause) {
    throw new AppError('PCSC_UNAVAILABLE', {
      message: 'The nfc-pcsc package (PC/SC addon) is not installed or did not load',
      cause,
    });
  }
  const ctor = typeof mod === 'object' && mod !== null ? (mod as { NFC?: unknown }).NFC : undefined;
  if (typeof ctor !== 'function') {
    throw new AppError('PCSC_UNAVAILABLE', { message: 'nfc-pcsc does not export NFC' });
  }
  try {
    return new (ctor as new () => NfcSource)();
  } catch (cause) {
    throw new AppError('PCSC_UNAVAILABLE', { cause });
  }
}
