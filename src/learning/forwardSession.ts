/**
 * The learner's own forward pass of the proximity network (the inference graph,
 * models/proximity-net.onnx), in its own onnxruntime session inside the learner's thread: ν for the loss
 * is computed with the weights the learner holds right now, whatever inference runs with.
 *
 * Weights are graph inputs. Their tensors are built once per weights buffer and cached (the training step
 * alternates between two buffers, so two entries; the cache holds four), so a run allocates nothing in steady
 * state. The input and output tensors are preallocated.
 */
import * as ort from 'onnxruntime-node';
import type { WeightsManifest } from '../contracts/networkWeights.js';
import type { SensorGeometry } from '../contracts/sensorGeometry.js';
import { inputShape, sessionOptions } from '../platform/onnxSession.js';

const INPUT = 'x';
const OUTPUT = 'nu';
const CACHE_ENTRIES = 4;

export class ForwardSession {
  private readonly input: Float32Array;
  private readonly output: Float32Array;
  private readonly inputTensor: ort.Tensor;
  private readonly fetches: Record<string, ort.Tensor>;
  private readonly feedsByWeights = new Map<Float32Array, Record<string, ort.Tensor>>();
  private running = false;
  /** Network geometry of the input and of ν. */
  readonly geometry: SensorGeometry;

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly manifest: WeightsManifest,
  ) {
    const shape = inputShape(session, INPUT);
    if (shape[0] !== 1) throw new Error(`forward graph: batch ${shape[0]}, the learner runs one window at a time`);
    this.input = new Float32Array(shape.reduce((a, b) => a * b, 1));
    this.inputTensor = new ort.Tensor('float32', this.input, shape);
    const [, , h, w] = shape as [number, number, number, number];
    this.geometry = { widthPx: w, heightPx: h };
    this.output = new Float32Array(h * w);
    this.fetches = { [OUTPUT]: new ort.Tensor('float32', this.output, [1, 1, h, w]) };
    for (const t of manifest.tensors) {
      if (inputShape(session, t.name).join() !== t.shape.join()) throw new Error(`forward graph: ${t.name} is not [${t.shape}]`);
    }
  }

  static async create(modelBytes: Uint8Array, manifest: WeightsManifest, intraOpThreads = 1): Promise<ForwardSession> {
    return new ForwardSession(await ort.InferenceSession.create(modelBytes, sessionOptions(intraOpThreads)), manifest);
  }

  /** Input elements (channels × H × W) and output elements (H × W). */
  get sizes(): { readonly input: number; readonly output: number } {
    return { input: this.input.length, output: this.output.length };
  }

  /**
   * ν (1/s, network geometry) for `input` with `weights` (manifest layout): the network's output times
   * `scale` (contracts/networkOutput.ts; 1 for weights that output ν directly). The result is owned here and
   * overwritten by the next run. One run at a time.
   */
  async run(input: Float32Array, weights: Float32Array, scale = 1): Promise<Float32Array> {
    if (this.running) throw new Error('ForwardSession.run: a run is already in flight');
    if (input.length !== this.input.length) throw new Error(`ForwardSession.run: needs ${this.input.length} inputs, got ${input.length}`);
    this.input.set(input);
    this.running = true;
    try {
      await this.session.run(this.feedsFor(weights), this.fetches);
    } finally {
      this.running = false;
    }
    if (scale !== 1) for (let i = 0; i < this.output.length; i++) this.output[i]! *= scale;
    return this.output;
  }

  async release(): Promise<void> {
    await this.session.release();
  }

  private feedsFor(weights: Float32Array): Record<string, ort.Tensor> {
    const hit = this.feedsByWeights.get(weights);
    if (hit) return hit;
    if (weights.length !== this.manifest.totalLength) throw new Error(`weights: ${weights.length} values, need ${this.manifest.totalLength}`);
    const feeds: Record<string, ort.Tensor> = { [INPUT]: this.inputTensor };
    for (const t of this.manifest.tensors) feeds[t.name] = new ort.Tensor('float32', weights.subarray(t.offset, t.offset + t.length), [...t.shape]);
    if (this.feedsByWeights.size >= CACHE_ENTRIES) this.feedsByWeights.delete(this.feedsByWeights.keys().next().value!);
    this.feedsByWeights.set(weights, feeds);
    return feeds;
  }
}
