/**
 * TCP client transport (node:net), Nagle disabled so each frame leaves at once.
 * SITL convention: ArduPilot SITL serves its first MAVLink port (SERIAL0) on TCP 5760
 * (`tcpArduPilotSitl()`), further ones on 5762, 5763.
 */
import { connect, type Socket } from 'node:net';
import { Listeners, type Unsubscribe } from '../link/listeners.js';
import type { ByteTransport } from './byteTransport.js';

export interface TcpTransportOptions {
  host: string;
  port: number;
}

export const tcpArduPilotSitl = (): TcpTransportOptions => ({ host: '127.0.0.1', port: 5760 });

export class TcpTransport implements ByteTransport {
  readonly description: string;
  private socket: Socket | null = null;
  private closing = false;
  private readonly dataListeners = new Listeners<Uint8Array>();
  private readonly closeListeners = new Listeners<Error | null>();

  constructor(private readonly opts: TcpTransportOptions) {
    this.description = `tcp:${opts.host}:${opts.port}`;
  }

  get isOpen(): boolean {
    return this.socket !== null;
  }

  async open(): Promise<void> {
    this.closing = false;
    const socket = connect({ host: this.opts.host, port: this.opts.port, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    let lastError: Error | null = null;
    socket.on('error', (err) => {
      lastError = err;
    });
    socket.on('data', (chunk) => this.dataListeners.emit(chunk));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (!this.closing) this.closeListeners.emit(lastError ?? new Error(`${this.description}: peer closed`));
    });
    this.socket = socket;
  }

  async close(): Promise<void> {
    const s = this.socket;
    this.closing = true;
    this.socket = null;
    if (!s) return;
    // Flush what is queued, but do not wait on a peer that no longer reads.
    await new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      s.end();
      setTimeout(() => s.destroy(), 200).unref();
    });
  }

  write(bytes: Uint8Array, onWritten?: (err: Error | null) => void): boolean {
    const s = this.socket;
    if (!s) return false;
    s.write(bytes, (err) => onWritten?.(err ?? null));
    return true;
  }

  onData(listener: (chunk: Uint8Array) => void): Unsubscribe {
    return this.dataListeners.add(listener);
  }

  onClose(listener: (err: Error | null) => void): Unsubscribe {
    return this.closeListeners.add(listener);
  }
}
