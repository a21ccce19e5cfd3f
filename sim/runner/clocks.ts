/**
 * Clocks for the simulator (the `Clock` contract: monotonic microseconds).
 *
 * - `SimClock`: simulation time, advanced only by the lock-step loop. Handing it to the runtime makes
 *   the whole closed loop deterministic and lets it run as fast as the CPU allows.
 * - `WallClock`: real (monotonic) time, for real-time runs and for measuring throughput; the only
 *   place in sim/ that reads the wall clock.
 */
import type { Clock } from '../../src/contracts/clock.js';

export class SimClock implements Clock {
  private tUs: number;

  constructor(startUs = 0) {
    this.tUs = startUs;
  }

  nowUs(): number {
    return this.tUs;
  }

  /** Moves time forward to `tUs` (never backwards). */
  advanceTo(tUs: number): void {
    if (tUs < this.tUs) throw new Error(`SimClock cannot go back from ${this.tUs} to ${tUs} µs`);
    this.tUs = tUs;
  }
}

export class WallClock implements Clock {
  private readonly originMs = performance.now();

  nowUs(): number {
    return Math.floor((performance.now() - this.originMs) * 1000);
  }
}
