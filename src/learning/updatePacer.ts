/**
 * Caps the learner's update rate: after an update that started at t, the next may start at
 * t + 1 / maxUpdatesPerS at the earliest. Why cap a learner that could go faster: a learner at full speed
 * keeps a core busy all the time, so when the control path's thread wakes (every 5 ms) there is never an
 * idle core for it — it must preempt the learner or, worse, queue behind another process; leaving idle
 * time lets it start at once. Pure; time from the caller's clock (µs). Null = no cap.
 */
export class UpdatePacer {
  private nextUs = -Infinity;
  private readonly intervalUs: number;

  constructor(maxUpdatesPerS: number | null) {
    if (maxUpdatesPerS !== null && !(maxUpdatesPerS > 0)) throw new RangeError(`maxUpdatesPerS must be > 0 or null, got ${maxUpdatesPerS}`);
    this.intervalUs = maxUpdatesPerS === null ? 0 : 1e6 / maxUpdatesPerS;
  }

  /** Microseconds to wait before the next update may start at `nowUs` (0: go). */
  waitUs(nowUs: number): number {
    return Math.max(0, this.nextUs - nowUs);
  }

  /** Records that an update started at `nowUs`. */
  started(nowUs: number): void {
    // From the actual start: an update that started late (no windows, a long step) earns no burst afterwards.
    this.nextUs = Math.max(this.nextUs, nowUs) + this.intervalUs;
  }
}
