/**
 * Pretraining: the learner's own training step on simulated domain-A flights, self-supervised.
 *
 *   1. simulate: the expert pilot flies the training clips (and the validation clips) in lock-step, windows
 *      cut by the project's WindowCutter, every `sampleEvery`-th window kept compactly in memory
 *      (clipPool.ts: worker threads, results in clip order);
 *   2. train: `epochs` passes over the windows in a seeded shuffled order through the in-flight Trainer
 *      (forward → contrast-maximisation loss → dL/dν → training-step graph: backprop through every
 *      trainable layer, clipping, Adam; `windowsPerUpdate` windows per update);
 *   3. record: every `validation.everyUpdates` updates, the mean loss and the ν error on the validation
 *      clips (figure (c) of the evidence: does the loss track the ν error?).
 *
 * Ground truth never enters the training signal: the loss sees events, the reported body rates and the
 * FOE from the reported velocity. The truth is read only by the validation figures, which choose nothing
 * (the weights written are the last ones, whatever the validation says).
 *
 * Deterministic for a config: clips are seeded and come back in order, the shuffle is seeded, the sessions
 * run with one intra-op thread. No wall clock here (the CLI stamps the date and the duration).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { INPUT_CHANNELS, INPUT_HEIGHT_PX, INPUT_WIDTH_PX, initialParameters, paramSpecs } from '../../../models/proximityNet.js';
import { packWeights } from '../../../models/weightsPacking.js';
import { sameGeometry } from '../../contracts/sensorGeometry.js';
import type { WeightsManifest } from '../../contracts/networkWeights.js';
import { mulberry32 } from '../../platform/random.js';
import { NuErrorAccumulator, type NuErrorReport } from '../evaluation/nuError.js';
import type { ClipJob, ClipResult } from './clipSamples.js';
import { runClipJobs } from './clipPool.js';
import { SampleExpander, type CompactSample } from './compactSample.js';
import { outputToNuScale } from '../../contracts/networkOutput.js';
import { createLearningSetup, type LearningSetup } from './learningSetup.js';
import { trainingClips, validatePretrainConfig, type PretrainConfig } from './pretrainConfig.js';
import { SILENT_PROGRESS, type ProgressSink } from './progress.js';
import type { ClipCamera } from './simClips.js';
import type { NoiseFilterSettings } from '../loss/backgroundActivityFilter.js';

/** One point of the training history. */
export interface HistoryPoint {
  readonly update: number;
  readonly epoch: number;
  /** Mean training loss of the updates since the previous point (null at update 0). */
  readonly trainLoss: number | null;
  /** Validation: mean loss (as trained: focus + λ·smoothness) and ν error with the weights at this point. */
  readonly validationLoss: number;
  readonly validationNu: NuErrorReport;
}

export interface ClipRecord {
  readonly scenario: string;
  readonly domain: string;
  readonly seed: number;
  readonly seconds: number;
  readonly windows: number;
  readonly samples: number;
  readonly events: number;
  readonly collisions: number;
  readonly distanceM: number;
}

/** What the manifest's `pretraining` entry holds (the weights manifest contract ignores extra keys). */
export interface PretrainMetadata {
  readonly tool: 'evpilot pretrain';
  readonly seed: number;
  readonly domain: 'A';
  readonly geometry: {
    readonly input: readonly number[];
    readonly output: readonly number[];
    readonly sensor: ClipCamera['sensor'];
    readonly intrinsics: ClipCamera['intrinsics'];
    readonly horizontalFovRad: number;
    readonly mountPitchUpRad: number;
    readonly fit: string;
  };
  readonly normalisation: string;
  readonly windows: {
    readonly rateHz: number;
    readonly inputLengthUs: number;
    /** The noise filter on the input's events (null: none). */
    readonly inputNoiseFilter: NoiseFilterSettings | null;
    readonly lossLengthUs: number;
    readonly learnerCap: number;
    readonly sampleEvery: number;
    readonly simulatorFastRateHz: number | null;
  };
  readonly loss: PretrainConfig['loss'];
  readonly trainer: PretrainConfig['trainer'];
  readonly epochs: number;
  readonly epochLearningRates: readonly number[] | null;
  readonly data: { readonly clips: readonly ClipRecord[]; readonly simulatedSeconds: number; readonly samples: number; readonly validationClips: readonly ClipRecord[] };
  readonly updates: number;
  readonly windowsOffered: number;
  readonly windowsSparse: number;
  readonly guards: { readonly skipped: number; readonly rollbacks: number };
  /** Mean training loss of the last epoch's updates, and the final validation figures. */
  readonly finalTrainLoss: number | null;
  readonly finalValidationLoss: number;
  readonly finalValidationNu: NuErrorReport;
  readonly history: readonly HistoryPoint[];
  /** SHA-256 of the inference graph the weights were trained for (models/proximity-net.onnx). */
  readonly forwardGraphSha256: string;
}

