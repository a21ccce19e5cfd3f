/**
 * Real-time pacing for the closed loop: after each control period, wait until the injected wall clock
 * has advanced as far as simulation time. I/O side (timers); the simulation itself stays pure.
 */
import type { Clock } from '../../src/contracts/clock.js';

export interface RealTimePacer {
  (simTUs: number): Promise<void>;
  /** How far behind real time the simulation has fallen at worst, µs (0 when it kept up). */
  readonly maxLagUs: number;
}

/**
 * A pacer anchored at the first call: simulation time `simTUs` is due at wall time
 * start + (simTUs − firstSimTUs) / speed.
 */
export function realTimePacer(clock: Clock, speed = 1, sleep: (ms: number) => Promise<void> = defaultSleep): RealTimePacer {
  let wallStart = Number.NaN;
  let simStart = Number.NaN;
  const state = { maxLagUs: 0 };
  const pace = async (simTUs: number): Promise<void> => {
    if (Number.isNaN(wallStart)) {
      wallStart = clock.nowUs();
      simStart = simTUs;
      return;
    }
    const dueUs = wallStart + (simTUs - simStart) / speed;
    const waitUs = dueUs - clock.nowUs();
    if (waitUs > 500) await sleep(waitUs / 1000);
    else if (waitUs < 0) state.maxLagUs = Math.max(state.maxLagUs, -waitUs);
  };
  Object.defineProperty(pace, 'maxLagUs', { get: () => state.maxLagUs });
  return pace as RealTimePacer;
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
