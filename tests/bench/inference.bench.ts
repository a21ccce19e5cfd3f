/**
 * Proximity network: inference time (ProximityNet.infer: input copy, ORT run, weights swap check) and
 * training-step time (TrainStepSession.run: forward, backprop through every layer, clipping, Adam), each
 * alone, one onnxruntime intra-op thread, on the committed artifacts (models/). Milliseconds per call over
 * repeated runs after warm-up (median, p99 …), measured with process.hrtime.bigint(). Also reported: the
 * time of an inference run while new weights are adopted before every run (setWeights: a 240 KiB copy).
 *
 * Input: a sparse synthetic event-count frame (10 % of pixels with 1–3 events); the time does not depend
 * on the values. Target (DESIGN.md): inference ≤ 1 ms median on one core.
 *
 * Run alone: node --import tsx tests/bench/inference.bench.ts [--json] [--quick]
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parameterCount } from '../../models/proximityNet.js';
import type { NetworkInput } from '../../src/contracts/eventWindow.js';
import { TrainStepSession } from '../../src/learning/trainStepSession.js';
import { loadProximityNet, PROXIMITY_TRAIN_MODEL_FILE, readWeights } from '../../src/perception/loadProximityNet.js';
import { mulberry32 } from '../helpers/random.js';
import { msSince, roundSummary, runStandalone, summarize } from './stats.js';

export async function run(opts: { quick: boolean }): Promise<Record<string, unknown>> {
  const rand = mulberry32(1);
  const input: NetworkInput = {
    kind: 'counts',
    channels: 2,
    geometry: { widthPx: 160, heightPx: 120 },
    mapping: { fit: 'letterbox', scale: 0.25, offsetXPx: 0, offsetYPx: 0 },
    data: Float32Array.from({ length: 2 * 120 * 160 }, () => (rand() < 0.1 ? 1 + Math.floor(rand() * 3) : 0)),
  };
  const net = await loadProximityNet();
  const inferRuns = opts.quick ? 300 : 3000;
  const warm = opts.quick ? 50 : 300;
  for (let i = 0; i < warm; i++) await net.infer(input, 0);
  const infer: number[] = [];
  for (let i = 0; i < inferRuns; i++) {
    const t0 = process.hrtime.bigint();
    await net.infer(input, 0);
    infer.push(msSince(t0));
  }
  const { data } = await readWeights('models/proximity-net.init');
  const swap: number[] = [];
  for (let i = 0; i < inferRuns / 3; i++) {
    const t0 = process.hrtime.bigint();
    net.setWeights(i + 1, data);
    await net.infer(input, 0);
    swap.push(msSince(t0));
  }
  await net.release();

  const { manifest } = await readWeights('models/proximity-net.init');
  const trainer = await TrainStepSession.create(readFileSync(`models/${PROXIMITY_TRAIN_MODEL_FILE}`), manifest, data);
  const gradNu = Float32Array.from({ length: 120 * 160 }, () => (rand() - 0.5) * 1e-3);
  const trainRuns = opts.quick ? 30 : 300;
  for (let i = 0; i < (opts.quick ? 5 : 20); i++) await trainer.run(input.data, gradNu, { learningRate: 1e-4, maxGradNorm: 1 });
  const train: number[] = [];
  for (let i = 0; i < trainRuns; i++) {
    const t0 = process.hrtime.bigint();
    await trainer.run(input.data, gradNu, { learningRate: 1e-4, maxGradNorm: 1 });
    train.push(msSince(t0));
  }
  await trainer.release();

  return {
    parameters: parameterCount(),
    intraOpThreads: 1,
    inferenceMs: roundSummary(summarize(infer)),
    inferenceWithWeightSwapMs: roundSummary(summarize(swap)),
    trainStepMs: roundSummary(summarize(train)),
    loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}

await runStandalone(import.meta.url, run);
