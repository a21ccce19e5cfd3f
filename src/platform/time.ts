/**
 * Real and manual time sources and timers for the whole runtime. Logic reads time only from an injected `Clock` and
 * schedules only through an injected `Scheduler`, so every watchdog, heartbeat and back-off can run
 * on a `ManualClock` + `ManualScheduler` in tests (lock-step, exact) and on the real ones in flight.
 */
import type { Clock } from '../contracts/clock.js';
import type { Cancel, Scheduler } from '../contracts/scheduler.js';

export type { Cancel, Scheduler } from '../contracts/scheduler.js';


/** Monotonic wall time from `performance.now()` (µs). The real adapter of `Clock`. */
export const realClock: Clock = {
  nowUs: () => performance.now() * 1000,
};

/**
 * Node timers. Resolution is about 1 ms, so periods below 1 ms are rounded up; the bridge's fastest
 * periodic work is 200 Hz (5 ms). Timers keep the process alive (a running link or a pending
 * reconnect is work in progress); `close()` on links and transports cancels them.
 */
export const realScheduler: Scheduler = {
  every(periodUs, fn) {
    const h = setInterval(fn, Math.max(1, periodUs / 1000));
    return () => clearInterval(h);
  },
  after(delayUs, fn) {
    const h = setTimeout(fn, Math.max(0, delayUs / 1000));
    return () => clearTimeout(h);
  },
};

/** A clock that moves only when told to. */
export class ManualClock implements Clock {
  constructor(private tUs = 0) {}
  nowUs(): number {
    return this.tUs;
  }
  /** Sets the time; refuses to go backwards (the Clock contract is monotonic). */
  set(tUs: number): void {
    if (tUs < this.tUs) throw new RangeError(`ManualClock cannot go back from ${this.tUs} to ${tUs}`);
    this.tUs = tUs;
  }
}

interface Task {
  dueUs: number;
  periodUs: number; // 0 for one-shot
  fn: () => void;
  cancelled: boolean;
  order: number;
}

/**
 * A scheduler on a `ManualClock`: `advance(dUs)` moves the clock forward, running every task that
 * falls due on the way at its exact due time, in time order (ties: in scheduling order).
 */
export class ManualScheduler implements Scheduler {
  private tasks: Task[] = [];
  private counter = 0;

  constructor(readonly clock: ManualClock) {}

  every(periodUs: number, fn: () => void): Cancel {
    if (!(periodUs > 0)) throw new RangeError(`period must be > 0 µs, got ${periodUs}`);
    return this.add(periodUs, periodUs, fn);
  }

  after(delayUs: number, fn: () => void): Cancel {
    return this.add(Math.max(0, delayUs), 0, fn);
  }

  /** Advances the clock by `dUs`, running due tasks at their due times. */
  advance(dUs: number): void {
    const end = this.clock.nowUs() + dUs;
    for (;;) {
      const next = this.nextTask(end);
      if (!next) break;
      this.clock.set(Math.max(this.clock.nowUs(), next.dueUs));
      if (next.periodUs > 0) next.dueUs += next.periodUs;
      else next.cancelled = true;
      next.fn();
      this.tasks = this.tasks.filter((t) => !t.cancelled);
    }
    this.clock.set(end);
  }

  /** Number of live tasks (for tests that check nothing is left running). */
  get pending(): number {
    return this.tasks.filter((t) => !t.cancelled).length;
  }

  private add(delayUs: number, periodUs: number, fn: () => void): Cancel {
    const task: Task = { dueUs: this.clock.nowUs() + delayUs, periodUs, fn, cancelled: false, order: this.counter++ };
    this.tasks.push(task);
    return () => {
      task.cancelled = true;
    };
  }

  private nextTask(endUs: number): Task | undefined {
    let best: Task | undefined;
    for (const t of this.tasks) {
      if (t.cancelled || t.dueUs > endUs) continue;
      if (!best || t.dueUs < best.dueUs || (t.dueUs === best.dueUs && t.order < best.order)) best = t;
    }
    return best;
  }
}
