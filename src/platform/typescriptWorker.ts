/**
 * Starts a worker thread whose entry file is TypeScript, the same way under `node --import tsx`,
 * under bin/evpilot.js (tsx registered programmatically, no --import flag) and under vitest.
 *
 * Why a bootstrap: on Node 20, `new Worker(url.ts, { execArgv: ['--import', 'tsx'] })` fails with
 * ERR_UNKNOWN_FILE_EXTENSION (the entry is resolved before the --import hook is active in the worker),
 * and hooks registered with `register()` in the parent are not inherited. So the worker starts from a
 * small JavaScript file (typescriptWorker.boot.mjs) that registers tsx inside the worker and then imports
 * the TypeScript entry. Registering twice (parent run with --import tsx) is harmless.
 *
 * Threading: call from any thread; the worker runs until its entry finishes or it is terminated.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

const BOOT = new URL('./typescriptWorker.boot.mjs', import.meta.url);

/** A Worker running the TypeScript module at `entry` (a file: URL, e.g. `new URL('./x.ts', import.meta.url)`). */
export function startTypeScriptWorker(entry: URL, options: Omit<WorkerOptions, 'argv' | 'eval'> = {}): Worker {
  return new Worker(BOOT, { ...options, argv: [entry.href] });
}
