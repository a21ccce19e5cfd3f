import type { Clock } from '../../contracts/clock.js';

/**
 * Maps sensor time onto the injected clock at a given speed (pure logic): the first sensor time asked
 * about is due at once, and every later one `(tUs − first) / speed` µs of clock time after that. A
 * producer that fell behind is not re-anchored: it catches up by sending what is overdue at once, so
 * the average rate stays right (the lag is reported instead).
 */
export class RealTimePacer {
  private anchorSensorUs: number | undefined;
  private anchorClockUs = 0;
  /** Largest lag seen by `delayUs`, µs of clock time behind schedule. */
  maxLagUs = 0;

  /** @param speed sensor seconds per clock second; `Infinity` = no pacing (as fast as possible) */
  constructor(
    private readonly clock: Clock,
    readonly speed: number,
  ) {
    if (!(speed > 0)) throw new RangeError(`speed ${speed} must be > 0 (Infinity for as fast as possible)`);
  }

  /** Clock µs to wait before sensor time `tUs` is due; 0 when it is due or overdue. */
  delayUs(tUs: number): number {
    if (this.speed === Number.POSITIVE_INFINITY) return 0;
    const now = this.clock.nowUs();
    if (this.anchorSensorUs === undefined) {
      this.anchorSensorUs = tUs;
      this.anchorClockUs = now;
      return 0;
    }
    const dueUs = this.anchorClockUs + (tUs - this.anchorSensorUs) / this.speed;
    const waitUs = dueUs - now;
    if (-waitUs > this.maxLagUs) this.maxLagUs = -waitUs;
    return waitUs > 0 ? waitUs : 0;
  }
}
