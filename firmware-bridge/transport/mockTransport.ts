/**
 * In-memory test double of `ByteTransport`, like node-serialport's MockBinding: a pair of ends,
 * bytes written to one arrive at the other synchronously (re-entrancy safe: a write from inside a
 * data listener is queued and delivered after the current chunk). A test can unplug an end (the
 * port vanishes: writes fail, `open()` rejects until `replug()`), inject raw bytes, and read the
 * log of everything written.
 */
import { Listeners, type Unsubscribe } from '../link/listeners.js';
import type { ByteTransport } from './byteTransport.js';

export class MockTransport implements ByteTransport {
  peer: MockTransport | null = null;
  /** Every chunk written through this end, in order. */
  readonly written: Uint8Array[] = [];
  /** Number of successful `open()` calls. */
  opens = 0;
  private open_ = false;
  private plugged = true;
  private readonly dataListeners = new Listeners<Uint8Array>();
  private readonly closeListeners = new Listeners<Error | null>();
  private readonly inbox: Uint8Array[] = [];
  private delivering = false;

  constructor(readonly description = 'mock') {}

  get isOpen(): boolean {
    return this.open_;
  }

  async open(): Promise<void> {
    if (!this.plugged) throw Object.assign(new Error(`${this.description}: no such device (unplugged)`), { code: 'ENOENT' });
    this.open_ = true;
    this.opens++;
  }

  async close(): Promise<void> {
    this.open_ = false;
  }

  write(bytes: Uint8Array, onWritten?: (err: Error | null) => void): boolean {
    if (!this.open_) return false;
    const copy = Uint8Array.from(bytes);
    this.written.push(copy);
    if (this.peer?.open_) this.peer.receive(copy);
    onWritten?.(null);
    return true;
  }

  onData(listener: (chunk: Uint8Array) => void): Unsubscribe {
    return this.dataListeners.add(listener);
  }

  onClose(listener: (err: Error | null) => void): Unsubscribe {
    return this.closeListeners.add(listener);
  }

  /** Simulates the port vanishing: closes with an error and refuses to reopen until `replug()`. */
  unplug(): void {
    this.plugged = false;
    if (this.open_) {
      this.open_ = false;
      this.closeListeners.emit(Object.assign(new Error(`${this.description}: device disconnected`), { code: 'EIO' }));
    }
  }

  replug(): void {
    this.plugged = true;
  }

  /** Delivers bytes to this end's listeners as if they had arrived from the peer. */
  inject(bytes: Uint8Array): void {
    this.receive(Uint8Array.from(bytes));
  }

  /** All bytes written so far, concatenated. */
  writtenBytes(): Uint8Array {
    return Uint8Array.from(Buffer.concat(this.written));
  }

  private receive(chunk: Uint8Array): void {
    this.inbox.push(chunk);
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let c = this.inbox.shift(); c; c = this.inbox.shift()) this.dataListeners.emit(c);
    } finally {
      this.delivering = false;
    }
  }
}

/** Two connected ends: [a, b]. */
export function createMockTransportPair(nameA = 'mock-a', nameB = 'mock-b'): [MockTransport, MockTransport] {
  const a = new MockTransport(nameA);
  const b = new MockTransport(nameB);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
