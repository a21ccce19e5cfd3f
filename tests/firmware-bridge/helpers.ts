/** Small helpers shared by the firmware-bridge tests. */

/**
 * Waits (real time) until `cond()` holds. The bound only turns a hang into a failure naming
 * `what`; no test asserts on how long it took.
 */
export async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Lets pending promise callbacks run (lock-step tests advance a manual clock between flushes). */
export async function flushMicrotasks(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
