/**
 * The learner's update loop for one network, independent of threads and files: every collaborator (forward
 * pass, training step, loss, weight publication, clock) is injected, so tests drive it with real
 * onnxruntime sessions on the main thread and the worker drives it with its own.
 *
 * Per window (`offer`): ν = forward(window input, current weights); loss and dL/dν of the window's events
 * (contrast maximisation with the window's body rates and FOE); the input and dL/dν go into the batch.
 * Per update (every `windowsPerUpdate` usable windows — the batch size B of the training-step graph):
 * guards on the mean loss, one training step (forward again inside the graph, backprop through every
 * trainable layer, global-norm clipping, Adam), guards on the result (non-finite gradient, drift from the
 * pretrained weights), then the new weights are published under a new version. The batch gradient is the
 * mean of the windows' dL/dν (the graph sums over the batch, so each is scaled by 1/B).
 *
 * Why the forward pass runs twice: the loss needs ν before the training step can take dL/dν, and the
 * training-step graph recomputes the forward pass to backpropagate through it. The extra forward costs one
 * inference (≈ 0.7 ms of the update).
 *
 * Rollback: restore the last good weights (learnerGuards.ts explains which), reset Adam's moments and step
 * (the moments belong to the abandoned trajectory), discard the partial batch, publish under a new version.
 * Versions only ever increase, so inference adopts restored weights like any other.
 *
 * Not thread-safe: one caller, one `offer` at a time (the worker's loop).
 */
import type { Clock } from '../contracts/clock.js';
import { outputToNuScale, type SpeedScaling } from '../contracts/networkOutput.js';
import { type CheckpointHeader, type CheckpointReason, type CheckpointState, CHECKPOINT_FORMAT } from './checkpointFormat.js';
import { type GuardCounters, type GuardThresholds, LearnerGuards, type RollbackReason, relativeDrift } from './learnerGuards.js';
import type { ContrastLossInput } from './loss/index.js';
import { type PhaseSummary, PhaseTimings } from './phaseTimings.js';
import type { TrainStepHyper, TrainStepResult } from './trainStepSession.js';
import type { TrainingSample } from './trainingSample.js';

/** ν for one window (ForwardSession). The result is owned by the model and overwritten by the next run. */
export interface ForwardModel {
  readonly sizes: { readonly input: number; readonly output: number };
  /** ν for one window: the network's output times `scale` (1 when absent). */
  run(input: Float32Array, weights: Float32Array, scale?: number): Promise<Float32Array>;
}

/** The training step (TrainStepSession). */
export interface TrainStepper {
  /** Elements of the batch input (B × C × H × W) and of dL/dν (B × H × W). */
  readonly sizes: { readonly input: number; readonly upstream: number };
  readonly weights: Float32Array;
  readonly moments: { readonly m: Float32Array; readonly v: Float32Array };
  readonly step: number;
  run(input: Float32Array, gradNu: Float32Array, hyper: TrainStepHyper): Promise<TrainStepResult>;
  setWeights(weights: Float32Array, resetOptimizer?: boolean): void;
  restoreState(weights: Float32Array, m: Float32Array, v: Float32Array, step: number): void;
}

/** The window loss (ContrastMaximizationLoss): writes dL/dν into `gradOut`, returns the loss. */
export interface WindowLoss {
  evaluate(input: ContrastLossInput, gradOut: Float32Array): { readonly loss: number; readonly events: number };
}

/** Publishes weights to inference (WeightExchange.publish); false = not published now, try again later. */
export type WeightsPublisher = (version: number, weights: Float32Array) => boolean;

export interface TrainerOptions {
  /** Adam learning rate; default 1e-4. */
  readonly learningRate: number;
  /** Global gradient-norm bound before Adam; default 1 (Infinity disables clipping). */
  readonly maxGradNorm: number;
  /** Windows with fewer learner events are not trained on (the loss has no signal, only smoothing); default 200. */
  readonly minEventsPerWindow: number;
  readonly guards: Partial<GuardThresholds>;
  /**
   * Inference gets an exponential moving average of the trained weights over about this many updates
   * (Polyak averaging; 0 = the trained weights themselves). The trained weights follow each latest scene's
   * gradient; their average holds what the recent scenes agree on. Checkpoints keep the trained weights, and a
   * resumed, rolled-back or reset learner restarts the average from them.
   */
  readonly averageOverUpdates: number;
  /**
   * Learning-rate settling: the rate starts at `learningRate` and falls exponentially, with this time constant
   * in updates, toward `settledFraction` × `learningRate` (0 = a constant rate). Counted from the trainer's
   * start (a resumed learner adapts quickly again in a new flight) and restarted by a weights reset. Fast at
   * first, to leave the pretraining domain; slower later, so the map's level follows a longer stretch of
   * flight instead of the latest scenes.
   */
  readonly settleOverUpdates: number;
  /** The settled rate as a fraction of `learningRate`, (0, 1]; used only with `settleOverUpdates` > 0. */
  readonly settledFraction: number;
}

