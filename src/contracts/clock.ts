/**
 * Source of time for everything that must run both in real time and in lock-step simulation.
 * Algorithms never read the wall clock; they are handed a Clock.
 */
export interface Clock {
  /** Monotonic time in microseconds (arbitrary epoch, never goes backwards). */
  nowUs(): number;
}
