import { setTimeout as delay } from 'node:timers/promises';
import * as zmq from 'zeromq';

/** Polls `condition` until it holds; fails with `what` and the current state after a generous deadline. */
export async function until(condition: () => boolean, what: () => string, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await delay(5);
  }
}

/**
 * A raw publisher for sending arbitrary bytes (garbage, hand-made packets). It is an XPUB so the test
 * can wait until the source's subscription has arrived instead of sleeping (slow-joiner loss).
 */
export class RawPublisher {
  readonly socket = new zmq.XPublisher({ linger: 0 });

  async bind(endpoint = 'tcp://127.0.0.1:*'): Promise<string> {
    this.socket.verbosity = 'allSubsUnsubs';
    await this.socket.bind(endpoint);
    return this.socket.lastEndpoint!;
  }

  /** Resolves when the next subscribe message arrives (one per (re)connected subscriber). */
  async waitSubscribed(): Promise<void> {
    for (;;) {
      const [msg] = await this.socket.receive();
      if (msg?.[0] === 1) return;
    }
  }

  send(message: Uint8Array | Uint8Array[]): Promise<void> {
    return this.socket.send(Array.isArray(message) ? message.map((m) => Buffer.from(m)) : Buffer.from(message));
  }

  close(): void {
    this.socket.close();
  }
}

/** Blocks the thread (a consumer that is slow for real, not by a timer in the test's logic). */
export function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
