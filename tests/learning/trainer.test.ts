/**
 * The trainer with real onnxruntime sessions on the committed artifacts (forward graph, training-step graph,
 * seeded weights) and the real contrast-maximisation loss, on synthetic windows with a known ν (camera
 * closing on a slanted plane, ν ≈ 1–2 1/s; the pretrained map starts near 0.69 1/s):
 * - training lowers the loss and brings ν toward the truth;
 * - guards: a non-finite loss or gradient leaves weights, version and Adam step as they were; a loss spike
 *   restores the last good weights (the two-stage snapshot) with Adam reset; a drift beyond the bound
 *   restores the pretrained weights; every restore is published under a new version;
 * - resume from a checkpoint (through the file format) restores weights, moments and step, so the next
 *   update equals the uninterrupted learner's;
 * - a batch-2 training graph averages the windows' gradients (two copies of a window = that window once);
 * - reset, sparse windows.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { proximityNetDefinition } from '../../models/proximityNet.js';
import type { WeightsManifest } from '../../src/contracts/networkWeights.js';
import { buildTrainStepGraph } from '../../src/graph/index.js';
import { decodeCheckpoint, encodeCheckpoint, weightsSha256 } from '../../src/learning/checkpointFormat.js';
import { ForwardSession } from '../../src/learning/forwardSession.js';
import { ContrastMaximizationLoss } from '../../src/learning/loss/index.js';
import { settlingLearningRate, Trainer, type ForwardModel, type TrainerOptions, type TrainStepper, type WindowLoss } from '../../src/learning/trainer.js';
import type { TrainingSample } from '../../src/learning/trainingSample.js';
import { TrainStepSession } from '../../src/learning/trainStepSession.js';
import { WeightExchange } from '../../src/learning/weightExchange.js';
import { ManualClock } from '../../src/platform/time.js';
import { readWeightsFile } from '../../src/platform/weightsFile.js';
import { NETWORK, sceneWindows, trainingSampleOf } from './learnerFixtures.js';

const scene = sceneWindows({ count: 8, windowUs: 10_000, events: 4000, seed: 3 });
const samples: TrainingSample[] = scene.windows.map(({ window, motion }) => trainingSampleOf(window, motion));

let manifest: WeightsManifest;
let pretrained: Float32Array;
let forwardBytes: Uint8Array;
let trainBytes: Uint8Array;
beforeAll(async () => {
  ({ manifest, data: pretrained } = await readWeightsFile('models/proximity-net.init'));
  forwardBytes = await readFile('models/proximity-net.onnx');
  trainBytes = await readFile('models/proximity-net.train.onnx');
});

const newLoss = () =>
  new ContrastMaximizationLoss({
    sensor: scene.sensor,
    network: NETWORK,
    intrinsics: scene.intrinsics,
    objective: 'avg-timestamps',
    smoothnessWeight: 0.05,
    splatScale: 0.5,
    maxEvents: 8192,
  });

interface Setup {
  trainer: Trainer;
  forward: ForwardSession;
  stepper: TrainStepSession;
  exchange: WeightExchange;
  loss: ContrastMaximizationLoss;
}

async function setup(options: Partial<TrainerOptions> = {}, wrap?: (real: ContrastMaximizationLoss) => WindowLoss, trainModel?: Uint8Array): Promise<Setup> {
  const forward = await ForwardSession.create(forwardBytes, manifest);
  const stepper = await TrainStepSession.create(trainModel ?? trainBytes, manifest, pretrained);
  const exchange = WeightExchange.create(manifest.totalLength);
  const loss = newLoss();
  const trainer = new Trainer(
    { forward, stepper, loss: wrap ? wrap(loss) : loss, publish: (v, w) => exchange.publish(v, w), clock: new ManualClock() },
    { pretrained, pretrainedVersion: manifest.version, model: manifest.model, origin: manifest.origin, pretrainedSha256: weightsSha256(pretrained) },
    { learningRate: 1e-3, minEventsPerWindow: 100, ...options },
  );
  trainer.publishCurrent();
  return { trainer, forward, stepper, exchange, loss };
}

/** Mean loss and mean |ν − ν_true| over the scene's windows with the trainer's current weights. */
async function evaluate(s: Setup): Promise<{ loss: number; nuErrorPerS: number }> {
  const grad = new Float32Array(NETWORK.widthPx * NETWORK.heightPx);
  let loss = 0;
  let err = 0;
  for (let k = 0; k < samples.length; k++) {
    const x = samples[k]!;
    const nu = await s.forward.run(x.input, s.trainer.weights);
    loss += s.loss.evaluate({ ...x, invTtcPerS: nu }, grad).loss;
    const truth = scene.windows[k]!.truthPerS;
    let e = 0;
    for (let i = 0; i < nu.length; i++) e += Math.abs(nu[i]! - truth[i]!);
    err += e / nu.length;
  }
  return { loss: loss / samples.length, nuErrorPerS: err / samples.length };
}

