/**
 * The learner's worker thread (started by learnerHost.ts through src/platform/typescriptWorker.ts).
 *
 * Owns: its own onnxruntime sessions (forward graph and training-step graph, `intraOpThreads` each, default
 * 1), the loss, the Trainer, the checkpoint store, and creates the two shared buffers (sample queue, weight
 * exchange) that it hands to the host in `ready`.
 *
 * Loop: claim the oldest queued window → trainer.offer (forward, loss, and every B windows an update that
 * publishes new weights) → release the slot → periodic checkpoint (written in the background; training
 * goes on). Waits without blocking (Atomics.waitAsync) when the queue is empty, so commands are handled at
 * any time. Commands that change the weights (reset, checkpoint, close) run between windows.
 *
 * Bad input never stops it: a window whose update throws is counted and dropped; a failed checkpoint write
 * is reported and retried at the next period. Only a failure to start (missing artifacts, bad config) ends
 * the worker, with a `fatal` message.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { Clock } from '../contracts/clock.js';
import { setThisThreadIdlePolicy, setThisThreadNice } from '../platform/threadPriority.js';
import { readWeightsFile } from '../platform/weightsFile.js';
import { CheckpointSchedule } from './checkpointSchedule.js';
import { CheckpointStore, type LoadReport } from './checkpointStore.js';
import { type CheckpointReason, weightsSha256 } from './checkpointFormat.js';
import { ForwardSession } from './forwardSession.js';
import { resolveLearnerConfig } from './learnerConfig.js';
import type {
  CloseReport,
  CommandMessage,
  LearnerCommand,
  LearnerEvent,
  LearnerWorkerData,
  ReplyMessage,
  ResumeReport,
  WorkerStatus,
  WorkerToHost,
} from './learnerProtocol.js';
import { InferenceBeat } from './inferenceBeat.js';
import { LearnerQueue } from './learnerQueue.js';
import { ContrastMaximizationLoss } from './loss/index.js';
import { Trainer } from './trainer.js';
import { TrainStepSession } from './trainStepSession.js';
import { UpdatePacer } from './updatePacer.js';
import { WeightExchange } from './weightExchange.js';

/** Longest wait for a window before looking at commands again (they also wake the wait), ms. */
const IDLE_WAIT_MS = 50;
/** With `yieldToInference`: the longest wait for an inference beat before a phase goes ahead anyway (two 200 Hz periods). */
const INFERENCE_BEAT_TIMEOUT_MS = 10;
/** Update errors are reported as events at most this often (all are counted), µs. */
const ERROR_EVENT_INTERVAL_US = 1_000_000;

if (parentPort === null) throw new Error('learnerWorker.ts must run in a worker thread');
const port = parentPort;
const post = (msg: WorkerToHost) => port.postMessage(msg);

