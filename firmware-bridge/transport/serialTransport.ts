/**
 * Serial port transport on @serialport/stream with the native @serialport/bindings-cpp binding.
 *
 * Latency:
 * - Direct writes (default on Unix): a frame is written with one non-blocking `write(2)` on the
 *   port's file descriptor from the calling thread. The stream path (`fs.write` on libuv's thread
 *   pool, then a callback through the event loop) costs a thread hop that, on a loaded 2-core
 *   machine, adds milliseconds of tail latency. If the kernel buffer is full (EAGAIN), the write
 *   is partial, or earlier stream writes are still pending, the bytes go through the stream as
 *   before, so ordering is kept. `writeMode: 'stream'` turns this off.
 * - Reads use the binding's poller with VMIN=1/VTIME=0 (return as soon as one byte is there).
 * - On Linux we ask the UART driver for ASYNC_LOW_LATENCY (the `lowLatency` set option, which
 *   USB-serial adapters such as FTDI honour by dropping their 16 ms latency timer); pseudo-terminals
 *   refuse it, which is recorded in `lowLatencyApplied` and otherwise ignored.
 */
import { writeSync } from 'node:fs';
import { autoDetect } from '@serialport/bindings-cpp';
import { SerialPortStream } from '@serialport/stream';
import { Listeners, type Unsubscribe } from '../link/listeners.js';
import type { ByteTransport } from './byteTransport.js';

export interface SerialTransportOptions {
  /** Device path, e.g. /dev/ttyTHS1 (Jetson UART), /dev/ttyACM0 (USB), or one end of a socat pty pair. */
  path: string;
  /** Baud rate; 921600 by default (PX4 TELEM2 / ArduPilot SERIALn_BAUD 921). */
  baudRate?: number;
  /** Request the driver's low-latency mode (Linux). Default true. */
  lowLatency?: boolean;
  /** Hardware flow control (RTS/CTS). Default false. */
  rtscts?: boolean;
  /** `direct` (default): one write(2) from the caller when possible; `stream`: always via the stream. */
  writeMode?: 'direct' | 'stream';
}

export const DEFAULT_SERIAL_BAUD = 921_600;

export class SerialTransport implements ByteTransport {
  readonly description: string;
  /** Whether the low-latency request succeeded on the last open (null: not attempted yet). */
  lowLatencyApplied: boolean | null = null;
  /** Writes completed directly / handed to the stream (EAGAIN, partial, pending, or stream mode). */
  readonly writeStats = { direct: 0, stream: 0 };
  private port: SerialPortStream | null = null;
  private closing = false;
  private readonly dataListeners = new Listeners<Uint8Array>();
  private readonly closeListeners = new Listeners<Error | null>();

  constructor(private readonly opts: SerialTransportOptions) {
    this.description = `serial:${opts.path}@${opts.baudRate ?? DEFAULT_SERIAL_BAUD}`;
  }

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  async open(): Promise<void> {
    if (this.port) throw new Error(`${this.description} is already open`);
    this.closing = false;
    const port = new SerialPortStream({
      binding: autoDetect(),
      path: this.opts.path,
      baudRate: this.opts.baudRate ?? DEFAULT_SERIAL_BAUD,
      rtscts: this.opts.rtscts ?? false,
      autoOpen: false,
    });
    // A stream 'error' without a listener would crash the process; errors surface via close.
    port.on('error', () => {});
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    this.port = port;
    port.on('data', (chunk: Buffer) => this.dataListeners.emit(chunk));
    port.on('close', (err?: Error | null) => this.onPortClosed(port, err ?? null));
    if (this.opts.lowLatency ?? true) await this.applyLowLatency(port);
  }

  async close(): Promise<void> {
    const port = this.port;
    if (!port) return;
    this.closing = true;
    this.port = null;
    if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  write(bytes: Uint8Array, onWritten?: (err: Error | null) => void): boolean {
    const port = this.port;
    if (!port || !port.isOpen) return false;
    let rest = bytes;
    const fd = (port.port as { fd?: number | null } | undefined)?.fd;
    if ((this.opts.writeMode ?? 'direct') === 'direct' && typeof fd === 'number' && port.writableLength === 0) {
      try {
        const n = writeSync(fd, bytes);
        if (n === bytes.length) {
          this.writeStats.direct++;
          if (onWritten) queueMicrotask(() => onWritten(null));
          return true;
        }
        rest = bytes.subarray(n);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK' && code !== 'EINTR') {
          // The device is gone (EIO/ENXIO on a vanished pty or USB adapter): report it as a loss.
          this.lose(port, err as Error);
          if (onWritten) queueMicrotask(() => onWritten(err as Error));
          return false;
        }
      }
    }
    this.writeStats.stream++;
    port.write(Buffer.from(rest.buffer, rest.byteOffset, rest.byteLength), (err) => onWritten?.(err ?? null));
    return true;
  }

  onData(listener: (chunk: Uint8Array) => void): Unsubscribe {
    return this.dataListeners.add(listener);
  }

  onClose(listener: (err: Error | null) => void): Unsubscribe {
    return this.closeListeners.add(listener);
  }

  private lose(port: SerialPortStream, err: Error): void {
    this.onPortClosed(port, err);
    port.close(() => {});
  }

  private onPortClosed(port: SerialPortStream, err: Error | null): void {
    // The stream may report 'close' twice on a disconnect; only the current port's first counts.
    if (this.port !== port) return;
    this.port = null;
    if (!this.closing) this.closeListeners.emit(err ?? new Error(`${this.description} closed`));
  }

  private async applyLowLatency(port: SerialPortStream): Promise<void> {
    try {
      // Bindings' set() writes every flag; pass the stream's defaults explicitly so DTR/RTS stay up.
      await port.port!.set({ brk: false, cts: false, dsr: false, dtr: true, rts: true, lowLatency: true } as never);
      this.lowLatencyApplied = true;
    } catch {
      this.lowLatencyApplied = false;
    }
  }
}