export interface PretrainResult {
  readonly weights: Float32Array;
  readonly manifest: WeightsManifest;
  readonly metadata: PretrainMetadata;
}

const clipRecord = (r: ClipResult): ClipRecord => ({
  scenario: r.summary.spec.scenario,
  domain: r.summary.spec.domain,
  seed: r.summary.spec.seed,
  seconds: r.summary.spec.seconds,
  windows: r.summary.windows,
  samples: r.samples.length,
  events: r.summary.events,
  collisions: r.summary.collisions,
  distanceM: Math.round(r.summary.distanceM * 10) / 10,
});

/** Seeded Fisher–Yates permutation of 0 … n−1. */
export function shuffledOrder(n: number, rand: () => number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/** Mean loss and ν error of `weights` over samples that carry truth. */
export async function validate(setup: LearningSetup, weights: Float32Array, samples: readonly CompactSample[], expander: SampleExpander): Promise<{ loss: number; nu: NuErrorReport }> {
  const acc = new NuErrorAccumulator();
  const grad = new Float32Array(setup.forward.sizes.output);
  let loss = 0;
  let n = 0;
  for (const s of samples) {
    const x = expander.expand(s);
    const nu = await setup.forward.run(x.input, weights, outputToNuScale(x.axialSpeedMS, setup.speedScaling));
    if (s.truthNu && s.truthDepth) acc.add(nu, s.truthNu, s.truthDepth, x.input);
    loss += setup.loss.evaluate({ ...x, invTtcPerS: nu }, grad).loss;
    n++;
  }
  return { loss: n > 0 ? loss / n : NaN, nu: acc.report() };
}

export interface PretrainOptions {
  /** Directory of the committed graphs (default `models`). */
  readonly modelDir?: string;
  readonly progress?: ProgressSink;
}

export async function runPretraining(config: PretrainConfig, options: PretrainOptions = {}): Promise<PretrainResult> {
  const c = validatePretrainConfig(config);
  const modelDir = options.modelDir ?? 'models';
  const progress = options.progress ?? SILENT_PROGRESS;
  const clips = trainingClips(c);
  const jobs: ClipJob[] = [
    ...clips.map((spec) => ({ spec, options: c.clip, sampleEvery: c.sampleEvery, keepTruth: false })),
    ...c.validation.clips.map((spec) => ({ spec, options: c.clip, sampleEvery: c.sampleEvery, keepTruth: true })),
  ];

  // 1. simulate
  const results = await runClipJobs(jobs, c.workers, (done, total) => progress.update('simulate', done, total, `${done.toFixed(0)}/${total.toFixed(0)} s simulated`));
  const trainResults = results.slice(0, clips.length);
  const valResults = results.slice(clips.length);
  const train = trainResults.flatMap((r) => r.samples);
  const val = valResults.flatMap((r) => r.samples);
  const camera = results[0]!.camera;
  const simulatedSeconds = clips.reduce((a, s) => a + s.seconds, 0);
  progress.finish('simulate', `${clips.length} clips, ${simulatedSeconds} s, ${train.length} training windows, ${val.length} validation windows`);

  // 2. train
  const packed = packWeights('proximity-net', paramSpecs(), initialParameters(c.seed), 0, `he-normal seed ${c.seed}`);
  const startManifest: WeightsManifest = {
    ...packed.manifest,
    ...(c.speedScaling ? { speedScaling: c.speedScaling } : {}),
    // The runtime counts the input over the span the weights learned from (closedLoopFlight.ts).
    inputLengthUs: c.clip.inputLengthUs ?? 1e6 / c.clip.windowRateHz,
    ...(c.clip.inputNoiseFilter ? { inputNoiseFilter: { ...c.clip.inputNoiseFilter } } : {}),
    // Trained one photodiode per network pixel: a finer camera is read the same way (contracts/networkWeights.ts).
    inputSampling: sameGeometry(camera.sensor, camera.network) ? 'decimate' : (c.clip.inputSampling ?? 'bin'),
  };
  const setup = await createLearningSetup({
    modelDir,
    manifest: startManifest,
    weights: packed.data,
    sensor: camera.sensor,
    intrinsics: camera.intrinsics,
    maxEvents: c.clip.learnerCap,
    loss: c.loss,
    trainer: c.trainer,
    // Pretraining starts from random weights: drift from them is the point, so no drift bound.
    guards: { maxRelativeDrift: Number.POSITIVE_INFINITY },
    origin: packed.manifest.origin,
  });
  try {
    const expander = new SampleExpander(setup.forward.sizes.input, c.clip.learnerCap);
    const history: HistoryPoint[] = [];
    let lossSum = 0;
    let lossCount = 0;
    let epochLossSum = 0;
    let epochLossCount = 0;
    const record = async (epoch: number) => {
      const v = await validate(setup, setup.trainer.weights, val, expander);
      history.push({ update: setup.trainer.updateCount, epoch, trainLoss: lossCount > 0 ? lossSum / lossCount : null, validationLoss: v.loss, validationNu: v.nu });
      lossSum = 0;
      lossCount = 0;
      return v;
    };
    await record(0);
    const rand = mulberry32(c.seed * 7919 + 17);
    const B = setup.trainer.windowsPerUpdate;
    const totalUpdates = Math.floor((train.length * c.epochs) / B);
    for (let epoch = 1; epoch <= c.epochs; epoch++) {
      const lr = c.epochLearningRates?.[epoch - 1];
      if (lr !== undefined && (epoch > 1 || lr !== c.trainer.learningRate)) setup.setLearningRate(lr);
      epochLossSum = 0;
      epochLossCount = 0;
      for (const i of shuffledOrder(train.length, rand)) {
        const r = await setup.trainer.offer(expander.expand(train[i]!));
        if (r.kind !== 'updated') continue;
        lossSum += r.loss;
        lossCount++;
        epochLossSum += r.loss;
        epochLossCount++;
        const u = setup.trainer.updateCount;
        if (u % c.validation.everyUpdates === 0) {
          const last = await record(epoch);
          progress.log(`  update ${u}: validation loss ${last.loss.toFixed(5)}, ν MAE ${last.nu.all.maePerS.toFixed(3)} 1/s`);
        }
        progress.update('train', u, totalUpdates, `update ${u}/${totalUpdates}, epoch ${epoch}/${c.epochs}, loss ${r.loss.toFixed(4)}`);
      }
    }
    const final = history.at(-1)!.update === setup.trainer.updateCount ? history.at(-1)! : (await record(c.epochs), history.at(-1)!);
    const st = setup.trainer.status();
    progress.finish('train', `${st.updates} updates`);

    const weights = Float32Array.from(setup.trainer.weights);
    const origin = `pretrained (evpilot pretrain): seed ${c.seed}, domain A, ${clips.length} clips / ${simulatedSeconds} s simulated, ${train.length} windows × ${c.epochs} epochs, ${st.updates} updates`;
    const manifest: WeightsManifest = { ...startManifest, version: st.updates, origin };
    const metadata: PretrainMetadata = {
      tool: 'evpilot pretrain',
      seed: c.seed,
      domain: 'A',
      geometry: {
        input: [1, INPUT_CHANNELS, INPUT_HEIGHT_PX, INPUT_WIDTH_PX],
        output: [1, 1, INPUT_HEIGHT_PX, INPUT_WIDTH_PX],
        sensor: camera.sensor,
        intrinsics: camera.intrinsics,
        horizontalFovRad: camera.horizontalFovRad,
        mountPitchUpRad: camera.mountPitchUpRad,
        fit: results[0]!.samples[0]?.mapping.fit ?? 'letterbox',
      },
      normalisation:
        'input: per-polarity event counts (ch 0 OFF, ch 1 ON) of the last inputLengthUs at network geometry (WindowCutter, counts); √counts inside the graph; output ν = softplus(head) × 1 1/s',
      windows: {
        rateHz: c.clip.windowRateHz,
        inputLengthUs: c.clip.inputLengthUs ?? 1e6 / c.clip.windowRateHz,
        inputNoiseFilter: c.clip.inputNoiseFilter ?? null,
        lossLengthUs: c.clip.lossLengthUs ?? c.clip.inputLengthUs ?? 1e6 / c.clip.windowRateHz,
        learnerCap: c.clip.learnerCap,
        sampleEvery: c.sampleEvery,
        simulatorFastRateHz: c.clip.fastRateHz ?? null,
      },
      loss: c.loss,
      trainer: c.trainer,
      epochs: c.epochs,
      epochLearningRates: c.epochLearningRates ?? null,
      data: { clips: trainResults.map(clipRecord), simulatedSeconds, samples: train.length, validationClips: valResults.map(clipRecord) },
      updates: st.updates,
      windowsOffered: st.windowsOffered,
      windowsSparse: st.windowsSparse,
      guards: {
        skipped: st.guards.skippedNonFiniteLoss + st.guards.skippedNonFiniteGradient,
        rollbacks: st.guards.rollbacksLossSpike + st.guards.rollbacksDrift,
      },
      finalTrainLoss: epochLossCount > 0 ? epochLossSum / epochLossCount : null,
      finalValidationLoss: final.validationLoss,
      finalValidationNu: final.validationNu,
      history,
      forwardGraphSha256: createHash('sha256').update(await readFile(join(modelDir, 'proximity-net.onnx'))).digest('hex'),
    };
    return { weights, manifest, metadata };
  } finally {
    await setup.release();
  }
}
