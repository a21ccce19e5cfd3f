/**
 * A byte pipe to a flight controller: serial port, UDP or TCP socket, or an in-memory double.
 * Transports only move bytes; framing and meaning live in the protocol codecs.
 */
import type { Unsubscribe } from '../link/listeners.js';

export interface ByteTransport {
  /** Human-readable endpoint, e.g. `serial:/dev/ttyTHS1@921600`, `udp:0.0.0.0:14540`. */
  readonly description: string;
  /** True between a successful `open()` and the transport's loss or `close()`. */
  readonly isOpen: boolean;
  /** Opens once; rejects with the OS error. A reconnecting wrapper retries. */
  open(): Promise<void>;
  /** Closes; idempotent. Does not fire `onClose` listeners with an error. */
  close(): Promise<void>;
  /**
   * Hands bytes to the OS without queueing them in JavaScript beyond the stream's own buffer.
   * Returns false (and writes nothing) when the transport is not open. `onWritten` is called once
   * the OS accepted the bytes (serial: the binding's write resolved; sockets: the write callback),
   * or with the error.
   */
  write(bytes: Uint8Array, onWritten?: (err: Error | null) => void): boolean;
  /** Every chunk received, in order. The chunk is only valid during the call. */
  onData(listener: (chunk: Uint8Array) => void): Unsubscribe;
  /** Called when the transport closes by itself (port vanished, peer hung up), with the cause. */
  onClose(listener: (err: Error | null) => void): Unsubscribe;
}
