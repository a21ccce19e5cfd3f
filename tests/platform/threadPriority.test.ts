/**
 * Per-thread scheduling (Linux): a worker thread raises its own nice value with setThisThreadNice and
 * switches itself to SCHED_IDLE with setThisThreadIdlePolicy; the kernel reports both for that thread, and
 * the main thread's stay as they were; out-of-range nice values are refused with a reason, not thrown.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startTypeScriptWorker } from '../../src/platform/typescriptWorker.js';

describe.runIf(process.platform === 'linux')('thread priority', () => {
  it('changes only the calling thread: nice value and SCHED_IDLE; refuses nice values outside [0, 19]', async () => {
    const mainTid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    const mainBefore = os.getPriority(mainTid);
    const worker = startTypeScriptWorker(new URL('./workers/niceWorker.ts', import.meta.url));
    const mainPolicy = spawnSync('chrt', ['--pid', String(mainTid)], { encoding: 'utf8' }).stdout;
    const r = await new Promise<{
      tid: number;
      set: unknown;
      observed: number;
      tooHigh: { nice: null; error: string };
      negative: { nice: null };
      idle: { applied: boolean; error: string | null };
      policy: string;
    }>((resolve, reject) => {
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
    if (spawnSync('chrt', ['--version']).status === 0) {
      expect(r.idle).toEqual({ applied: true, error: null });
      expect(r.policy).toContain('SCHED_IDLE');
      expect(spawnSync('chrt', ['--pid', String(mainTid)], { encoding: 'utf8' }).stdout).toBe(mainPolicy);
      expect(mainPolicy).not.toContain('SCHED_IDLE');
    } else {
      expect(r.idle.applied).toBe(false);
      expect(r.idle.error).toContain('chrt');
    }
  });
});
