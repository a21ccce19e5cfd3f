/**
 * The training-step graph of the proximity network, run in onnxruntime through TrainStepSession:
 * its update equals a TypeScript reference (clipping + Adam in float64) applied to the raw gradients of
 * the backward graph; frozen layers pass through; a non-finite upstream gradient skips the update; and a
 * few steps on a toy objective reduce it.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildArtifacts } from '../../models/build.js';
import { initialParameters, paramSpecs, proximityNetDefinition } from '../../models/proximityNet.js';
import { packWeights } from '../../models/weightsPacking.js';
import { buildBackwardGraph, buildTrainStepGraph } from '../../src/graph/index.js';
import { TrainStepSession } from '../../src/learning/trainStepSession.js';
import { mulberry32 } from '../helpers/random.js';
import { type AdamReferenceState, adamReferenceStep } from './adamReference.js';

const N_IN = 2 * 120 * 160;
const N_OUT = 120 * 160;

function setup(seed: number) {
  const rand = mulberry32(seed);
  const packed = packWeights('proximity-net', paramSpecs(), initialParameters(seed), 0, 'test');
  const x = Float32Array.from({ length: N_IN }, () => (rand() < 0.2 ? Math.floor(rand() * 4) : 0));
  const upstream = Float32Array.from({ length: N_OUT }, () => (rand() - 0.5) * 0.01);
  return { packed, x, upstream, rand };
}

/** Raw parameter gradients from the backward graph, flattened in manifest order. */
async function rawGradients(weights: Float32Array, x: Float32Array, upstream: Float32Array): Promise<Float64Array> {
  const specs = paramSpecs();
  const session = await ort.InferenceSession.create(buildBackwardGraph(proximityNetDefinition(1)).toModelBytes());
  const feeds: Record<string, ort.Tensor> = {
    x: new ort.Tensor('float32', x, [1, 2, 120, 160]),
    'grad.nu': new ort.Tensor('float32', upstream, [1, 1, 120, 160]),
  };
  let offset = 0;
  for (const p of specs) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    feeds[p.name] = new ort.Tensor('float32', weights.slice(offset, offset + n), [...p.shape]);
    offset += n;
  }
  const out = await session.run(feeds);
  const flat = new Float64Array(offset);
  offset = 0;
  for (const p of specs) {
    const g = out[`grad.${p.name}`]!.data as Float32Array;
    flat.set(g, offset);
    offset += g.length;
  }
  await session.release();
  return flat;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const ratio = Math.abs(actual[i]! - expected[i]!) / (atol + rtol * Math.abs(expected[i]!));
    worst = Math.max(worst, ratio);
  }
  expect(worst).toBeLessThanOrEqual(1);
}

