/**
 * Runs the training-step graph (models/proximity-net.train.onnx, built by src/graph/training) in
 * onnxruntime: one call = forward pass, backpropagation of dL/dν through every trainable layer,
 * global-norm clipping and one Adam update, all inside the graph.
 *
 * State (weights blob, Adam moments, step count) lives here in two preallocated slots: the graph reads one
 * slot and writes its outputs straight into the other (preallocated output tensors), and the slots swap
 * after the run. No buffer is allocated per step. When the graph reports a non-finite gradient it has
 * passed the state through unchanged, and the step count does not advance.
 */
import * as ort from 'onnxruntime-node';
import type { WeightsManifest } from '../contracts/networkWeights.js';
import { inputShape, sessionOptions } from '../platform/onnxSession.js';

/** Tensor names of the training-step graph (src/graph/training/trainingGraphs.ts TRAIN_NAMES). */
const NAMES = {
  input: 'x',
  output: 'nu',
  upstream: 'grad.nu',
  m: 'adam.m',
  v: 'adam.v',
  t: 'adam.t',
  lr: 'adam.lr',
  maxNorm: 'clip.maxNorm',
  weightsNext: 'weights.next',
  mNext: 'adam.m.next',
  vNext: 'adam.v.next',
  gradNorm: 'grad.norm',
  nonFinite: 'grad.nonFinite',
} as const;

export interface TrainStepOptions {
  /** onnxruntime intra-op threads; default 1. */
  readonly intraOpThreads?: number;
}

export interface TrainStepHyper {
  /** Adam learning rate (parameter units per step). */
  readonly learningRate: number;
  /** Global gradient-norm bound; Infinity disables clipping. */
  readonly maxGradNorm: number;
}

export interface TrainStepResult {
  /** Global L2 norm of the parameter gradient before clipping. */
  readonly gradNorm: number;
  /** True when the gradient was not finite: no update happened. */
  readonly nonFinite: boolean;
  /** Updates applied so far (including this one when it applied). */
  readonly step: number;
}

interface Slot {
  readonly weights: Float32Array;
  readonly m: Float32Array;
  readonly v: Float32Array;
  /** Inputs when this slot is read. */
  readonly feeds: Record<string, ort.Tensor>;
  /** Outputs when this slot is written. */
  readonly fetches: Record<string, ort.Tensor>;
}

