/**
 * Starts the simulated world (simWorld.ts) in a worker thread (default) or in the caller's thread, behind
 * one small handle: `info` once it is ready, `run()` for the flight, `stop()` to end it early, `close()`
 * to release it. The worker variant turns every failure of the thread (an exception, an exit before the
 * flight ended) into a rejection of `run()`, and `close()` terminates a thread that does not end by itself.
 */
import type { Worker } from 'node:worker_threads';
import { startTypeScriptWorker } from '../platform/typescriptWorker.js';
import type { SharedTruthChannel } from './sharedTruthChannel.js';
import type { SharedVehicleChannel } from './sharedVehicleChannel.js';
import { SimWorld, type SimWorldInfo, type SimWorldOptions, type SimWorldSummary } from './simWorld.js';

export interface SimWorldWorkerData {
  readonly options: SimWorldOptions;
  readonly channel: SharedArrayBuffer;
  /** The true ν map's channel (sharedTruthChannel.ts), when the flight steers on the truth. */
  readonly truth: SharedArrayBuffer | null;
  /** Nice value for the simulator's thread (Linux), null to leave it. */
  readonly threadNice: number | null;
}

export type SimWorldToHost =
  | { readonly type: 'ready'; readonly info: SimWorldInfo; readonly nice: number | null }
  | { readonly type: 'done'; readonly summary: SimWorldSummary }
  | { readonly type: 'fatal'; readonly error: string };

export type HostToSimWorld = { readonly type: 'run' } | { readonly type: 'stop' };

export interface SimWorldHandle {
  readonly info: SimWorldInfo;
  /** Where the simulator runs, and its thread's nice value (null: not changed, or in the main thread). */
  readonly thread: 'worker' | 'main';
  readonly threadNice: number | null;
  /** Streams the flight; resolves when it has run its duration or was stopped. Call once. */
  run(): Promise<SimWorldSummary>;
  /** Ends the flight early (run() then resolves with `stoppedBy: 'aborted'`). */
  stop(): void;
  /** Stops if needed and releases the publisher (and the thread). Idempotent. */
  close(): Promise<void>;
}

/**
 * Nice value of the simulator's worker thread. The simulated world stands for a camera and the outside
 * world, which on the drone do not compete with the runtime for its cores; here they do, so the world
 * yields when both want one (the simulator's lag behind the wall clock is measured and reported). Mild,
 * because a simulator that falls far behind delivers its windows in bursts.
 */
export const SIM_THREAD_NICE = 5;

/** How long a worker may take to load the simulator and bind its socket, ms. */
const START_TIMEOUT_MS = 60_000;
/** How long `close()` waits for the worker to end by itself before terminating it, ms. */
const EXIT_TIMEOUT_MS = 5_000;

/** Starts the world; with `truth`, it also writes its true ν map there every control period (a diagnostic). */
export async function startSimWorld(options: SimWorldOptions, channel: SharedVehicleChannel, thread: 'worker' | 'main', truth?: SharedTruthChannel): Promise<SimWorldHandle> {
  return thread === 'main' ? startInThread(options, channel, truth) : startInWorker(options, channel, truth);
}

async function startInThread(options: SimWorldOptions, channel: SharedVehicleChannel, truth: SharedTruthChannel | undefined): Promise<SimWorldHandle> {
  const world = await SimWorld.create(options, channel, truth);
  const stop = new AbortController();
  let running: Promise<SimWorldSummary> | undefined;
  return {
    info: world.info,
    thread: 'main',
    threadNice: null,
    run: () => (running ??= world.run(stop.signal)),
    stop: () => stop.abort(),
    close: async () => {
      stop.abort();
      await running?.catch(() => undefined);
      await world.close();
    },
  };
}

async function startInWorker(options: SimWorldOptions, channel: SharedVehicleChannel, truth: SharedTruthChannel | undefined): Promise<SimWorldHandle> {
  const data: SimWorldWorkerData = { options, channel: channel.buffer, truth: truth?.buffer ?? null, threadNice: SIM_THREAD_NICE };
  const worker: Worker = startTypeScriptWorker(new URL('./simWorldWorker.ts', import.meta.url), { workerData: data });
  let exited = false;
  const exit = new Promise<void>((resolve) => worker.once('exit', () => ((exited = true), resolve())));
  // Every outcome of the thread settles the wait that is current: start-up first, then the flight.
  // (Settling a promise twice is a no-op, so late reports after the flight are harmless.)
  let failure: string | undefined;
  let settleRun: ((r: { summary?: SimWorldSummary; error?: string }) => void) | undefined;
  let readyResolve!: (ready: { info: SimWorldInfo; nice: number | null }) => void;
  let readyReject!: (err: Error) => void;
  const ready = new Promise<{ info: SimWorldInfo; nice: number | null }>((resolve, reject) => {
    readyResolve = resolve;
    readyReject = reject;
  });
  const fail = (error: string) => {
    failure ??= error;
    readyReject(new Error(error));
    settleRun?.({ error });
  };
  worker.on('message', (msg: SimWorldToHost) => {
    if (msg.type === 'ready') readyResolve({ info: msg.info, nice: msg.nice });
    else if (msg.type === 'done') settleRun?.({ summary: msg.summary });
    else fail(`simulator: ${msg.error}`);
  });
  worker.on('error', (err) => fail(`simulator thread: ${err.message}`));
  void exit.then(() => fail('simulator thread ended before the flight did'));

  const startTimer = setTimeout(() => fail('the simulator did not start in time'), START_TIMEOUT_MS);
  let info: SimWorldInfo;
  let threadNice: number | null;
  try {
    ({ info, nice: threadNice } = await ready);
  } catch (err) {
    await worker.terminate();
    throw err;
  } finally {
    clearTimeout(startTimer);
  }

  let running: Promise<SimWorldSummary> | undefined;
  let stopRequested = false;
  const close = async (): Promise<void> => {
    if (!exited) worker.postMessage({ type: 'stop' } satisfies HostToSimWorld);
    await running?.catch(() => undefined);
    const timer = setTimeout(() => void worker.terminate(), EXIT_TIMEOUT_MS);
    await exit;
    clearTimeout(timer);
  };
  return {
    info,
    thread: 'worker',
    threadNice,
    run: () =>
      (running ??= new Promise<SimWorldSummary>((resolve, reject) => {
        settleRun = (r) => (r.summary ? resolve(r.summary) : reject(new Error(r.error)));
        if (failure !== undefined) settleRun({ error: failure });
        else {
          worker.postMessage({ type: 'run' } satisfies HostToSimWorld);
          // A stop asked for before the run: the run starts and ends at once (an aborted, empty flight).
          if (stopRequested) worker.postMessage({ type: 'stop' } satisfies HostToSimWorld);
        }
      })),
    stop: () => {
      stopRequested = true;
      if (running !== undefined && !exited) worker.postMessage({ type: 'stop' } satisfies HostToSimWorld);
    },
    close,
  };
}