export const DEFAULT_TRAINER_OPTIONS: TrainerOptions = { learningRate: 1e-4, maxGradNorm: 1, minEventsPerWindow: 200, guards: {}, averageOverUpdates: 0, settleOverUpdates: 0, settledFraction: 1 };

/** The learning rate after `n` updates under a settling schedule (TrainerOptions.settleOverUpdates). */
export function settlingLearningRate(o: Pick<TrainerOptions, 'learningRate' | 'settleOverUpdates' | 'settledFraction'>, n: number): number {
  if (!(o.settleOverUpdates > 0)) return o.learningRate;
  const f = o.settledFraction;
  return o.learningRate * (f + (1 - f) * Math.exp(-n / o.settleOverUpdates));
}

export interface TrainerDeps {
  readonly forward: ForwardModel;
  readonly stepper: TrainStepper;
  readonly loss: WindowLoss;
  readonly publish: WeightsPublisher;
  /** Time for the phase figures and checkpoint stamps (aligned with the host's clock for sample ages). */
  readonly clock: Clock;
  /**
   * Awaited before each heavy phase (the forward pass with the loss; the training step): the in-flight learner's
   * wait for the control path's inference beat when `yieldToInference` (inferenceBeat.ts). Absent: no wait.
   */
  readonly beforePhase?: () => Promise<unknown>;
}

export interface TrainerInit {
  /** The pretrained weights: the drift reference and what `resetWeights` restores. Copied. */
  readonly pretrained: Float32Array;
  /** Version of the pretrained weights (their manifest's). */
  readonly pretrainedVersion: number;
  /** Network name and weights origin, written into checkpoints. */
  readonly model: string;
  readonly origin: string;
  /** SHA-256 of the pretrained weights (checkpointFormat.ts `weightsSha256`), written into checkpoints; absent: not recorded. */
  readonly pretrainedSha256?: string;
  /** Resume from this checkpoint instead of the pretrained weights. */
  readonly resume?: CheckpointState;
  /**
   * The weights' output normalisation (WeightsManifest.speedScaling): ν = output × the window's speed scale,
   * so the loss sees ν and the training step gets dL/d(output) = scale · dL/dν. Absent: output = ν.
   */
  readonly speedScaling?: SpeedScaling;
}

export type TrainerPhase = 'forward' | 'loss' | 'trainStep' | 'guards' | 'publish' | 'update' | 'sampleAge';
const PHASES: readonly TrainerPhase[] = ['forward', 'loss', 'trainStep', 'guards', 'publish', 'update', 'sampleAge'];

/** What one `offer` did. */
export type OfferOutcome =
  | { readonly kind: 'sparse' }
  | { readonly kind: 'batched'; readonly have: number; readonly need: number }
  | { readonly kind: 'updated'; readonly version: number; readonly loss: number; readonly gradNorm: number; readonly drift: number }
  | { readonly kind: 'skipped'; readonly reason: 'non-finite-loss' | 'non-finite-gradient' }
  | { readonly kind: 'rolled-back'; readonly reason: RollbackReason; readonly version: number };

export interface TrainerStatus {
  /** Updates applied over the learner's life (continues across resumes). */
  readonly updates: number;
  /** Version of the current weights. */
  readonly version: number;
  /** Adam step of the current moments. */
  readonly adamStep: number;
  readonly windowsOffered: number;
  readonly windowsSparse: number;
  /** Mean loss, gradient norm (before clipping) and relative drift of the last applied update (NaN before one). */
  readonly lastLoss: number;
  readonly lastGradNorm: number;
  readonly lastDrift: number;
  /**
   * The last window trained on: its span (tEndUs − tStartUs, the loss window), µs; the learner events it
   * brought; and the events the loss used (after its noise filter). NaN before one.
   */
  readonly lastWindow: { readonly spanUs: number; readonly events: number; readonly lossEvents: number };
  /** The learning rate the next update uses (the settling schedule's current value; TrainerOptions). */
  readonly learningRate: number;
  /** Publications that found no free slot (retried with the next update). */
  readonly publishDeferred: number;
  readonly resets: number;
  readonly guards: GuardCounters;
  readonly timings: Record<TrainerPhase, PhaseSummary>;
}

