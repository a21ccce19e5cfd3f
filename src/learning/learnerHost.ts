/**
 * The main thread's handle on the in-flight learner: starts the worker (learnerWorker.ts), feeds it windows
 * through the shared sample queue, lends the inference path the newest weights, and relays commands.
 *
 * Threading and timing:
 * - `enqueue` runs on the window path (main thread), once per window: it converts the vehicle state to
 *   camera motion and copies the window into a queue slot (tens of µs; never waits, never allocates a
 *   buffer, never throws for bad input — it returns why a window was not queued).
 * - `tryAdopt` runs on the inference path between windows: two atomic loads when nothing is new, one copy
 *   of the weights (inside the caller's `adopt`) when something is.
 * - Commands (`status`, `clearFigures`, `pause`, `resume`, `resetWeights`, `checkpoint`, `close`) are messages to the worker
 *   and resolve when it answers; they time out (`commandTimeoutMs`) rather than hang.
 * - `close` asks the worker to stop between windows, write a checkpoint if anything changed, release its
 *   sessions and exit; a worker that does not answer in time is terminated.
 * Time: the injected Clock (default realClock) stamps windows and judges the age of the body rates. Sample
 * ages in the status are meaningful with realClock (the worker reads the same time base).
 */
import type { Worker } from 'node:worker_threads';
import type { Clock } from '../contracts/clock.js';
import type { EventWindow } from '../contracts/eventWindow.js';
import type { SensorGeometry } from '../contracts/sensorGeometry.js';
import type { VehicleState } from '../contracts/vehicleState.js';
import { realClock } from '../platform/time.js';
import { startTypeScriptWorker } from '../platform/typescriptWorker.js';
import { cameraMotionFromVehicle, type CameraMotionOptions } from './cameraMotion.js';
import { type LearnerConfig, type LearnerConfigInput, resolveLearnerConfig } from './learnerConfig.js';
import type {
  CloseReport,
  LearnerCommand,
  LearnerEvent,
  LearnerWorkerData,
  ReplyMessage,
  ResumeReport,
  WorkerStatus,
  WorkerToHost,
} from './learnerProtocol.js';
import { InferenceBeat } from './inferenceBeat.js';
import { LearnerQueue, type LearnerQueueCounters } from './learnerQueue.js';
import { WeightExchange, type WeightReader } from './weightExchange.js';

export type EnqueueResult = 'queued' | 'queued-dropped-oldest' | 'paused' | 'no-rates' | 'stale-rates' | 'bad-window' | 'closed';

/** Events as the host reports them: the worker's, plus the worker's own failure. */
export type LearnerHostEvent = LearnerEvent | { readonly kind: 'worker-failed'; readonly error: string };

export interface LearnerHostOptions {
  readonly clock?: Clock;
  /** Called on the main thread for rollbacks, checkpoints, update errors and a worker failure. */
  readonly onEvent?: (event: LearnerHostEvent) => void;
  /** Start-up (sessions, resume) must finish within this, ms; default 120 000. */
  readonly startTimeoutMs?: number;
  /** Each command must be answered within this, ms; default 30 000. */
  readonly commandTimeoutMs?: number;
}

export interface LearnerHostCounters {
  readonly enqueued: number;
  readonly refusedPaused: number;
  readonly refusedNoRates: number;
  readonly refusedStaleRates: number;
  /** Windows whose network input does not have the network's size (a wiring error). */
  readonly refusedBadWindow: number;
  readonly refusedClosed: number;
}

