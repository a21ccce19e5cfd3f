/**
 * Scheduling priority of the calling thread (not the whole process). Linux only: a thread's id comes from
 * /proc/thread-self, and setpriority(PRIO_PROCESS, tid) — what os.setPriority does — then applies to that
 * one thread. Used to run the learner below the control path: when both want a core, the kernel's fair
 * scheduler gives the nicer thread a smaller share (nice 10 ≈ 1/10 of a nice-0 thread's weight), so the
 * 200 Hz inference keeps its deadlines and learning takes what is left.
 * Raising niceness needs no privilege; lowering it back does, so this only ever raises it.
 */
import { spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import os from 'node:os';

export interface ThreadNiceResult {
  /** The nice value now in force for this thread (≥ the one asked for), or null when it could not be set. */
  readonly nice: number | null;
  /** Why not, when it could not be set (not Linux, no /proc, refused). */
  readonly error: string | null;
}

/** Makes the calling thread at least `nice` (0–19) nice; reports the value in force. Never throws. */
export function setThisThreadNice(nice: number): ThreadNiceResult {
  if (!(Number.isInteger(nice) && nice >= 0 && nice <= 19)) return { nice: null, error: `nice must be an integer in [0, 19], got ${nice}` };
  if (process.platform !== 'linux') return { nice: null, error: `per-thread priority is only supported on Linux (this is ${process.platform})` };
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return { nice: null, error: 'could not read this thread id from /proc/thread-self' };
    // Already at least this nice (e.g. the whole process was started with `nice`): keep it, lowering needs privilege.
    if (os.getPriority(tid) < nice) os.setPriority(tid, nice);
    return { nice: os.getPriority(tid), error: null };
  } catch (err) {
    return { nice: null, error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Puts the calling thread under SCHED_IDLE (Linux, through util-linux `chrt`, run once): it then runs only
 * when a core has nothing else to do, and — unlike a merely nice thread — the kernel counts a core that
 * runs only SCHED_IDLE threads as idle when it places a waking thread, so the control path's thread wakes
 * straight onto the learner's core instead of queueing behind another busy process. Never throws.
 */
export function setThisThreadIdlePolicy(): { readonly applied: boolean; readonly error: string | null } {
  if (process.platform !== 'linux') return { applied: false, error: `SCHED_IDLE is Linux only (this is ${process.platform})` };
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    const r = spawnSync('chrt', ['--idle', '--pid', '0', String(tid)], { encoding: 'utf8', timeout: 5000 });
    if (r.error) return { applied: false, error: `chrt: ${r.error.message}` };
    if (r.status !== 0) return { applied: false, error: `chrt exited ${r.status}: ${r.stderr.trim()}` };
    return { applied: true, error: null };
  } catch (err) {
    return { applied: false, error: err instanceof Error ? err.message : String(err) };
  }
}
