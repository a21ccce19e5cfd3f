/**
 * Per-thread niceness (Linux): a worker thread raises its own nice value with setThisThreadNice, the
 * kernel reports it for that thread, and the main thread's stays as it was; out-of-range values are
 * refused with a reason instead of throwing.
 */
import os from 'node:os';
import { readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startTypeScriptWorker } from '../../src/platform/typescriptWorker.js';

describe.runIf(process.platform === 'linux')('thread priority', () => {
  it('raises only the calling thread’s nice value, and refuses values outside [0, 19]', async () => {
    const mainTid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    const mainBefore = os.getPriority(mainTid);
    const worker = startTypeScriptWorker(new URL('./workers/niceWorker.ts', import.meta.url));
    const r = await new Promise<{ tid: number; set: unknown; observed: number; tooHigh: { nice: null; error: string }; negative: { nice: null } }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(r.tid).not.toBe(mainTid);
    expect(r.set).toEqual({ nice: 15, error: null });
    expect(r.observed).toBe(15);
    expect(os.getPriority(mainTid)).toBe(mainBefore);
    expect(r.tooHigh.nice).toBeNull();
    expect(r.tooHigh.error).toContain('[0, 19]');
    expect(r.negative.nice).toBeNull();
  });
});
