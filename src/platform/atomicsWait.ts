/**
 * Atomics.waitAsync (ES2024; in Node since 16), typed here because the project's lib is ES2023.
 * Resolves with 'ok' when the word at `index` is notified, 'not-equal' when it no longer holds `value`, or
 * 'timed-out'; never blocks the thread, so a worker keeps handling its messages meanwhile.
 */
const waitAsyncRaw = (Atomics as unknown as {
  waitAsync(a: Int32Array, index: number, value: number, timeoutMs: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

export async function waitAsync(a: Int32Array, index: number, value: number, timeoutMs: number): Promise<'ok' | 'not-equal' | 'timed-out'> {
  const r = waitAsyncRaw(a, index, value, timeoutMs);
  return (r.async ? await r.value : r.value) as 'ok' | 'not-equal' | 'timed-out';
}