export class TrainStepSession {
  private readonly slots: [Slot, Slot];
  private current = 0;
  private updates = 0;
  private readonly input: Float32Array;
  private readonly upstream: Float32Array;
  private readonly nu: Float32Array;
  private readonly scalars: { t: Float32Array; lr: Float32Array; maxNorm: Float32Array };
  private readonly gradNorm = new Float32Array(1);
  private readonly nonFinite = new Uint8Array(1);
  private running = false;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly manifest: WeightsManifest,
    weights: Float32Array,
  ) {
    const xShape = inputShape(session, NAMES.input);
    const nuShape = inputShape(session, NAMES.upstream);
    const trainable = inputShape(session, NAMES.m)[0]!;
    this.input = new Float32Array(xShape.reduce((a, b) => a * b, 1));
    this.upstream = new Float32Array(nuShape.reduce((a, b) => a * b, 1));
    this.nu = new Float32Array(this.upstream.length);
    this.scalars = { t: new Float32Array(1), lr: new Float32Array(1), maxNorm: new Float32Array(1) };
    const shared: Record<string, ort.Tensor> = {
      [NAMES.input]: new ort.Tensor('float32', this.input, xShape),
      [NAMES.upstream]: new ort.Tensor('float32', this.upstream, nuShape),
      [NAMES.t]: new ort.Tensor('float32', this.scalars.t, []),
      [NAMES.lr]: new ort.Tensor('float32', this.scalars.lr, []),
      [NAMES.maxNorm]: new ort.Tensor('float32', this.scalars.maxNorm, []),
    };
    const sharedOut: Record<string, ort.Tensor> = {
      [NAMES.output]: new ort.Tensor('float32', this.nu, nuShape),
      [NAMES.gradNorm]: new ort.Tensor('float32', this.gradNorm, []),
      [NAMES.nonFinite]: new ort.Tensor('bool', this.nonFinite, []),
    };
    for (const t of manifest.tensors) {
      if (inputShape(session, t.name).join() !== t.shape.join()) throw new Error(`training graph: ${t.name} is not [${t.shape}]`);
    }
    const slot = (): Slot => {
      const w = new Float32Array(manifest.totalLength);
      const m = new Float32Array(trainable);
      const v = new Float32Array(trainable);
      const feeds: Record<string, ort.Tensor> = { ...shared };
      for (const t of manifest.tensors) feeds[t.name] = new ort.Tensor('float32', w.subarray(t.offset, t.offset + t.length), [...t.shape]);
      feeds[NAMES.m] = new ort.Tensor('float32', m, [trainable]);
      feeds[NAMES.v] = new ort.Tensor('float32', v, [trainable]);
      const fetches: Record<string, ort.Tensor> = {
        ...sharedOut,
        [NAMES.weightsNext]: new ort.Tensor('float32', w, [w.length]),
        [NAMES.mNext]: new ort.Tensor('float32', m, [trainable]),
        [NAMES.vNext]: new ort.Tensor('float32', v, [trainable]),
      };
      return { weights: w, m, v, feeds, fetches };
    };
    this.slots = [slot(), slot()];
    this.setWeights(weights);
  }

  static async create(
    modelBytes: Uint8Array,
    manifest: WeightsManifest,
    weights: Float32Array,
    options: TrainStepOptions = {},
  ): Promise<TrainStepSession> {
    const session = await ort.InferenceSession.create(modelBytes, sessionOptions(options.intraOpThreads ?? 1));
    return new TrainStepSession(session, manifest, weights);
  }

  /** The current weights blob (manifest layout). Owned here and overwritten by the next step: copy to keep. */
  get weights(): Float32Array {
    return this.slots[this.current]!.weights;
  }

  /** Adam first and second moments of the trainable parameters (flat, parameter order). Owned here. */
  get moments(): { readonly m: Float32Array; readonly v: Float32Array } {
    const s = this.slots[this.current]!;
    return { m: s.m, v: s.v };
  }

  /** ν of the last step's forward pass (1/s, network geometry; owned here). */
  get lastOutput(): Float32Array {
    return this.nu;
  }

  /** Updates applied so far. */
  get step(): number {
    return this.updates;
  }

  /** Number of input elements one step takes (batch × 2 × H × W) and of dL/dν elements. */
  get sizes(): { readonly input: number; readonly upstream: number } {
    return { input: this.input.length, upstream: this.upstream.length };
  }

  /** Replaces the weights (e.g. a rollback or a checkpoint) and, by default, restarts Adam. */
  setWeights(weights: Float32Array, resetOptimizer = true): void {
    if (weights.length !== this.manifest.totalLength) throw new Error(`weights: ${weights.length} values, need ${this.manifest.totalLength}`);
    const s = this.slots[this.current]!;
    s.weights.set(weights);
    if (resetOptimizer) {
      s.m.fill(0);
      s.v.fill(0);
      this.updates = 0;
    }
  }

  /**
   * Restores a saved state (a checkpoint): weights, Adam moments and the Adam step count, so the next update
   * continues exactly where the saved learner stopped. Copies the arrays.
   */
  restoreState(weights: Float32Array, m: Float32Array, v: Float32Array, step: number): void {
    const s = this.slots[this.current]!;
    if (m.length !== s.m.length || v.length !== s.v.length) throw new Error(`moments: ${m.length}/${v.length} values, need ${s.m.length}`);
    if (!(Number.isInteger(step) && step >= 0)) throw new Error(`Adam step must be an integer ≥ 0, got ${step}`);
    this.setWeights(weights, false);
    s.m.set(m);
    s.v.set(v);
    this.updates = step;
  }

  /**
   * One training step: `input` is the network input the loss was computed for (batch × 2 × H × W counts),
   * `gradNu` dL/dν at the network's output (batch × 1 × H × W, 1/(1/s) = s units of the loss per ν).
   */
  async run(input: Float32Array, gradNu: Float32Array, hyper: TrainStepHyper): Promise<TrainStepResult> {
    if (this.running) throw new Error('TrainStepSession.run: a step is already in flight');
    if (input.length !== this.input.length || gradNu.length !== this.upstream.length) {
      throw new Error(`TrainStepSession.run: needs ${this.input.length} inputs and ${this.upstream.length} gradients`);
    }
    this.input.set(input);
    this.upstream.set(gradNu);
    this.scalars.t[0] = this.updates + 1;
    this.scalars.lr[0] = hyper.learningRate;
    this.scalars.maxNorm[0] = hyper.maxGradNorm;
    const from = this.slots[this.current]!;
    const to = this.slots[1 - this.current]!;
    this.running = true;
    try {
      await this.session.run(from.feeds, to.fetches);
    } finally {
      this.running = false;
    }
    const nonFinite = this.nonFinite[0] !== 0;
    if (!nonFinite) {
      this.current = 1 - this.current;
      this.updates++;
    }
    return { gradNorm: this.gradNorm[0]!, nonFinite, step: this.updates };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