describe('training step (ORT)', () => {
  for (const [label, maxNorm] of [
    ['clipping active', 0.05],
    ['no clipping (maxNorm = ∞)', Infinity],
  ] as const) {
    it(`matches reference clipping + Adam on the backward graph's gradients, ${label}`, async () => {
      const { packed, x, upstream, rand } = setup(5);
      const session = await TrainStepSession.create(buildTrainStepGraph(proximityNetDefinition(1)).toModelBytes(), packed.manifest, packed.data);
      const grad = await rawGradients(packed.data, x, upstream);
      // Two steps, so the moments carry over and the bias corrections differ (t = 1, 2).
      let ref: AdamReferenceState = { w: Float64Array.from(packed.data), m: new Float64Array(grad.length), v: new Float64Array(grad.length) };
      const lr = 1e-3;
      const r1 = await session.run(x, upstream, { learningRate: lr, maxGradNorm: maxNorm });
      const s1 = adamReferenceStep(ref, grad, { t: 1, lr, maxNorm });
      expect(r1.nonFinite).toBe(false);
      expect(r1.gradNorm).toBeCloseTo(s1.norm, 4);
      if (maxNorm !== Infinity) expect(s1.norm).toBeGreaterThan(maxNorm); // the case really clips
      expectClose(session.weights, s1.w, lr * 1e-3, 1e-6);
      expectClose(session.moments.m, s1.m, 1e-7, 1e-3);
      expectClose(session.moments.v, s1.v, 1e-12, 1e-3);
      ref = s1;
      const upstream2 = upstream.map(() => (rand() - 0.5) * 0.01);
      const grad2 = await rawGradients(session.weights.slice(), x, upstream2);
      const r2 = await session.run(x, upstream2, { learningRate: lr, maxGradNorm: maxNorm });
      const s2 = adamReferenceStep(ref, grad2, { t: 2, lr, maxNorm });
      expect(r2.step).toBe(2);
      expectClose(session.weights, s2.w, lr * 1e-3, 1e-6);
      await session.release();
    });
  }

  it('frozen layers pass through unchanged, have no moments, and do not count in the norm', async () => {
    const { packed, x, upstream } = setup(9);
    const trainableLayers = ['enc4', 'dec.up', 'dec.skip', 'head'];
    const specs = paramSpecs();
    const trainable = specs.filter((p) => trainableLayers.includes(p.layer)).map((p) => p.name);
    const model = buildTrainStepGraph(proximityNetDefinition(1), { trainable });
    const session = await TrainStepSession.create(model.toModelBytes(), packed.manifest, packed.data);
    const grad = await rawGradients(packed.data, x, upstream);
    const isTrainable = new Uint8Array(packed.data.length);
    const subset: number[] = [];
    for (const t of packed.manifest.tensors) {
      if (!trainable.includes(t.name)) continue;
      isTrainable.fill(1, t.offset, t.offset + t.length);
      for (let i = t.offset; i < t.offset + t.length; i++) subset.push(i);
    }
    expect(session.moments.m.length).toBe(subset.length);
    const lr = 1e-3;
    const r = await session.run(x, upstream, { learningRate: lr, maxGradNorm: 0.01 });
    const ref = adamReferenceStep(
      { w: Float64Array.from(subset, (i) => packed.data[i]!), m: new Float64Array(subset.length), v: new Float64Array(subset.length) },
      subset.map((i) => grad[i]!),
      { t: 1, lr, maxNorm: 0.01 },
    );
    expect(r.gradNorm).toBeCloseTo(ref.norm, 4);
    for (let i = 0; i < packed.data.length; i++) if (!isTrainable[i]) expect(session.weights[i]).toBe(packed.data[i]);
    expectClose(Float64Array.from(subset, (i) => session.weights[i]!), ref.w, lr * 1e-3, 1e-6);
    await session.release();
  });

  it('flags a non-finite gradient and leaves weights, moments and step count as they were', async () => {
    const { packed, x, upstream } = setup(13);
    const session = await TrainStepSession.create(buildArtifacts().files.get('proximity-net.train.onnx')!, packed.manifest, packed.data);
    await session.run(x, upstream, { learningRate: 1e-3, maxGradNorm: 1 });
    const before = { w: session.weights.slice(), m: session.moments.m.slice(), v: session.moments.v.slice() };
    for (const bad of [NaN, Infinity]) {
      const poisoned = upstream.slice();
      poisoned[1234] = bad;
      const r = await session.run(x, poisoned, { learningRate: 1e-3, maxGradNorm: 1 });
      expect(r.nonFinite).toBe(true);
      expect(r.step).toBe(1);
      expect(session.weights).toEqual(before.w);
      expect(session.moments.m).toEqual(before.m);
      expect(session.moments.v).toEqual(before.v);
    }
    const ok = await session.run(x, upstream, { learningRate: 1e-3, maxGradNorm: 1 });
    expect(ok.nonFinite).toBe(false);
    expect(ok.step).toBe(2);
    await session.release();
  });

  it('reduces a toy objective ½‖ν − 2‖² over a few steps (backprop through every layer)', async () => {
    const { packed, x } = setup(17);
    const session = await TrainStepSession.create(buildArtifacts().files.get('proximity-net.train.onnx')!, packed.manifest, packed.data);
    const grad = new Float32Array(N_OUT);
    const loss = (nu: Float32Array) => nu.reduce((s, v) => s + 0.5 * (v - 2) ** 2, 0);
    let first = NaN;
    let last = NaN;
    for (let k = 0; k < 15; k++) {
      // The step's own forward output is ν before its update: use it for dL/dν of the next step.
      const nu = session.lastOutput;
      if (k > 0) for (let i = 0; i < N_OUT; i++) grad[i] = nu[i]! - 2;
      const r = await session.run(x, grad, { learningRate: 3e-3, maxGradNorm: 100 });
      expect(r.nonFinite).toBe(false);
      if (k === 1) first = loss(session.lastOutput);
      last = loss(session.lastOutput);
    }
    expect(last).toBeLessThan(0.5 * first);
    await session.release();
  });

  it('a batch-2 step sums the two windows\' gradients (the same window twice: twice the norm)', async () => {
    const { packed, x, upstream } = setup(21);
    const single = await TrainStepSession.create(buildTrainStepGraph(proximityNetDefinition(1)).toModelBytes(), packed.manifest, packed.data);
    const double = await TrainStepSession.create(buildTrainStepGraph(proximityNetDefinition(2)).toModelBytes(), packed.manifest, packed.data);
    expect(double.sizes).toEqual({ input: 2 * N_IN, upstream: 2 * N_OUT });
    const hyper = { learningRate: 1e-3, maxGradNorm: Infinity };
    const r1 = await single.run(x, upstream, hyper);
    const x2 = new Float32Array(2 * N_IN);
    x2.set(x);
    x2.set(x, N_IN);
    const u2 = new Float32Array(2 * N_OUT);
    u2.set(upstream);
    u2.set(upstream, N_OUT);
    const r2 = await double.run(x2, u2, hyper);
    expect(r2.gradNorm / r1.gradNorm).toBeCloseTo(2, 4);
    await single.release();
    await double.release();
  });
});
