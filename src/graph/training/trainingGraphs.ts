/**
 * Builds, for any model defined with the graph builder, the two graphs a learner runs in onnxruntime:
 *
 * - the training step: forward pass, vector–Jacobian product of an upstream gradient dL/d(output)
 *   through every layer down to the trainable parameters, global-norm clipping, Adam; outputs the updated
 *   parameters and moments, the gradient norm and a non-finite flag (when set, every output equals its
 *   input: the update is skipped inside the graph);
 * - the backward graph: forward pass and raw parameter gradients (finite-difference tests, debugging,
 *   accumulating gradients over windows outside the graph).
 *
 * Parameters are graph inputs, one per tensor. The optimiser state is flat: `adam.m` and `adam.v` hold the
 * trainable tensors' moments concatenated in parameter order (frozen parameters get none), and the step
 * outputs the whole weights blob (every parameter flattened and concatenated in parameter order, the layout
 * of a weights manifest), frozen tensors passed through unchanged. The loss is not in the graph: the caller
 * computes dL/d(output) (e.g. contrast maximisation over events in TypeScript) and feeds it as
 * `grad.<output>`.
 *
 * Tensor names (all float32 unless said; T = number of trainable elements, P = all parameter elements):
 *   inputs   <model inputs>, <param> (each), adam.m [T], adam.v [T],
 *            adam.t (scalar, this update's number, 1 for the first), adam.lr (scalar),
 *            clip.maxNorm (scalar; +∞ disables clipping), grad.<output> (dL/d(output))
 *   outputs  <output> (the forward result), weights.next [P], adam.m.next [T], adam.v.next [T],
 *            grad.norm (scalar, before clipping), grad.nonFinite (bool scalar: when true every output state
 *            equals its input, the update is skipped)
 *   backward graph outputs: <output>, grad.<param> for each requested parameter
 */
import { gradients } from '../autodiff.js';
import { type DType, type Shape, sizeOf } from '../dtype.js';
import { GraphBuilder } from '../graphBuilder.js';
import { isNonFinite, where } from '../ops/logic.js';
import { concat, reshape, slice } from '../ops/shape.js';
import type { Tensor } from '../tensor.js';
import { type AdamConstants, DEFAULT_ADAM, adamBiasCorrections, adamUpdate, clipByGlobalNorm } from './optimizer.js';

/** A named tensor of the model: a model input or a parameter. */
export interface TensorSpec {
  readonly name: string;
  readonly shape: Shape;
}

export interface ModelDefinition {
  /** Graph name prefix. */
  readonly name: string;
  /** Non-parameter inputs (e.g. the network input `x`). */
  readonly inputs: readonly TensorSpec[];
  /** Every parameter tensor, in blob order. */
  readonly params: readonly TensorSpec[];
  /** Name of the model's output (e.g. `nu`). */
  readonly outputName: string;
  /** Builds the forward pass from input and parameter handles; returns the output. */
  readonly forward: (inputs: Readonly<Record<string, Tensor>>, params: Readonly<Record<string, Tensor>>) => Tensor;
  /** Element type; float32 except in tests. */
  readonly dtype?: DType;
}

export interface TrainingGraphOptions {
  /** Names of the parameters to train (others are frozen). Default: all. */
  readonly trainable?: readonly string[];
  readonly adam?: AdamConstants;
}

/** Input and output names of a training-step graph (see the module comment). */
export const TRAIN_NAMES = {
  step: 'adam.t',
  learningRate: 'adam.lr',
  maxNorm: 'clip.maxNorm',
  gradNorm: 'grad.norm',
  nonFinite: 'grad.nonFinite',
  upstream: (output: string) => `grad.${output}`,
  firstMoment: 'adam.m',
  secondMoment: 'adam.v',
  weightsNext: 'weights.next',
  next: (name: string) => `${name}.next`,
  paramGradient: (param: string) => `grad.${param}`,
} as const;

interface ForwardParts {
  readonly g: GraphBuilder;
  readonly params: Record<string, Tensor>;
  readonly output: Tensor;
  readonly upstream: Tensor;
}

function buildForward(model: ModelDefinition, graphName: string, doc: string): ForwardParts {
  const dtype = model.dtype ?? 'float32';
  const g = new GraphBuilder({ name: graphName, doc });
  const inputs: Record<string, Tensor> = {};
  for (const s of model.inputs) inputs[s.name] = g.input(s.name, s.shape, dtype);
  const params: Record<string, Tensor> = {};
  for (const s of model.params) params[s.name] = g.input(s.name, s.shape, dtype);
  const output = model.forward(inputs, params);
  const upstream = g.input(TRAIN_NAMES.upstream(model.outputName), output.shape, dtype);
  g.output(output, model.outputName);
  return { g, params, output, upstream };
}

