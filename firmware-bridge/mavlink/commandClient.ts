/**
 * COMMAND_LONG with acknowledgement: sends, waits for COMMAND_ACK, re-sends (confirmation + 1) after
 * `retryUs`, gives up after `attempts`. COMMAND_ACK names only the command id, so commands with the
 * same id are queued and sent one at a time; `supersede` drops the queue and the pending one (a hold
 * request must not wait behind a mode request).
 *
 * Driven by `service()` from the link's periodic tick (no timers of its own).
 */
import type { Clock } from '../../src/contracts/clock.js';
import { FlightLinkError } from '../link/errors.js';
import type { MavlinkEndpoint } from './mavlinkEndpoint.js';
import { commandLong, MAV_RESULT } from './messages.js';

interface Pending {
  readonly command: number;
  readonly params: readonly number[];
  readonly resolve: (result: number) => void;
  readonly reject: (err: FlightLinkError) => void;
  confirmation: number;
  sentTUs: number;
}

export interface CommandClientOptions {
  clock: Clock;
  targetSystem: number;
  targetComponent: number;
  /** Re-send after this long without an ACK, µs (default 1 s). */
  retryUs?: number;
  /** Sends in total before the command fails with `timeout` (default 3). */
  attempts?: number;
}

export class CommandClient {
  private readonly active = new Map<number, Pending>();
  private readonly queued = new Map<number, Pending[]>();

  constructor(
    private readonly endpoint: MavlinkEndpoint,
    private readonly opts: CommandClientOptions,
  ) {}

  /**
   * Sends a command; resolves with the MAV_RESULT of an ACCEPTED ack, rejects with
   * `command-rejected` (other results), `timeout`, or `closed`.
   */
  send(command: number, params: readonly number[], options: { supersede?: boolean } = {}): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const p: Pending = { command, params, resolve, reject, confirmation: 0, sentTUs: 0 };
      if (options.supersede) this.cancel(command, 'superseded by a newer request');
      if (this.active.has(command)) {
        const q = this.queued.get(command) ?? [];
        q.push(p);
        this.queued.set(command, q);
        return;
      }
      this.start(p);
    });
  }

  /** Feeds a received COMMAND_ACK. */
  onAck(command: number, result: number): void {
    const p = this.active.get(command);
    if (!p) return;
    this.finish(command);
    if (result === MAV_RESULT.ACCEPTED) p.resolve(result);
    else p.reject(new FlightLinkError('command-rejected', `command ${command} refused with MAV_RESULT ${result}`));
  }

  /** Re-sends commands whose ACK is overdue; fails those out of attempts. Call periodically. */
  service(): void {
    const now = this.opts.clock.nowUs();
    for (const p of [...this.active.values()]) {
      if (now - p.sentTUs < (this.opts.retryUs ?? 1_000_000)) continue;
      if (p.confirmation + 1 >= (this.opts.attempts ?? 3)) {
        this.finish(p.command);
        p.reject(new FlightLinkError('timeout', `no COMMAND_ACK for command ${p.command} after ${p.confirmation + 1} attempts`));
        continue;
      }
      p.confirmation++;
      this.transmit(p);
    }
  }

  /** Rejects everything pending (link closing). */
  cancelAll(reason: string): void {
    for (const command of [...this.active.keys()]) this.cancel(command, reason);
  }

  /** True while a command with this id is waiting for its ACK. */
  isPending(command: number): boolean {
    return this.active.has(command);
  }

  private cancel(command: number, reason: string): void {
    const err = new FlightLinkError('closed', `command ${command}: ${reason}`);
    for (const q of this.queued.get(command) ?? []) q.reject(err);
    this.queued.delete(command);
    const p = this.active.get(command);
    this.active.delete(command);
    p?.reject(err);
  }

  private start(p: Pending): void {
    this.active.set(p.command, p);
    this.transmit(p);
  }

  private transmit(p: Pending): void {
    p.sentTUs = this.opts.clock.nowUs();
    this.endpoint.send(commandLong(p.command, p.params, this.opts.targetSystem, this.opts.targetComponent, p.confirmation));
  }

  private finish(command: number): void {
    this.active.delete(command);
    const q = this.queued.get(command);
    const next = q?.shift();
    if (q && q.length === 0) this.queued.delete(command);
    if (next) this.start(next);
  }
}