async function main(data: LearnerWorkerData): Promise<void> {
  const cfg = resolveLearnerConfig(data.config);
  const priority = cfg.threadNice === null ? { nice: null, error: null } : setThisThreadNice(cfg.threadNice);
  const idlePolicy = cfg.threadSchedIdle ? setThisThreadIdlePolicy() : { applied: false, error: null };
  // The host's realClock is its performance.now(); this thread's performance.now() has another origin.
  const offsetMs = performance.timeOrigin - data.hostTimeOriginMs;
  const clock: Clock = { nowUs: () => (performance.now() + offsetMs) * 1000 };

  const { manifest, data: pretrained } = await readWeightsFile(join(cfg.modelDir, cfg.pretrainedWeights));
  const forward = await ForwardSession.create(await readFile(join(cfg.modelDir, cfg.forwardModelFile)), manifest, cfg.intraOpThreads);
  const stepper = await TrainStepSession.create(await readFile(join(cfg.modelDir, cfg.trainModelFile)), manifest, pretrained, {
    intraOpThreads: cfg.intraOpThreads,
  });
  const loss = new ContrastMaximizationLoss({
    sensor: cfg.sensor,
    network: forward.geometry,
    intrinsics: cfg.intrinsics,
    objective: cfg.loss.objective,
    smoothnessWeight: cfg.loss.smoothnessWeight,
    splatScale: cfg.loss.splatScale,
    maxEvents: cfg.maxEvents,
    ...(cfg.loss.noiseFilter !== null ? { noiseFilter: cfg.loss.noiseFilter } : {}),
    ...(cfg.loss.groundFloor !== null ? { groundFloor: cfg.loss.groundFloor } : {}),
  });
  const exchange = WeightExchange.create(manifest.totalLength);
  const windowsPerUpdate = stepper.sizes.input / forward.sizes.input;
  if (cfg.queueCapacity < windowsPerUpdate + 1) throw new Error(`queueCapacity ${cfg.queueCapacity} < windows per update (${windowsPerUpdate}) + 1`);
  const queue = LearnerQueue.create({ capacity: cfg.queueCapacity, inputLength: forward.sizes.input, maxEvents: cfg.maxEvents });

  const store = cfg.checkpointDir === null ? undefined : new CheckpointStore(cfg.checkpointDir, cfg.checkpointKeep);
  let loaded: LoadReport = { loaded: undefined, rejected: [], removedTemporary: [] };
  const pretrainedSha256 = weightsSha256(pretrained);
  if (store && cfg.resume) {
    loaded = await store.loadLatest({ model: manifest.model, totalLength: manifest.totalLength, trainableLength: stepper.moments.m.length, pretrainedSha256 });
  }
  const beat = InferenceBeat.attach(data.inferenceBeat);
  const trainer = new Trainer(
    {
      forward,
      stepper,
      loss,
      publish: (v, w) => exchange.publish(v, w),
      clock,
      ...(cfg.yieldToInference ? { beforePhase: () => beat.next(INFERENCE_BEAT_TIMEOUT_MS) } : {}),
    },
    {
      pretrained,
      pretrainedVersion: manifest.version,
      model: manifest.model,
      origin: manifest.origin,
      pretrainedSha256,
      resume: loaded.loaded?.state,
      ...(manifest.speedScaling ? { speedScaling: manifest.speedScaling } : {}),
    },
    { ...cfg.trainer, guards: cfg.guards },
  );
  trainer.publishCurrent();
  const resume: ResumeReport = {
    file: loaded.loaded?.file,
    updates: trainer.updateCount,
    weightsVersion: trainer.weightsVersion,
    adamStep: stepper.step,
    rejected: loaded.rejected,
    removedTemporary: loaded.removedTemporary,
  };
  const schedule = new CheckpointSchedule(
    { everyUpdates: cfg.checkpointEveryUpdates, everyUs: cfg.checkpointEverySeconds * 1e6 },
    trainer.weightsVersion,
    clock.nowUs(),
  );

  const pacer = new UpdatePacer(cfg.maxUpdatesPerS);

  // ---- state of the loop
  let paused = false;
  let closing: CommandMessage | undefined;
  const pending: CommandMessage[] = [];
  let updateErrors = 0;
  let lastUpdateError: string | null = null;
  let lastErrorEventUs = -Infinity;
  let discardedOnPause = 0;
  const ckpt = { written: 0, failed: 0, lastFile: loaded.loaded?.file ?? null, lastError: null as string | null };
  let writeChain: Promise<unknown> = Promise.resolve();
  let writesInFlight = 0;
  let wake: (() => void) | undefined;

  const event = (e: LearnerEvent) => post({ type: 'event', event: e });
  const reply = (id: number, ok: boolean, value?: unknown, error?: string) => {
    const msg: ReplyMessage = { type: 'reply', id, ok, value, error };
    post(msg);
  };
  const status = (): WorkerStatus => ({
    paused,
    trainer: trainer.status(),
    checkpoints: { ...ckpt },
    updateErrors,
    lastUpdateError,
    discardedOnPause,
    threadNice: priority.nice,
    threadNiceError: priority.error,
    schedIdle: idlePolicy.applied,
    schedIdleError: idlePolicy.error,
    nowUs: clock.nowUs(),
  });

  /**
   * Copies the current state now and writes it in the background (writes are chained, one at a time), so
   * training goes on during the file I/O. Resolves to the file name, or null when the write failed.
   */
  const checkpoint = (reason: CheckpointReason): Promise<string | null> => {
    if (!store) return Promise.resolve(null);
    const state = trainer.checkpointState(reason, 0); // the store assigns the sequence number
    schedule.written(trainer.weightsVersion, clock.nowUs());
    writesInFlight++;
    const p = writeChain
      .then(() => store.write(state))
      .then(
        (w) => {
          ckpt.written++;
          ckpt.lastFile = w.file;
          event({ kind: 'checkpoint-written', file: w.file, bytes: w.bytes, reason });
          return w.file;
        },
        (err: unknown) => {
          ckpt.failed++;
          ckpt.lastError = err instanceof Error ? err.message : String(err);
          schedule.written(-1, clock.nowUs()); // still dirty: the next period tries again
          event({ kind: 'checkpoint-failed', error: ckpt.lastError });
          return null;
        },
      )
      .finally(() => {
        writesInFlight--;
      });
    writeChain = p;
    return p;
  };

  const drainQueue = () => {
    for (let s = queue.claim(); s !== undefined; s = queue.claim()) {
      queue.release(s);
      discardedOnPause++;
    }
  };

  port.on('message', (msg: CommandMessage) => {
    if (msg?.type !== 'command') return;
    const c: LearnerCommand = msg.command;
    if (c === 'status') reply(msg.id, true, status());
    else if (c === 'clear-figures') {
      trainer.clearTimings();
      reply(msg.id, true);
    }
    else if (c === 'resume') {
      paused = false;
      reply(msg.id, true);
    } else if (c === 'close') closing = msg;
    // Between windows: when `pause` is answered no update is in flight, and none starts until `resume`.
    else if (c === 'pause' || c === 'reset-weights' || c === 'checkpoint') pending.push(msg);
    else reply(msg.id, false, undefined, `unknown command ${String(c)}`);
    wake?.();
    queue.wake();
  });

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });

  post({ type: 'ready', queue: queue.shared, exchange: exchange.buffer, version: trainer.weightsVersion, windowsPerUpdate, network: forward.geometry, resume });

  while (closing === undefined) {
    for (let cmd = pending.shift(); cmd !== undefined; cmd = pending.shift()) {
      if (cmd.command === 'pause') {
        paused = true;
        reply(cmd.id, true);
      } else if (cmd.command === 'reset-weights') reply(cmd.id, true, trainer.resetWeights());
      else if (cmd.command === 'checkpoint') {
        const id = cmd.id;
        void checkpoint('manual').then((file) => reply(id, file !== null || !store, file));
      }
    }
    if (paused) {
      trainer.discardBatch();
      drainQueue();
      await sleep(IDLE_WAIT_MS);
      continue;
    }
    if (trainer.publicationPending) trainer.publishCurrent();
    const waitUs = pacer.waitUs(clock.nowUs());
    if (waitUs > 0) {
      await sleep(waitUs / 1000);
      continue;
    }
    const sample = queue.claim();
    if (sample === undefined) {
      await queue.waitForSample(IDLE_WAIT_MS);
      continue;
    }
    try {
      const before = trainer.updateCount;
      const startUs = clock.nowUs();
      const out = await trainer.offer(sample);
      if (trainer.updateCount !== before) pacer.started(startUs);
      if (out.kind === 'rolled-back') event({ kind: 'rollback', reason: out.reason, version: out.version, atUpdate: trainer.updateCount });
    } catch (err) {
      updateErrors++;
      lastUpdateError = err instanceof Error ? err.message : String(err);
      const now = clock.nowUs();
      if (now - lastErrorEventUs >= ERROR_EVENT_INTERVAL_US) {
        lastErrorEventUs = now;
        event({ kind: 'update-error', error: lastUpdateError, count: updateErrors });
      }
    } finally {
      queue.release(sample);
    }
    if (writesInFlight === 0 && schedule.due(trainer.weightsVersion, clock.nowUs())) void checkpoint('periodic');
  }

  // ---- close: checkpoint on exit, release the sessions, report
  await writeChain;
  let checkpointFile = store ? ckpt.lastFile : null;
  let checkpointError: string | null = null;
  const checkpointWritten = store !== undefined && schedule.dirty(trainer.weightsVersion);
  if (checkpointWritten) {
    checkpointFile = await checkpoint('close');
    if (checkpointFile === null) checkpointError = ckpt.lastError;
  }
  const report: CloseReport = {
    checkpointFile,
    checkpointWritten,
    checkpointError,
    updates: trainer.updateCount,
    version: trainer.weightsVersion,
  };
  await forward.release();
  await stepper.release();
  reply(closing.id, true, report);
  port.close();
}

main(workerData as LearnerWorkerData).catch((err: unknown) => {
  post({ type: 'fatal', error: err instanceof Error ? err.message : String(err) });
  port.close();
});