export interface LearnerStatus {
  readonly state: 'running' | 'paused' | 'closed' | 'failed';
  /** The worker's figures (null once it is gone). */
  readonly worker: WorkerStatus | null;
  readonly queue: LearnerQueueCounters;
  readonly host: LearnerHostCounters;
  /** Newest published version and the version inference last adopted through `tryAdopt`. */
  readonly weights: { readonly published: number | undefined; readonly adopted: number };
  readonly resume: ResumeReport;
  readonly failure: string | null;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class LearnerHost {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private paused = false;
  private state: 'running' | 'closing' | 'closed' | 'failed' = 'running';
  private failure: string | null = null;
  private readonly counts = { enqueued: 0, refusedPaused: 0, refusedNoRates: 0, refusedStaleRates: 0, refusedBadWindow: 0, refusedClosed: 0 };
  private readonly reader: WeightReader;
  private readonly motionOptions: CameraMotionOptions;
  private readonly clock: Clock;

  private constructor(
    private readonly worker: Worker,
    private readonly queue: LearnerQueue,
    private readonly exchange: WeightExchange,
    readonly config: LearnerConfig,
    /** Windows per update (the training graph's batch). */
    readonly windowsPerUpdate: number,
    /** Network geometry (ν map and input). */
    readonly network: SensorGeometry,
    /** What start-up resumed from, and which checkpoints it rejected. */
    readonly resumeReport: ResumeReport,
    private readonly beat: InferenceBeat,
    private readonly options: LearnerHostOptions,
  ) {
    this.clock = options.clock ?? realClock;
    this.reader = exchange.reader();
    this.motionOptions = { mountPitchUpRad: config.mountPitchUpRad, maxRatesAgeUs: config.maxRatesAgeMs * 1000 };
    worker.on('message', (msg: WorkerToHost) => this.onMessage(msg));
    worker.on('error', (err) => this.fail(`learner worker error: ${err.message}`));
    worker.on('exit', (code) => {
      if (this.state === 'closing') this.rejectPending(`learner worker exited (code ${code}) before answering`);
      else if (this.state !== 'closed') this.fail(`learner worker exited (code ${code})`);
    });
  }

  /** Starts the worker and resolves once it has loaded its sessions, resumed, and published weights. */
  static async start(configInput: LearnerConfigInput, options: LearnerHostOptions = {}): Promise<LearnerHost> {
    const config = resolveLearnerConfig(configInput);
    const beat = InferenceBeat.create();
    const data: LearnerWorkerData = { config, hostTimeOriginMs: performance.timeOrigin, inferenceBeat: beat.buffer };
    const worker = startTypeScriptWorker(new URL('./learnerWorker.ts', import.meta.url), { workerData: data });
    const ready = await new Promise<Extract<WorkerToHost, { type: 'ready' }>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('learner worker did not start in time')), options.startTimeoutMs ?? 120_000);
      const done = (err?: Error) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (err) reject(err);
      };
      const onMessage = (msg: WorkerToHost) => {
        if (msg.type === 'ready') {
          done();
          resolve(msg);
        } else if (msg.type === 'fatal') done(new Error(`learner worker failed to start: ${msg.error}`));
      };
      const onError = (err: Error) => done(err);
      const onExit = (code: number) => done(new Error(`learner worker exited during start-up (code ${code})`));
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    }).catch(async (err: unknown) => {
      await worker.terminate();
      throw err;
    });
    return new LearnerHost(
      worker,
      LearnerQueue.attach(ready.queue),
      WeightExchange.attach(ready.exchange),
      config,
      ready.windowsPerUpdate,
      ready.network,
      ready.resume,
      beat,
      options,
    );
  }

  /**
   * Queues a copy of `window` for learning with the camera motion from `vehicle` (the latest FC state).
   * Never throws for bad input: returns why the window was not queued (paused, no or stale body rates,
   * an input of the wrong size, learner closed). A full queue drops its oldest window ('queued-dropped-oldest').
   */
  enqueue(window: EventWindow, vehicle: VehicleState | null): EnqueueResult {
    if (this.state !== 'running') {
      this.counts.refusedClosed++;
      return 'closed';
    }
    if (this.paused) {
      this.counts.refusedPaused++;
      return 'paused';
    }
    if (window.input.data.length !== this.queue.layout.inputLength) {
      this.counts.refusedBadWindow++;
      return 'bad-window';
    }
    const now = this.clock.nowUs();
    const motion = cameraMotionFromVehicle(vehicle, now, this.motionOptions);
    if (motion === 'no-rates') {
      this.counts.refusedNoRates++;
      return motion;
    }
    if (motion === 'stale-rates') {
      this.counts.refusedStaleRates++;
      return motion;
    }
    const dropped = this.queue.push(window, motion, now);
    this.counts.enqueued++;
    return dropped ? 'queued-dropped-oldest' : 'queued';
  }

  /**
   * Inference side, between windows: when the learner published weights newer than the last adopted,
   * calls `adopt(version, weights)` (a view valid during the call; e.g. `(v, w) => net.setWeights(v, w)`)
   * and returns the version; otherwise undefined.
   */
  tryAdopt(adopt: (version: number, weights: Float32Array) => void): number | undefined {
    return this.reader.tryAdopt(adopt);
  }

  /** Inference side: a window's inference has just finished (the learner's cue when `yieldToInference`). Never blocks. */
  inferenceDone(): void {
    this.beat.beat();
  }

  /** The learner's figures; after close or a failure, what the host still knows. */
  async status(): Promise<LearnerStatus> {
    let worker: WorkerStatus | null = null;
    if (this.state === 'running') worker = (await this.command('status').catch(() => null)) as WorkerStatus | null;
    return {
      state: this.state === 'running' ? (this.paused ? 'paused' : 'running') : this.state === 'failed' ? 'failed' : 'closed',
      worker,
      queue: this.queue.counters(),
      host: { ...this.counts },
      weights: { published: this.exchange.publishedVersion(), adopted: this.reader.adoptedVersion },
      resume: this.resumeReport,
      failure: this.failure,
    };
  }

  /** Forgets the per-phase timing figures (e.g. after a warm-up, or per telemetry period). */
  async clearFigures(): Promise<void> {
    await this.command('clear-figures');
  }

  /** Stops learning: windows are refused from now on, queued ones discarded, weights kept. */
  async pause(): Promise<void> {
    this.paused = true;
    await this.command('pause');
  }

  async resume(): Promise<void> {
    await this.command('resume');
    this.paused = false;
  }

  /** Back to the pretrained weights (Adam reset); resolves to the version they are published under. */
  async resetWeights(): Promise<number> {
    return (await this.command('reset-weights')) as number;
  }

  /** Writes a checkpoint now; resolves to its file name (null without a checkpoint directory). */
  async checkpoint(): Promise<string | null> {
    return (await this.command('checkpoint')) as string | null;
  }

  /** Stops the learner: checkpoint on exit, sessions released, worker gone. Safe to call twice. */
  async close(): Promise<CloseReport> {
    if (this.state === 'closed' || this.state === 'failed') {
      return { checkpointFile: null, checkpointWritten: false, checkpointError: this.failure, updates: 0, version: this.exchange.publishedVersion() ?? -1 };
    }
    this.state = 'closing';
    try {
      return (await this.command('close', true)) as CloseReport;
    } finally {
      this.state = 'closed';
      await this.worker.terminate();
    }
  }

  private command(command: LearnerCommand, allowClosing = false): Promise<unknown> {
    if (this.state === 'failed') return Promise.reject(new Error(`learner failed: ${this.failure}`));
    if (this.state !== 'running' && !allowClosing) return Promise.reject(new Error('learner is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`learner did not answer '${command}' in time`));
      }, this.options.commandTimeoutMs ?? 30_000);
      this.pending.set(id, { resolve, reject, timer });
      this.worker.postMessage({ type: 'command', id, command });
    });
  }

  private onMessage(msg: WorkerToHost): void {
    if (msg.type === 'reply') this.settle(msg);
    else if (msg.type === 'event') this.options.onEvent?.(msg.event);
    else if (msg.type === 'fatal') this.fail(msg.error);
  }

  private settle(msg: ReplyMessage): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.ok) p.resolve(msg.value);
    else p.reject(new Error(msg.error ?? 'learner command failed'));
  }

  private fail(error: string): void {
    if (this.state === 'failed' || this.state === 'closed') return;
    this.state = 'failed';
    this.failure = error;
    this.rejectPending(error);
    this.options.onEvent?.({ kind: 'worker-failed', error });
  }

  private rejectPending(error: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error(error));
      this.pending.delete(id);
    }
  }
}
