/**
 * Inference stage: runs the proximity network (models/proximity-net.onnx) on a window's NetworkInput and
 * returns the ν map. Weights are graph inputs, so new weights take effect on the next run without
 * rebuilding the session.
 *
 * Steady state allocates no buffers: the input and output tensors are preallocated, and the weights live
 * in two preallocated blobs (double buffering). `setWeights` copies the new values into the blob that is
 * not in use; the next `infer` switches to it. A run in flight therefore never sees half-written weights,
 * and the learner may reuse its buffer as soon as `setWeights` returns.
 */
import * as ort from 'onnxruntime-node';
import type { NetworkInput } from '../contracts/eventWindow.js';
import type { WeightsManifest } from '../contracts/networkWeights.js';
import type { ProximityMap } from '../contracts/proximityMap.js';
import type { SensorGeometry } from '../contracts/sensorGeometry.js';
import { inputShape, sessionOptions } from '../platform/onnxSession.js';

/** Graph input and output names of the proximity network (models/proximityNet.ts). */
export const PROXIMITY_INPUT = 'x';
export const PROXIMITY_OUTPUT = 'nu';

export interface ProximityNetOptions {
  /** onnxruntime intra-op threads; default 1 (the other core belongs to the learner). */
  readonly intraOpThreads?: number;
}

/** One set of weight input tensors over one blob. */
interface WeightSlot {
  readonly data: Float32Array;
  readonly feeds: Record<string, ort.Tensor>;
  version: number;
}

export class ProximityNet {
  /** Network geometry (width × height of input and ν map). */
  readonly geometry: SensorGeometry;
  private readonly inputData: Float32Array;
  private readonly outputData: Float32Array;
  private readonly fetches: Record<string, ort.Tensor>;
  private readonly slots: [WeightSlot, WeightSlot];
  private active = 0;
  private pending = false;
  private running = false;

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly manifest: WeightsManifest,
    weights: Float32Array,
    version: number,
  ) {
    const shape = inputShape(session, PROXIMITY_INPUT); // [1, 2, H, W]
    const [, channels, h, w] = shape as [number, number, number, number];
    this.geometry = { widthPx: w, heightPx: h };
    this.inputData = new Float32Array(channels * h * w);
    const inputTensor = new ort.Tensor('float32', this.inputData, shape);
    this.outputData = new Float32Array(h * w);
    this.fetches = { [PROXIMITY_OUTPUT]: new ort.Tensor('float32', this.outputData, [1, 1, h, w]) };
    const expected = session.inputNames.filter((n) => n !== PROXIMITY_INPUT);
    const listed = new Set(manifest.tensors.map((t) => t.name));
    for (const name of expected) {
      const entry = manifest.tensors.find((t) => t.name === name);
      if (!entry) throw new Error(`weights manifest lacks ${name}`);
      if (inputShape(session, name).join() !== entry.shape.join()) throw new Error(`weights manifest: ${name} has shape [${entry.shape}]`);
    }
    if (listed.size !== expected.length) throw new Error('weights manifest lists tensors the model does not take');
    const slot = (): WeightSlot => {
      const data = new Float32Array(manifest.totalLength);
      const feeds: Record<string, ort.Tensor> = { [PROXIMITY_INPUT]: inputTensor };
      for (const t of manifest.tensors) feeds[t.name] = new ort.Tensor('float32', data.subarray(t.offset, t.offset + t.length), [...t.shape]);
      return { data, feeds, version: -1 };
    };
    this.slots = [slot(), slot()];
    this.checkLength(weights);
    this.slots[0].data.set(weights);
    this.slots[0].version = version;
  }

  /** A session for `modelBytes` (the forward graph) with initial weights laid out as `manifest` says. */
  static async create(
    modelBytes: Uint8Array,
    manifest: WeightsManifest,
    weights: Float32Array,
    options: ProximityNetOptions = {},
  ): Promise<ProximityNet> {
    const session = await ort.InferenceSession.create(modelBytes, sessionOptions(options.intraOpThreads ?? 1));
    return new ProximityNet(session, manifest, weights, manifest.version);
  }

  /** Version of the weights the next `infer` will use. */
  get weightsVersion(): number {
    return this.slots[this.pending ? 1 - this.active : this.active].version;
  }

  /**
   * Adopts new weights (same layout as the manifest) from the next `infer` on. Copies `data`; the caller
   * may reuse it at once. Safe while a run is in flight.
   */
  setWeights(version: number, data: Float32Array): void {
    this.checkLength(data);
    const spare = this.slots[1 - this.active]!;
    spare.data.set(data);
    spare.version = version;
    this.pending = true;
  }

  /**
   * ν for one window, 1/s, at network geometry: the network's output times `nuScale` (for weights with a
   * speed scaling, the window's factor from contracts/networkOutput.ts; 1 for weights that output ν). The
   * returned map's `invTtcPerS` is a buffer owned by this object and overwritten by the next call: copy it to
   * keep it. One run at a time.
   */
  async infer(input: NetworkInput, tUs: number, nuScale = 1): Promise<ProximityMap> {
    if (this.running) throw new Error('ProximityNet.infer: a run is already in flight');
    if (input.kind !== 'counts' || input.data.length !== this.inputData.length) {
      throw new Error(`ProximityNet.infer: expects ${this.inputData.length} per-polarity counts, got ${input.kind} × ${input.data.length}`);
    }
    if (this.pending) {
      this.active = 1 - this.active;
      this.pending = false;
    }
    const slot = this.slots[this.active]!;
    this.inputData.set(input.data);
    this.running = true;
    try {
      await this.session.run(slot.feeds, this.fetches);
    } finally {
      this.running = false;
    }
    if (nuScale !== 1) for (let i = 0; i < this.outputData.length; i++) this.outputData[i]! *= nuScale;
    return { tUs, geometry: this.geometry, invTtcPerS: this.outputData, weightsVersion: slot.version };
  }

  /** Names, shapes and offsets of the weight tensors. */
  get weightsManifest(): WeightsManifest {
    return this.manifest;
  }

  async release(): Promise<void> {
    await this.session.release();
  }

  private checkLength(data: Float32Array): void {
    if (data.length !== this.manifest.totalLength) {
      throw new Error(`weights: ${data.length} values, the manifest needs ${this.manifest.totalLength}`);
    }
  }
}
