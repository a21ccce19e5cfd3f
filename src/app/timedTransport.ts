/**
 * A `ByteTransport` decorator that notes, on the shared clock, when each write returned: the "setpoint
 * bytes written" end of the latency the closed loop reports (the serial transport hands the bytes to the
 * kernel with one write(2) from the caller, so the return of `write` is when they left the runtime).
 */
import type { Clock } from '../contracts/clock.js';
import type { Unsubscribe } from '../../firmware-bridge/link/listeners.js';
import type { ByteTransport } from '../../firmware-bridge/transport/byteTransport.js';

export class TimedTransport implements ByteTransport {
  /** Writes accepted so far (write returned true). */
  writes = 0;
  /** Clock time (µs) when the latest accepted write returned; NaN before the first. */
  lastWriteReturnedUs = Number.NaN;

  constructor(
    private readonly inner: ByteTransport,
    private readonly clock: Clock,
  ) {}

  get description(): string {
    return this.inner.description;
  }

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  open(): Promise<void> {
    return this.inner.open();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  write(bytes: Uint8Array, onWritten?: (err: Error | null) => void): boolean {
    const ok = this.inner.write(bytes, onWritten);
    if (ok) {
      this.lastWriteReturnedUs = this.clock.nowUs();
      this.writes++;
    }
    return ok;
  }

  onData(listener: (chunk: Uint8Array) => void): Unsubscribe {
    return this.inner.onData(listener);
  }

  onClose(listener: (err: Error | null) => void): Unsubscribe {
    return this.inner.onClose(listener);
  }
}
