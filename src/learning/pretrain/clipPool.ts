/**
 * Runs clip jobs, up to `workers` at a time in worker threads (0 = one after another in this thread), and
 * returns their results in job order, whatever order they finish in: the samples, and so whatever is
 * trained on them, do not depend on scheduling. Each clip is deterministic on its own.
 */
import { startTypeScriptWorker } from '../../platform/typescriptWorker.js';
import { collectClipSamples, jobSeconds, type ClipJob, type ClipResult } from './clipSamples.js';
import type { ClipWorkerMessage } from './clipWorker.js';

/** Progress of all jobs together: simulated seconds done and in total. */
export type PoolProgress = (doneS: number, totalS: number) => void;

export async function runClipJobs(jobs: readonly ClipJob[], workers: number, onProgress?: PoolProgress): Promise<ClipResult[]> {
  const totalS = jobs.reduce((a, j) => a + jobSeconds(j), 0);
  const done = new Float64Array(jobs.length);
  const report = (k: number, s: number) => {
    done[k] = s;
    onProgress?.(done.reduce((a, b) => a + b, 0), totalS);
  };
  const results: ClipResult[] = new Array(jobs.length);
  if (workers <= 0) {
    for (let k = 0; k < jobs.length; k++) results[k] = await collectClipSamples(jobs[k]!, (s) => report(k, s));
    return results;
  }
  let next = 0;
  const runOne = (k: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const w = startTypeScriptWorker(new URL('./clipWorker.ts', import.meta.url), { workerData: jobs[k] });
      let settled = false;
      w.on('message', (m: ClipWorkerMessage) => {
        if (m.type === 'progress') report(k, m.simulatedS);
        else if (m.type === 'done') {
          settled = true;
          results[k] = m.result;
          report(k, jobSeconds(jobs[k]!));
          resolve();
        } else {
          settled = true;
          reject(new Error(`clip ${k} (${jobs[k]!.spec.scenario} seed ${jobs[k]!.spec.seed}): ${m.message}`));
        }
      });
      w.on('error', (e) => {
        settled = true;
        reject(e);
      });
      w.on('exit', (code) => {
        if (!settled) reject(new Error(`clip worker ${k} exited with code ${code} before finishing`));
      });
    });
  const lane = async (): Promise<void> => {
    while (next < jobs.length) await runOne(next++);
  };
  await Promise.all(Array.from({ length: Math.min(workers, jobs.length) }, lane));
  return results;
}
