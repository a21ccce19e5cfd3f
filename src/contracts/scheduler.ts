/**
 * Runs callbacks later, on the time of a paired `Clock` (µs). Logic schedules only through an injected
 * Scheduler, so watchdogs, heartbeats and back-offs run exactly on a manual clock in tests and on Node's
 * timers in flight (see src/platform/time.ts for both).
 */
/** Cancels a scheduled task. Idempotent. */
export type Cancel = () => void;

/** Runs callbacks later. Periods and delays are µs of the paired Clock. */
export interface Scheduler {
  /** Calls `fn` every `periodUs` (first call one period from now) until cancelled. */
  every(periodUs: number, fn: () => void): Cancel;
  /** Calls `fn` once after `delayUs`. */
  after(delayUs: number, fn: () => void): Cancel;
}
