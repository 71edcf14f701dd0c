import { connect, type Socket } from 'node:net';
import { AppError } from '@citycard/core/errors';
import { isCardRemoved, type VpcdCardApplication } from './card-applications.js';
import { encodeFrame, FrameDecoder, VPCD_CONTROL } from './vpcd-framing.js';

export interface VpcdCardOptions {
  /** vpcd port: 35963 is "Virtual PCD 00 00", 35964 is "Virtual PCD 00 01". */
  port?: number;
  /**
   * Tried in order. 127.0.0.2 is routed with `quickack 1` on test machines: vpcd sends each APDU
   * in two writes without TCP_NODELAY, and the quick ACK saves ~40 ms per command.
   */
  hosts?: readonly string[];
  connectTimeoutMs?: number;
}

export interface VpcdCardStats {
  apdus: number;
  atrRequests: number;
  insertions: number;
}

export const DEFAULT_VPCD_HOSTS = ['127.0.0.2', '127.0.0.1'] as const;

/**
 * A virtual card on a vpcd reader: connecting the socket puts the card in the field, closing it
 * takes the card out. The application (and so the card's memory) outlives the connection.
 */
export class VpcdCard {
  readonly stats: VpcdCardStats = { apdus: 0, atrRequests: 0, insertions: 0 };
  readonly port: number;
  private readonly hosts: readonly string[];
  private readonly connectTimeoutMs: number;
  private socket: Socket | null = null;
  private closed: Promise<void> = Promise.resolve();
  private work: Promise<void> = Promise.resolve();
  private host: string | null = null;

  constructor(
    readonly app: VpcdCardApplication,
    options: VpcdCardOptions = {},
  ) {
    this.port = options.port ?? 35963;
    this.hosts = options.hosts ?? DEFAULT_VPCD_HOSTS;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 2000;
  }

  get inserted(): boolean {
    return this.socket !== null;
  }

  /** The address the card reached vpcd on (127.0.0.2 when the quick-ACK route exists). */
  get connectedHost(): string | null {
    return this.host;
  }

  async insert(): Promise<void> {
    if (this.socket) return;
    let lastError: unknown = null;
    for (const host of this.hosts) {
      try {
        const socket = await this.open(host);
        this.attach(socket, host);
        return;
      } catch (error) {
        lastError = error;
      }
    }
    throw new AppError('PCSC_UNAVAILABLE', {
      message: `vpcd does not answer on port ${this.port}`,
      details: { port: this.port, hosts: [...this.hosts] },
      cause: lastError,
    });
  }

  /** Takes the card out of the field; resolves once the socket is closed. */
  async remove(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    socket.destroy();
    await this.closed;
  }

  private open(host: string): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port: this.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect timeout ${host}:${this.port}`));
      }, this.connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(socket);
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      });
    });
  }

  private attach(socket: Socket, host: string): void {
    socket.setNoDelay(true);
    this.socket = socket;
    this.host = host;
    this.stats.insertions += 1;
    this.app.inserted();
    const decoder = new FrameDecoder();
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        if (this.socket === socket) this.socket = null;
        this.app.removed();
        resolve();
      });
    });
    // a peer reset (pcscd gone, or our own destroy mid-write) is a removal, not a crash
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        this.work = this.work.then(() => this.handle(socket, frame));
      }
    });
  }

  private async handle(socket: Socket, frame: Buffer): Promise<void> {
    if (socket.destroyed) return;
    if (frame.length === 1) {
      this.control(socket, frame[0] ?? 0);
      return;
    }
    this.stats.apdus += 1;
    let response: Buffer;
    try {
      response = await this.app.transmit(frame);
    } catch (error) {
      if (isCardRemoved(error)) {
        // pulled mid-command: the reader gets no answer, just the card gone
        socket.destroy();
        return;
      }
      response = Buffer.from([0x6f, 0x00]);
    }
    if (socket.destroyed) return;
    socket.write(encodeFrame(response));
    if (!this.app.inField) socket.destroy();
  }

  private control(socket: Socket, code: number): void {
    switch (code) {
      case VPCD_CONTROL.GET_ATR:
        this.stats.atrRequests += 1;
        if (!this.app.inField) {
          socket.destroy();
          return;
        }
        socket.write(encodeFrame(this.app.atr));
        return;
      case VPCD_CONTROL.POWER_OFF:
      case VPCD_CONTROL.POWER_ON:
      case VPCD_CONTROL.RESET:
        this.app.powerCycled();
        return;
      default:
        return;
    }
  }
}