export class Trainer {
  readonly options: TrainerOptions;
  readonly windowsPerUpdate: number;
  private readonly guards: LearnerGuards;
  private readonly timings = new PhaseTimings<TrainerPhase>(PHASES);
  private readonly pretrained: Float32Array;
  private readonly lastGood: Float32Array;
  private readonly candidate: Float32Array;
  /** The moving average inference gets (null when averaging is off). */
  private readonly averaged: Float32Array | null;
  private readonly batchInput: Float32Array;
  private readonly batchGrad: Float32Array;
  private readonly inputLength: number;
  private readonly mapLength: number;
  private readonly hyper: TrainStepHyper;
  private batched = 0;
  private batchLossSum = 0;
  private updates = 0;
  /** Updates since this trainer started or was last reset: the settling schedule's clock. */
  private updatesThisRun = 0;
  private version: number;
  private publishPending = false;
  /** Clock time when the current batch's first window was offered (for the 'update' phase). */
  private updateStartUs = 0;
  private counts = { windowsOffered: 0, windowsSparse: 0, publishDeferred: 0, resets: 0 };
  private lastWindow = { spanUs: NaN, events: NaN, lossEvents: NaN };
  private last = { loss: NaN, gradNorm: NaN, drift: NaN };

  constructor(
    private readonly deps: TrainerDeps,
    private readonly init: TrainerInit,
    options: Partial<TrainerOptions> = {},
  ) {
    this.options = { ...DEFAULT_TRAINER_OPTIONS, ...options };
    const o = this.options;
    if (!(o.learningRate > 0 && Number.isFinite(o.learningRate))) throw new RangeError(`learningRate must be finite and > 0, got ${o.learningRate}`);
    if (!(o.maxGradNorm > 0)) throw new RangeError(`maxGradNorm must be > 0 (Infinity disables clipping), got ${o.maxGradNorm}`);
    if (!(Number.isInteger(o.minEventsPerWindow) && o.minEventsPerWindow >= 0)) throw new RangeError(`minEventsPerWindow must be an integer ≥ 0, got ${o.minEventsPerWindow}`);
    if (!(o.averageOverUpdates >= 0 && Number.isFinite(o.averageOverUpdates))) throw new RangeError(`averageOverUpdates must be finite and ≥ 0, got ${o.averageOverUpdates}`);
    if (!(o.settleOverUpdates >= 0 && Number.isFinite(o.settleOverUpdates))) throw new RangeError(`settleOverUpdates must be finite and ≥ 0, got ${o.settleOverUpdates}`);
    if (!(o.settledFraction > 0 && o.settledFraction <= 1)) throw new RangeError(`settledFraction must be in (0, 1], got ${o.settledFraction}`);
    this.guards = new LearnerGuards(o.guards);
    this.hyper = { learningRate: o.learningRate, maxGradNorm: o.maxGradNorm };
    const { forward, stepper } = deps;
    this.inputLength = forward.sizes.input;
    this.mapLength = forward.sizes.output;
    this.windowsPerUpdate = stepper.sizes.input / this.inputLength;
    if (!Number.isInteger(this.windowsPerUpdate) || stepper.sizes.upstream !== this.windowsPerUpdate * this.mapLength) {
      throw new Error(`training step takes ${stepper.sizes.input} inputs and ${stepper.sizes.upstream} gradients: not a batch of the forward graph's ${this.inputLength} / ${this.mapLength}`);
    }
    this.batchInput = new Float32Array(stepper.sizes.input);
    this.batchGrad = new Float32Array(stepper.sizes.upstream);
    this.pretrained = Float32Array.from(init.pretrained);
    const resume = init.resume;
    if (resume) {
      stepper.restoreState(resume.weights, resume.adamM, resume.adamV, resume.header.adamStep);
      this.updates = resume.header.updates;
      this.version = resume.header.weightsVersion;
    } else {
      stepper.setWeights(this.pretrained, true);
      this.version = init.pretrainedVersion;
    }
    this.lastGood = Float32Array.from(stepper.weights);
    this.candidate = new Float32Array(this.lastGood.length);
    this.averaged = o.averageOverUpdates > 1 ? Float32Array.from(stepper.weights) : null;
  }