const published = (ex: WeightExchange) => {
  let got: Float32Array | undefined;
  ex.reader().tryAdopt((_, w) => (got = Float32Array.from(w)));
  return got!;
};

describe('trainer', () => {
  it('lowers the loss and brings ν toward the truth on synthetic windows', async () => {
    const s = await setup();
    const before = await evaluate(s);
    let updates = 0;
    for (let pass = 0; pass < 10; pass++) {
      for (const x of samples) if ((await s.trainer.offer(x)).kind === 'updated') updates++;
    }
    const after = await evaluate(s);
    expect(updates).toBe(80);
    expect(s.trainer.weightsVersion).toBe(80);
    expect(s.exchange.publishedVersion()).toBe(80);
    expect(after.loss).toBeLessThan(before.loss - 0.005); // 0.625 → about 0.61
    expect(after.nuErrorPerS).toBeLessThan(0.5 * before.nuErrorPerS); // 0.78 → about 0.25 1/s
    const st = s.trainer.status();
    expect(st.updates).toBe(80);
    expect(st.timings.trainStep.samples).toBe(80);
    expect(st.timings.forward.samples).toBe(80);
    expect(Number.isFinite(st.lastGradNorm) && st.lastGradNorm > 0).toBe(true);
  });

  it('awaits beforePhase before the forward pass and before the training step (the learner\'s yield to inference)', async () => {
    const forward = await ForwardSession.create(forwardBytes, manifest);
    const stepper = await TrainStepSession.create(trainBytes, manifest, pretrained);
    const order: string[] = [];
    const forwardSpy: ForwardModel = { sizes: forward.sizes, run: (...a) => (order.push('forward'), forward.run(...a)) };
    const stepperSpy: TrainStepper = {
      get sizes() {
        return stepper.sizes;
      },
      get weights() {
        return stepper.weights;
      },
      get moments() {
        return stepper.moments;
      },
      get step() {
        return stepper.step;
      },
      run: (...a) => (order.push('step'), stepper.run(...a)),
      setWeights: (...a) => stepper.setWeights(...a),
      restoreState: (...a) => stepper.restoreState(...a),
    };
    const trainer = new Trainer(
      {
        forward: forwardSpy,
        stepper: stepperSpy,
        loss: newLoss(),
        publish: () => true,
        clock: new ManualClock(),
        // Resolves a turn later, so a phase that did not wait for it would be seen running before 'waited'.
        beforePhase: async () => {
          order.push('wait');
          await new Promise((r) => setImmediate(r));
          order.push('waited');
        },
      },
      { pretrained, pretrainedVersion: manifest.version, model: manifest.model, origin: manifest.origin },
      { learningRate: 1e-3, minEventsPerWindow: 100 },
    );
    expect((await trainer.offer(samples[0]!)).kind).toBe('updated');
    expect(order).toEqual(['wait', 'waited', 'forward', 'wait', 'waited', 'step']);
  });

  it('skips an update whose loss is not finite: weights, version and Adam step unchanged', async () => {
    const s = await setup({}, (real) => ({ evaluate: (i, g) => ({ loss: NaN, events: real.evaluate(i, g).events }) }));
    const w0 = Float32Array.from(s.trainer.weights);
    expect(await s.trainer.offer(samples[0]!)).toEqual({ kind: 'skipped', reason: 'non-finite-loss' });
    expect(s.trainer.weights).toEqual(w0);
    expect(s.trainer.weightsVersion).toBe(0);
    expect(s.stepper.step).toBe(0);
    expect(s.exchange.publications()).toBe(1); // only the start-up publication
    expect(s.trainer.status().guards.skippedNonFiniteLoss).toBe(1);
  });

  it('skips an update whose gradient is not finite (reported by the training graph)', async () => {
    const s = await setup({}, (real) => ({
      evaluate: (i, g) => {
        const r = real.evaluate(i, g);
        g[1234] = NaN;
        return { loss: r.loss, events: r.events };
      },
    }));
    const w0 = Float32Array.from(s.trainer.weights);
    expect(await s.trainer.offer(samples[0]!)).toEqual({ kind: 'skipped', reason: 'non-finite-gradient' });
    expect(s.trainer.weights).toEqual(w0);
    expect(s.stepper.step).toBe(0);
    expect(s.trainer.status().guards.skippedNonFiniteGradient).toBe(1);
  });

  it('on a loss spike restores the last good weights (promoted snapshot), resets Adam and publishes a new version', async () => {
    let lossValue = 1;
    const s = await setup({ guards: { snapshotAfterHealthy: 2, spikeMinHistory: 3 } }, (real) => ({
      evaluate: (i, g) => ({ loss: lossValue, events: real.evaluate(i, g).events }),
    }));
    const after: Float32Array[] = [];
    for (let k = 0; k < 6; k++) {
      expect((await s.trainer.offer(samples[k]!)).kind).toBe('updated');
      after.push(Float32Array.from(s.trainer.weights));
    }
    // Healthy updates 2 and 4 took candidates; update 4 promoted update 2's, update 6 promoted update 4's.
    lossValue = 10;
    expect(await s.trainer.offer(samples[6]!)).toEqual({ kind: 'rolled-back', reason: 'loss-spike', version: 7 });
    expect(s.trainer.weights).toEqual(after[3]);
    expect(s.stepper.step).toBe(0);
    expect(published(s.exchange)).toEqual(after[3]);
    expect(s.exchange.publishedVersion()).toBe(7);
    expect(s.trainer.status().guards.lastRollback).toMatchObject({ reason: 'loss-spike', value: 10 });
  });

  it('on drift beyond the bound restores the pretrained weights (nothing healthy yet)', async () => {
    const s = await setup({ guards: { maxRelativeDrift: 1e-6 } });
    const out = await s.trainer.offer(samples[0]!);
    expect(out).toEqual({ kind: 'rolled-back', reason: 'drift', version: 1 });
    expect(s.trainer.weights).toEqual(pretrained);
    expect(published(s.exchange)).toEqual(pretrained);
    expect(s.trainer.status().guards.rollbacksDrift).toBe(1);
  });

  it('resumes from a checkpoint with weights, moments and step, continuing exactly as without the break', async () => {
    const a = await setup();
    for (let k = 0; k < 3; k++) await a.trainer.offer(samples[k]!);
    const decoded = decodeCheckpoint(encodeCheckpoint(a.trainer.checkpointState('periodic', 0)));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    // It records the pretrained weights it continues (the store refuses it for any other ones).
    expect(decoded.state.header.pretrainedSha256).toBe(createHash('sha256').update(await readFile('models/proximity-net.init.weights')).digest('hex'));
    const forward = await ForwardSession.create(forwardBytes, manifest);
    const stepper = await TrainStepSession.create(trainBytes, manifest, pretrained);
    const b = new Trainer(
      { forward, stepper, loss: newLoss(), publish: () => true, clock: new ManualClock() },
      { pretrained, pretrainedVersion: 0, model: manifest.model, origin: manifest.origin, resume: decoded.state },
      { learningRate: 1e-3, minEventsPerWindow: 100 },
    );
    expect(stepper.step).toBe(3);
    expect(b.updateCount).toBe(3);
    expect(b.weightsVersion).toBe(3);
    expect(b.weights).toEqual(a.trainer.weights);
    expect(stepper.moments.m).toEqual(a.stepper.moments.m);
    expect(stepper.moments.v).toEqual(a.stepper.moments.v);
    await a.trainer.offer(samples[3]!);
    await b.offer(samples[3]!);
    expect(b.weights).toEqual(a.trainer.weights);
    expect(stepper.step).toBe(4);
  });

  it('with a batch-2 training graph, updates every two windows with their mean gradient', async () => {
    const batch2 = buildTrainStepGraph(proximityNetDefinition(2)).toModelBytes();
    const two = await setup({}, undefined, batch2);
    const one = await setup();
    expect(two.trainer.windowsPerUpdate).toBe(2);
    expect(await two.trainer.offer(samples[0]!)).toEqual({ kind: 'batched', have: 1, need: 2 });
    const r2 = await two.trainer.offer(samples[0]!);
    const r1 = await one.trainer.offer(samples[0]!);
    if (r2.kind !== 'updated' || r1.kind !== 'updated') throw new Error(`expected updates, got ${r2.kind}, ${r1.kind}`);
    // Mean of two identical gradients = the gradient: the same norm (a sum would double it) …
    expect(r2.gradNorm).toBeCloseTo(r1.gradNorm, 6);
    expect(Math.abs(r2.gradNorm / r1.gradNorm - 1)).toBeLessThan(1e-4);
    // … and the same Adam step as one window alone.
    let worst = 0;
    for (let i = 0; i < pretrained.length; i++) worst = Math.max(worst, Math.abs(two.trainer.weights[i]! - one.trainer.weights[i]!));
    expect(worst).toBeLessThan(1e-6);
    let moved = 0;
    for (let i = 0; i < pretrained.length; i++) moved = Math.max(moved, Math.abs(one.trainer.weights[i]! - pretrained[i]!));
    expect(moved).toBeGreaterThan(1e-4); // the update itself is far larger than the difference
  });

  it('reset restores the pretrained weights with Adam cleared, under a new version', async () => {
    const s = await setup();
    await s.trainer.offer(samples[0]!);
    await s.trainer.offer(samples[1]!);
    expect(s.trainer.weights).not.toEqual(pretrained);
    expect(s.trainer.resetWeights()).toBe(3);
    expect(s.trainer.weights).toEqual(pretrained);
    expect(s.stepper.step).toBe(0);
    expect(published(s.exchange)).toEqual(pretrained);
    expect(s.trainer.status().resets).toBe(1);
  });

  it('does not train on windows with too few events', async () => {
    const s = await setup({ minEventsPerWindow: 10_000 });
    expect(await s.trainer.offer(samples[0]!)).toEqual({ kind: 'sparse' });
    expect(s.trainer.status()).toMatchObject({ windowsOffered: 1, windowsSparse: 1, updates: 0 });
  });

  it('with averaging, inference gets the moving average of the trained weights; reset restarts it', async () => {
    const tau = 4;
    const s = await setup({ averageOverUpdates: tau });
    const avg = Float64Array.from(pretrained);
    for (const x of samples.slice(0, 5)) {
      expect((await s.trainer.offer(x)).kind).toBe('updated');
      const w = s.trainer.weights;
      for (let i = 0; i < avg.length; i++) avg[i] = avg[i]! + (w[i]! - avg[i]!) / tau;
    }
    // Published = inference weights = the average (float32 rounding per step), not the trained weights.
    const pub = published(s.exchange);
    let worst = 0;
    let apart = 0;
    for (let i = 0; i < avg.length; i++) {
      worst = Math.max(worst, Math.abs(pub[i]! - avg[i]!));
      apart = Math.max(apart, Math.abs(pub[i]! - s.trainer.weights[i]!));
    }
    expect(worst).toBeLessThan(1e-6);
    expect(apart).toBeGreaterThan(1e-4);
    expect(s.trainer.inferenceWeights).toEqual(pub);
    s.trainer.resetWeights();
    expect(published(s.exchange)).toEqual(pretrained);
    expect(s.trainer.inferenceWeights).toEqual(pretrained);
  });

  it('with settling, each step gets the scheduled rate: from the full rate toward the settled fraction, again from the top after a reset', async () => {
    const o = { learningRate: 1e-3, settleOverUpdates: 2, settledFraction: 0.25 };
    const s = await setup(o);
    const rates: number[] = [];
    const run = s.stepper.run.bind(s.stepper);
    s.stepper.run = (input, grad, hyper) => {
      rates.push(hyper.learningRate);
      return run(input, grad, hyper);
    };
    expect(s.trainer.status().learningRate).toBe(1e-3);
    for (const x of samples.slice(0, 5)) expect((await s.trainer.offer(x)).kind).toBe('updated');
    expect(s.trainer.status().learningRate).toBeCloseTo(1e-3 * (0.25 + 0.75 * Math.exp(-5 / 2)), 15);
    s.trainer.resetWeights();
    expect(s.trainer.status().learningRate).toBe(1e-3);
    await s.trainer.offer(samples[5]!);
    const expected = [0, 1, 2, 3, 4, 0].map((n) => 1e-3 * (0.25 + 0.75 * Math.exp(-n / 2)));
    expect(rates).toHaveLength(6);
    rates.forEach((r, i) => expect(r).toBeCloseTo(expected[i]!, 15));
    expect(rates[0]).toBe(1e-3);
    expect(rates[4]).toBeLessThan(0.4e-3);
  });

  it('the settling schedule: full rate at 0, the settled fraction in the long run, constant when off; bad settings refused', async () => {
    const o = { learningRate: 2e-4, settleOverUpdates: 100, settledFraction: 0.5 };
    expect(settlingLearningRate(o, 0)).toBe(2e-4);
    expect(settlingLearningRate(o, 100)).toBeCloseTo(2e-4 * (0.5 + 0.5 / Math.E), 18);
    expect(settlingLearningRate(o, 1e6)).toBeCloseTo(1e-4, 18);
    expect(settlingLearningRate({ ...o, settleOverUpdates: 0 }, 1e6)).toBe(2e-4);
    await expect(setup({ settleOverUpdates: -1 })).rejects.toThrow(/settleOverUpdates/);
    await expect(setup({ settleOverUpdates: 10, settledFraction: 0 })).rejects.toThrow(/settledFraction/);
  });

  it('without averaging, inference gets the trained weights', async () => {
    const s = await setup();
    await s.trainer.offer(samples[0]!);
    expect(s.trainer.inferenceWeights).toBe(s.trainer.weights);
    expect(published(s.exchange)).toEqual(Float32Array.from(s.trainer.weights));
  });

  it('with a speed-scaled output, the loss sees ν = scale · output and the step gets scale · dL/dν', async () => {
    const forward = await ForwardSession.create(forwardBytes, manifest);
    const stepper = await TrainStepSession.create(trainBytes, manifest, pretrained);
    const loss = newLoss();
    const seen: { nu?: Float32Array; grad?: Float32Array; upstream?: Float32Array } = {};
    const recording: WindowLoss = {
      evaluate: (input, gradOut) => {
        const r = loss.evaluate(input, gradOut);
        seen.nu = Float32Array.from(input.invTtcPerS);
        seen.grad = Float32Array.from(gradOut);
        return r;
      },
    };
    const run = stepper.run.bind(stepper);
    stepper.run = async (input, grad, hyper) => {
      seen.upstream = Float32Array.from(grad);
      return run(input, grad, hyper);
    };
    const scaling = { referenceSpeedMS: 2, minSpeedMS: 0.5 };
    const trainer = new Trainer(
      { forward, stepper, loss: recording, publish: () => true, clock: new ManualClock() },
      { pretrained, pretrainedVersion: manifest.version, model: manifest.model, origin: manifest.origin, speedScaling: scaling },
      { learningRate: 1e-3, minEventsPerWindow: 100 },
    );
    const sample = { ...samples[0]!, axialSpeedMS: 3 }; // scale 1.5
    const raw = Float32Array.from(await forward.run(sample.input, pretrained));
    expect((await trainer.offer(sample)).kind).toBe('updated');
    for (let i = 0; i < raw.length; i += 97) expect(seen.nu![i]).toBeCloseTo(1.5 * raw[i]!, 5);
    let nonzero = 0;
    for (let i = 0; i < raw.length; i++) {
      expect(seen.upstream![i]).toBeCloseTo(1.5 * seen.grad![i]!, 9);
      if (seen.grad![i] !== 0) nonzero++;
    }
    expect(nonzero).toBeGreaterThan(100);
    await forward.release();
    await stepper.release();
  });
});