function trainableSubset(model: ModelDefinition, trainable: readonly string[] | undefined): TensorSpec[] {
  if (!trainable) return [...model.params];
  const known = new Set(model.params.map((p) => p.name));
  for (const t of trainable) if (!known.has(t)) throw new Error(`training graph: unknown parameter ${t}`);
  const chosen = model.params.filter((p) => trainable.includes(p.name));
  if (chosen.length === 0) throw new Error('training graph: nothing to train');
  return chosen;
}

/** The forward pass plus raw gradients of Σ output ⊙ grad.<output> for `wrt` (default: all parameters). */
export function buildBackwardGraph(model: ModelDefinition, wrt?: readonly string[]): GraphBuilder {
  const chosen = trainableSubset(model, wrt);
  const { g, params, output, upstream } = buildForward(model, `${model.name}.backward`, 'forward pass and parameter gradients');
  const grads = gradients([[output, upstream]], chosen.map((p) => params[p.name]!));
  chosen.forEach((p, i) => g.output(grads[i]!, TRAIN_NAMES.paramGradient(p.name)));
  return g;
}

/**
 * The training step: forward, backward, clipping and Adam in one graph. The optimiser works on flat
 * vectors (every trainable gradient reshaped and concatenated in parameter order): a dozen elementwise
 * nodes over one vector instead of a dozen per tensor, which measured 1.9 ms → about 0.1 ms for the
 * proximity network's 61 k parameters in onnxruntime.
 */
export function buildTrainStepGraph(model: ModelDefinition, options: TrainingGraphOptions = {}): GraphBuilder {
  const chosen = trainableSubset(model, options.trainable);
  const chosenNames = new Set(chosen.map((p) => p.name));
  const adam = options.adam ?? DEFAULT_ADAM;
  const dtype = model.dtype ?? 'float32';
  const { g, params, output, upstream } = buildForward(
    model,
    `${model.name}.train`,
    `training step: backprop of ${TRAIN_NAMES.upstream(model.outputName)}, global-norm clipping, Adam(β1=${adam.beta1}, β2=${adam.beta2}, ε=${adam.epsilon})`,
  );
  const trainableLength = chosen.reduce((n, p) => n + sizeOf(p.shape), 0);
  const m = g.input(TRAIN_NAMES.firstMoment, [trainableLength], dtype);
  const v = g.input(TRAIN_NAMES.secondMoment, [trainableLength], dtype);
  const t = g.input(TRAIN_NAMES.step, [], dtype);
  const lr = g.input(TRAIN_NAMES.learningRate, [], dtype);
  const maxNorm = g.input(TRAIN_NAMES.maxNorm, [], dtype);

  const flatten = (ts: readonly Tensor[]) => {
    const flat = ts.map((x) => reshape(x, [x.size]));
    return flat.length === 1 ? flat[0]! : concat(flat, 0);
  };
  const grads = gradients([[output, upstream]], chosen.map((p) => params[p.name]!));
  const { norm, clipped } = clipByGlobalNorm([flatten(grads)], maxNorm);
  const nonFinite = isNonFinite(norm);
  const { bc1, bc2 } = adamBiasCorrections(t, adam);
  const w = flatten(chosen.map((p) => params[p.name]!));
  const next = adamUpdate(w, clipped[0]!, m, v, lr, bc1, bc2, adam);
  // A non-finite gradient anywhere skips the whole update: every state tensor passes through.
  const wNext = where(nonFinite, w, next.w);
  // The full weights blob in parameter order: updated trainable segments, frozen tensors unchanged.
  let weightsNext = wNext;
  if (chosen.length < model.params.length) {
    let offset = 0;
    weightsNext = flatten(
      model.params.map((p) => {
        if (!chosenNames.has(p.name)) return params[p.name]!;
        const n = sizeOf(p.shape);
        offset += n;
        return slice(wNext, [offset - n], [offset], [0]);
      }),
    );
  }
  g.output(weightsNext, TRAIN_NAMES.weightsNext);
  g.output(where(nonFinite, m, next.m), TRAIN_NAMES.next(TRAIN_NAMES.firstMoment));
  g.output(where(nonFinite, v, next.v), TRAIN_NAMES.next(TRAIN_NAMES.secondMoment));
  g.output(norm, TRAIN_NAMES.gradNorm);
  g.output(nonFinite, TRAIN_NAMES.nonFinite);
  g.setMetadata('evpilot.trainable', chosen.map((p) => p.name).join(','));
  return g;
}

/** The forward (inference) graph alone. */
export function buildForwardGraph(model: ModelDefinition): GraphBuilder {
  const dtype = model.dtype ?? 'float32';
  const g = new GraphBuilder({ name: model.name, doc: 'inference' });
  const inputs: Record<string, Tensor> = {};
  for (const s of model.inputs) inputs[s.name] = g.input(s.name, s.shape, dtype);
  const params: Record<string, Tensor> = {};
  for (const s of model.params) params[s.name] = g.input(s.name, s.shape, dtype);
  g.output(model.forward(inputs, params), model.outputName);
  return g;
}
