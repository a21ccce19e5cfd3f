/**
 * Keeps a transport open: opens it through a factory, and when it closes by itself (serial adapter
 * unplugged, pty gone, socket reset) opens a fresh one with exponential back-off until `close()`.
 * Writes while disconnected return false (dropped, the caller counts them): a setpoint is worth
 * nothing late, so nothing is queued for later.
 *
 * Timing runs on the injected Clock/Scheduler, so back-off is testable on a manual clock.
 */
import type { Clock } from '../../src/contracts/clock.js';
import { Listeners, type Unsubscribe } from '../link/listeners.js';
import type { Cancel, Scheduler } from '../../src/contracts/scheduler.js';
import type { ByteTransport } from './byteTransport.js';

export interface ReconnectOptions {
  clock: Clock;
  scheduler: Scheduler;
  /** First retry delay, µs (default 100 ms). */
  initialDelayUs?: number;
  /** Longest retry delay, µs (default 2 s). */
  maxDelayUs?: number;
  /** Delay growth per failed attempt (default 2). */
  factor?: number;
  /**
   * How long the first `open()` keeps trying before it rejects, µs. Default: forever (a drone's
   * companion may boot before the flight controller).
   */
  openTimeoutUs?: number;
}

export type TransportEvent =
  | { readonly kind: 'open'; readonly attempt: number; readonly reconnect: boolean }
  | { readonly kind: 'lost'; readonly error: Error | null }
  | { readonly kind: 'open-failed'; readonly attempt: number; readonly error: Error; readonly retryInUs: number };

export class ReconnectingTransport implements ByteTransport {
  readonly description: string;
  /** Successful re-opens after a loss. */
  reconnects = 0;
  /** Failed open attempts. */
  openFailures = 0;
  private inner: ByteTransport | null = null;
  private innerSubs: Unsubscribe[] = [];
  private stopped = true;
  private everOpened = false;
  private attempt = 0;
  private delayUs: number;
  private retryCancel: Cancel | null = null;
  private readonly dataListeners = new Listeners<Uint8Array>();
  private readonly closeListeners = new Listeners<Error | null>();
  private readonly eventListeners = new Listeners<TransportEvent>();

  constructor(
    private readonly factory: () => ByteTransport,
    private readonly opts: ReconnectOptions,
    description?: string,
  ) {
    this.delayUs = opts.initialDelayUs ?? 100_000;
    this.description = description ?? `reconnecting(${factory().description})`;
  }

  get isOpen(): boolean {
    return this.inner?.isOpen ?? false;
  }

  /** Resolves on the first successful open; retries meanwhile; rejects on `openTimeoutUs` or `close()`. */
  open(): Promise<void> {
    this.stopped = false;
    const startUs = this.opts.clock.nowUs();
    return new Promise<void>((resolve, reject) => {
      const tryOpen = (): void => {
        this.retryCancel = null;
        if (this.stopped) {
          reject(new Error(`${this.description}: closed before it opened`));
          return;
        }
        this.attemptOpen().then((err) => {
          if (!err) return resolve();
          const timeout = this.opts.openTimeoutUs;
          if (timeout !== undefined && this.opts.clock.nowUs() - startUs + this.delayUs > timeout) {
            this.stopped = true;
            reject(err);
            return;
          }
          this.retryCancel = this.opts.scheduler.after(this.takeDelay(), tryOpen);
        });
      };
      tryOpen();
    });
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.retryCancel?.();
    this.retryCancel = null;
    const inner = this.detach();
    await inner?.close();
  }

  write(bytes: Uint8Array, onWritten?: (err: Error | null) => void): boolean {
    return this.inner?.write(bytes, onWritten) ?? false;
  }

  onData(listener: (chunk: Uint8Array) => void): Unsubscribe {
    return this.dataListeners.add(listener);
  }

  /** Never fires by itself: losses are retried (see `onEvent`). Present for the interface. */
  onClose(listener: (err: Error | null) => void): Unsubscribe {
    return this.closeListeners.add(listener);
  }

  /** Opens, losses and failed attempts, for link health and logs. */
  onEvent(listener: (event: TransportEvent) => void): Unsubscribe {
    return this.eventListeners.add(listener);
  }

  /** One attempt; resolves with the error on failure (never rejects). */
  private async attemptOpen(): Promise<Error | null> {
    this.attempt++;
    const t = this.factory();
    try {
      await t.open();
    } catch (err) {
      this.openFailures++;
      const error = err instanceof Error ? err : new Error(String(err));
      this.eventListeners.emit({ kind: 'open-failed', attempt: this.attempt, error, retryInUs: this.delayUs });
      return error;
    }
    if (this.stopped) {
      await t.close();
      return new Error(`${this.description}: closed while opening`);
    }
    this.inner = t;
    this.innerSubs = [t.onData((c) => this.dataListeners.emit(c)), t.onClose((e) => this.onLost(t, e))];
    const reconnect = this.everOpened;
    if (reconnect) this.reconnects++;
    this.everOpened = true;
    this.delayUs = this.opts.initialDelayUs ?? 100_000;
    this.eventListeners.emit({ kind: 'open', attempt: this.attempt, reconnect });
    return null;
  }

  private onLost(t: ByteTransport, error: Error | null): void {
    if (this.inner !== t) return;
    this.detach();
    this.eventListeners.emit({ kind: 'lost', error });
    if (!this.stopped) this.scheduleRetry();
  }

  private scheduleRetry(): void {
    this.retryCancel = this.opts.scheduler.after(this.takeDelay(), () => {
      this.retryCancel = null;
      if (this.stopped) return;
      void this.attemptOpen().then((err) => {
        if (err && !this.stopped) this.scheduleRetry();
      });
    });
  }

  private takeDelay(): number {
    const d = this.delayUs;
    this.delayUs = Math.min(this.delayUs * (this.opts.factor ?? 2), this.opts.maxDelayUs ?? 2_000_000);
    return d;
  }

  private detach(): ByteTransport | null {
    const t = this.inner;
    for (const u of this.innerSubs) u();
    this.innerSubs = [];
    this.inner = null;
    return t;
  }
}