  /** Version of the current weights. */
  get weightsVersion(): number {
    return this.version;
  }

  /** Updates applied over the learner's life. */
  get updateCount(): number {
    return this.updates;
  }

  /** The learning rate the next update uses: `learningRate`, or its settling schedule's value now. */
  get currentLearningRate(): number {
    return settlingLearningRate(this.options, this.updatesThisRun);
  }

  /** The current trained weights (owned by the training step; copy to keep). What checkpoints hold. */
  get weights(): Float32Array {
    return this.deps.stepper.weights;
  }

  /** The weights inference gets: the moving average when `averageOverUpdates` > 1, else the trained ones. */
  get inferenceWeights(): Float32Array {
    return this.averaged ?? this.deps.stepper.weights;
  }

  /** True when the last publication found no free slot: call `publishCurrent` again (the worker does when idle). */
  get publicationPending(): boolean {
    return this.publishPending;
  }

  /** Publishes the inference weights under the current version (start-up, or a deferred publication). */
  publishCurrent(): boolean {
    const t0 = this.deps.clock.nowUs();
    const ok = this.deps.publish(this.version, this.inferenceWeights);
    this.timings.add('publish', this.deps.clock.nowUs() - t0);
    if (!ok) this.counts.publishDeferred++;
    this.publishPending = !ok;
    return ok;
  }

  /**
   * One window: forward, loss, into the batch; a full batch runs an update. The sample's arrays are read
   * before this resolves and not kept. Errors from the sessions propagate (the partial batch is discarded).
   */
  async offer(sample: TrainingSample): Promise<OfferOutcome> {
    const { clock, forward, loss } = this.deps;
    this.counts.windowsOffered++;
    if (sample.events.length < this.options.minEventsPerWindow) {
      this.counts.windowsSparse++;
      return { kind: 'sparse' };
    }
    try {
      if (this.batched === 0) this.updateStartUs = clock.nowUs();
      await this.deps.beforePhase?.();
      const t0 = clock.nowUs();
      this.timings.add('sampleAge', t0 - sample.enqueuedTUs);
      const scale = outputToNuScale(sample.axialSpeedMS, this.init.speedScaling);
      const nu = await forward.run(sample.input, this.deps.stepper.weights, scale);
      const t1 = clock.nowUs();
      const b = this.batched;
      const grad = this.batchGrad.subarray(b * this.mapLength, (b + 1) * this.mapLength);
      const r = loss.evaluate(
        {
          events: sample.events,
          tStartUs: sample.tStartUs,
          tEndUs: sample.tEndUs,
          mapping: sample.mapping,
          invTtcPerS: nu,
          focusOfExpansionNorm: sample.focusOfExpansionNorm,
          bodyRatesCamRadS: sample.bodyRatesCamRadS,
          groundFloor: sample.groundFloor,
        },
        grad,
      );
      // dL/d(output) = scale · dL/dν (the loss saw ν = scale · output).
      if (scale !== 1) for (let i = 0; i < grad.length; i++) grad[i]! *= scale;
      const t2 = clock.nowUs();
      this.lastWindow = { spanUs: sample.tEndUs - sample.tStartUs, events: sample.events.length, lossEvents: r.events };
      this.timings.add('forward', t1 - t0);
      this.timings.add('loss', t2 - t1);
      this.batchInput.set(sample.input, b * this.inputLength);
      this.batchLossSum += r.loss;
      this.batched++;
      if (this.batched < this.windowsPerUpdate) return { kind: 'batched', have: this.batched, need: this.windowsPerUpdate };
      return await this.update();
    } catch (err) {
      this.batched = 0;
      this.batchLossSum = 0;
      throw err;
    }
  }

  /** Back to the pretrained weights: Adam reset, guards' history cleared, published under a new version. */
  resetWeights(): number {
    this.deps.stepper.setWeights(this.pretrained, true);
    this.lastGood.set(this.pretrained);
    this.averaged?.set(this.pretrained);
    this.guards.reset();
    this.discardBatch();
    this.updatesThisRun = 0;
    this.counts.resets++;
    this.version++;
    this.publishCurrent();
    return this.version;
  }

  /** Drops a partly filled batch (e.g. after a pause, its windows are stale). */
  discardBatch(): void {
    this.batched = 0;
    this.batchLossSum = 0;
  }

  /** A copy of the state for a checkpoint. */
  checkpointState(reason: CheckpointReason, sequence: number): CheckpointState {
    const s = this.deps.stepper;
    const header: CheckpointHeader = {
      format: CHECKPOINT_FORMAT,
      model: this.init.model,
      totalLength: s.weights.length,
      trainableLength: s.moments.m.length,
      adamStep: s.step,
      updates: this.updates,
      weightsVersion: this.version,
      sequence,
      writtenTUs: this.deps.clock.nowUs(),
      reason,
      origin: this.init.origin,
      ...(this.init.pretrainedSha256 !== undefined ? { pretrainedSha256: this.init.pretrainedSha256 } : {}),
    };
    return { header, weights: Float32Array.from(s.weights), adamM: Float32Array.from(s.moments.m), adamV: Float32Array.from(s.moments.v) };
  }

  /** Clears the phase figures (e.g. after a warm-up). */
  clearTimings(): void {
    this.timings.clear();
  }

  status(): TrainerStatus {
    return {
      updates: this.updates,
      version: this.version,
      adamStep: this.deps.stepper.step,
      ...this.counts,
      lastLoss: this.last.loss,
      lastGradNorm: this.last.gradNorm,
      lastDrift: this.last.drift,
      lastWindow: { ...this.lastWindow },
      learningRate: this.currentLearningRate,
      guards: this.guards.counters(),
      timings: this.timings.summary(),
    };
  }

  private async update(): Promise<OfferOutcome> {
    const { clock, stepper } = this.deps;
    const B = this.windowsPerUpdate;
    const loss = this.batchLossSum / B;
    if (B > 1) for (let i = 0; i < this.batchGrad.length; i++) this.batchGrad[i]! *= 1 / B;
    this.batched = 0;
    this.batchLossSum = 0;

    const before = this.guards.beforeStep(loss, this.updates);
    if (before.action === 'skip') return { kind: 'skipped', reason: before.reason };
    if (before.action === 'rollback') return this.rollBack(before.reason);

    await this.deps.beforePhase?.();
    const t0 = clock.nowUs();
    const hyper = this.options.settleOverUpdates > 0 ? { ...this.hyper, learningRate: this.currentLearningRate } : this.hyper;
    const res = await stepper.run(this.batchInput, this.batchGrad, hyper);
    const t1 = clock.nowUs();
    const drift = res.nonFinite ? NaN : relativeDrift(stepper.weights, this.pretrained);
    const after = this.guards.afterStep(res.nonFinite, drift, this.updates);
    if (after.action === 'keep') {
      if (after.snapshot === 'promote-candidate-and-take') this.lastGood.set(this.candidate);
      if (after.snapshot !== 'none') this.candidate.set(stepper.weights);
    }
    const t2 = clock.nowUs();
    this.timings.add('trainStep', t1 - t0);
    this.timings.add('guards', t2 - t1);
    if (after.action === 'skip') return { kind: 'skipped', reason: after.reason };
    if (after.action === 'rollback') return this.rollBack(after.reason);

    this.updates++;
    this.updatesThisRun++;
    this.version++;
    this.last = { loss, gradNorm: res.gradNorm, drift };
    const avg = this.averaged;
    if (avg !== null) {
      const w = stepper.weights;
      const k = 1 / this.options.averageOverUpdates;
      for (let i = 0; i < avg.length; i++) avg[i]! += k * (w[i]! - avg[i]!);
    }
    this.publishCurrent();
    this.timings.add('update', clock.nowUs() - this.updateStartUs);
    return { kind: 'updated', version: this.version, loss, gradNorm: res.gradNorm, drift };
  }

  private rollBack(reason: RollbackReason): OfferOutcome {
    this.deps.stepper.setWeights(this.lastGood, true);
    this.averaged?.set(this.lastGood);
    this.discardBatch();
    this.version++;
    this.publishCurrent();
    return { kind: 'rolled-back', reason, version: this.version };
  }
}
