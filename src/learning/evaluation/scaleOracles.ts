/**
 * Where ν's scale comes from, measured on a simulated clip with its ground truth (a diagnostic behind the
 * speed-scaled output and the ground-floor prior; it trains nothing):
 *   - per time bin, the mean axial speed V_z, the mean true ν and the mean ν / V_z: does ν's level follow
 *     the speed (which the FC knows) or the scene (which the events show)?
 *   - the MAE of three oracle predictors fitted on the clip's own truth: one constant; one ν per pixel (the
 *     clip's mean at that pixel); V_z × one ν/V_z per pixel. The gap between the last two is what knowing
 *     the speed is worth.
 *   - the ground-floor bound of each window (from the FC-reported height, attitude and velocity): the share
 *     of usable pixels on the bound (the ground itself: |ν − g| ≤ 3 % of g) and below its 10 % margin
 *     (where the prior would push the wrong way: estimator errors, or something below the flat ground), with
 *     the prior's default margin and horizon threshold (DEFAULT_GROUND_FLOOR).
 *   - with a model: per bin the mean predicted ν and ν̂ / V_z, and the input's events per window: does the
 *     network's level follow the scene, or is it one number times the speed? And the focus loss (noise filter
 *     on, no smoothness) of α · ν̂ and of α · ν over a grid of α, with the MAE of α · ν̂: could the loss set the
 *     map's level on this world at run time (where does the scan of the prediction put its minimum, against
 *     the α that would match the truth's mean)?
 * Usable pixels as in nuError.ts: finite depth, 0 ≤ ν ≤ 5 1/s.
 */
import type { ClipOptions, ClipSpec } from '../pretrain/simClips.js';
import { collectClipSamples } from '../pretrain/clipSamples.js';
import { ContrastMaximizationLoss, DEFAULT_GROUND_FLOOR, DEFAULT_NOISE_FILTER, NetworkRays } from '../loss/index.js';
import { outputToNuScale, type SpeedScaling } from '../../contracts/networkOutput.js';
import type { ForwardModel } from '../trainer.js';
import { SampleExpander } from '../pretrain/compactSample.js';
import { NuErrorAccumulator, usableTruthPixel } from './nuError.js';

export interface ScaleBin {
  readonly startS: number;
  readonly windows: number;
  readonly meanAxialSpeedMS: number;
  readonly meanNuPerS: number;
  /** Mean over windows of (mean ν) / V_z, 1/m. */
  readonly meanNuOverSpeedPerM: number;
  /** With a model: the same for its prediction (NaN without one). */
  readonly meanPredictedNuPerS: number;
  readonly meanPredictedOverSpeedPerM: number;
  /** Events in the network input per window (the 5 ms input window's counts summed). */
  readonly meanInputEvents: number;
}

/** The network whose level is compared with the truth's. */
export interface ScaleModel {
  readonly name: string;
  readonly forward: ForwardModel;
  readonly weights: Float32Array;
  readonly speedScaling: SpeedScaling | undefined;
}

/** Scales of the prediction and of the truth the loss is scanned at. */
export const LEVEL_SCAN_ALPHAS: readonly number[] = [0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.25, 1.5];

export interface LevelScan {
  readonly alphas: readonly number[];
  /** Mean focus loss of α · ν̂ and of α · ν per α. */
  readonly lossPredicted: readonly number[];
  readonly lossTruth: readonly number[];
  /** ν MAE of α · ν̂ per α, 1/s. */
  readonly maePredicted: readonly number[];
  /** The α at which ν̂'s mean equals the truth's (over the usable pixels). */
  readonly matchingAlpha: number;
}

export interface ScaleOracleReport {
  readonly clip: ClipSpec;
  /** The model whose prediction the bins report, if any. */
  readonly model: string | null;
  /** With a model: the loss along α · ν̂ and α · ν. */
  readonly levelScan: LevelScan | null;
  readonly windows: number;
  readonly bins: readonly ScaleBin[];
  readonly oracleMae: { readonly constant: number; readonly perPixelNu: number; readonly speedTimesPerPixel: number };
  /** Shares of usable pixels (windows with a ground plane only). */
  readonly ground: { readonly windowsWithPlane: number; readonly onGround: number; readonly belowMargin: number };
}

export async function scaleOracles(clip: ClipSpec, options: Omit<ClipOptions, 'truthEvery'>, sampleEvery: number, binSeconds: number, model?: ScaleModel): Promise<ScaleOracleReport> {
  const r = await collectClipSamples({ spec: clip, options, sampleEvery, keepTruth: true });
  const cam = r.camera;
  const n = cam.network.widthPx * cam.network.heightPx;
  const rays = new NetworkRays(cam.network, cam.sensor, cam.intrinsics);
  const samples = r.samples.filter((s) => s.motion.axialSpeedMS !== null && s.motion.axialSpeedMS > 0.2);
  // Per-pixel means for the oracles (first pass), and the bins.
  const sumNu = new Float64Array(n);
  const sumRatio = new Float64Array(n);
  const count = new Float64Array(n);
  let total = 0;
  let totalN = 0;
  const t0 = samples[0]?.tEndUs ?? 0;
  const bins: Array<{ w: number; v: number; nu: number; ratio: number; pred: number; predRatio: number; events: number }> = [];
  const expander = model ? new SampleExpander(model.forward.sizes.input, options.learnerCap) : null;
  const scanLoss = model
    ? new ContrastMaximizationLoss({ sensor: cam.sensor, network: cam.network, intrinsics: cam.intrinsics, objective: 'avg-timestamps', smoothnessWeight: 0, splatScale: 1, maxEvents: options.learnerCap, noiseFilter: DEFAULT_NOISE_FILTER })
    : null;
  const A = LEVEL_SCAN_ALPHAS.length;
  const scanPred = new Float64Array(A);
  const scanTruth = new Float64Array(A);
  // The ν error of α · ν̂ per α (nuError.ts: its MAE, and at α = 1 the means that give the matching α).
  const scanNu = LEVEL_SCAN_ALPHAS.map(() => new NuErrorAccumulator());
  const scaled = new Float32Array(n);
  const scanGrad = new Float32Array(n);
  for (const s of samples) {
    const v = s.motion.axialSpeedMS!;
    let sum = 0;
    let predSum = 0;
    let k = 0;
    // With a model: the window as the trainer takes it (input and loss events), and the prediction from it.
    const x = expander ? expander.expand(s) : null;
    const predicted = model && x ? await model.forward.run(x.input, model.weights, outputToNuScale(v, model.speedScaling)) : null;
    for (let i = 0; i < n; i++) {
      const nu = s.truthNu![i]!;
      if (!usableTruthPixel(nu, s.truthDepth![i]!)) continue;
      sumNu[i] += nu;
      sumRatio[i] += nu / v;
      count[i]++;
      sum += nu;
      if (predicted) predSum += predicted[i]!;
      k++;
    }
    let events = 0;
    for (let j = 0; j < s.inputValue.length; j++) events += s.inputValue[j]!;
    if (predicted && scanLoss && x) {
      for (let a = 0; a < A; a++) {
        const alpha = LEVEL_SCAN_ALPHAS[a]!;
        for (let i = 0; i < n; i++) scaled[i] = alpha * predicted[i]!;
        scanNu[a]!.add(scaled, s.truthNu!, s.truthDepth!);
        scanPred[a] += scanLoss.evaluate({ ...x, invTtcPerS: scaled }, scanGrad).focusLoss;
        for (let i = 0; i < n; i++) scaled[i] = alpha * s.truthNu![i]!;
        scanTruth[a] += scanLoss.evaluate({ ...x, invTtcPerS: scaled }, scanGrad).focusLoss;
      }
    }
    total += sum;
    totalN += k;
    const b = Math.floor((s.tEndUs - t0) / 1e6 / binSeconds);
    while (bins.length <= b) bins.push({ w: 0, v: 0, nu: 0, ratio: 0, pred: 0, predRatio: 0, events: 0 });
    if (k > 0) {
      const bin = bins[b]!;
      bin.w++;
      bin.v += v;
      bin.nu += sum / k;
      bin.ratio += sum / k / v;
      bin.pred += predSum / k;
      bin.predRatio += predSum / k / v;
      bin.events += events;
    }
  }
  const constant = totalN > 0 ? total / totalN : 0;
  let eConst = 0;
  let ePix = 0;
  let eSpeed = 0;
  let m = 0;
  let planes = 0;
  let onGround = 0;
  let below = 0;
  let usableWithPlane = 0;
  for (const s of samples) {
    const v = s.motion.axialSpeedMS!;
    const plane = s.motion.groundFloor;
    if (plane) {
      planes++;
      rays.update(s.mapping);
    }
    for (let row = 0; row < cam.network.heightPx; row++) {
      for (let col = 0; col < cam.network.widthPx; col++) {
        const i = row * cam.network.widthPx + col;
        const nu = s.truthNu![i]!;
        if (!usableTruthPixel(nu, s.truthDepth![i]!)) continue;
        m++;
        eConst += Math.abs(constant - nu);
        ePix += Math.abs(sumNu[i]! / count[i]! - nu);
        eSpeed += Math.abs((v * sumRatio[i]!) / count[i]! - nu);
        if (!plane) continue;
        usableWithPlane++;
        const g = plane.perXPerS * rays.xNorm[col]! + plane.perYPerS * rays.yNorm[row]! + plane.atAxisPerS;
        if (!(g >= DEFAULT_GROUND_FLOOR.minFloorPerS)) continue;
        if (Math.abs(nu - g) <= 0.03 * g) onGround++;
        if (nu < (1 - DEFAULT_GROUND_FLOOR.margin) * g) below++;
      }
    }
  }
  const scanned = samples.length;
  const atOne = scanNu[LEVEL_SCAN_ALPHAS.indexOf(1)]!.report().all;
  return {
    clip,
    model: model?.name ?? null,
    levelScan:
      model && scanned > 0
        ? {
            alphas: LEVEL_SCAN_ALPHAS,
            lossPredicted: Array.from(scanPred, (v) => v / scanned),
            lossTruth: Array.from(scanTruth, (v) => v / scanned),
            maePredicted: scanNu.map((acc) => acc.report().all.maePerS),
            matchingAlpha: atOne.meanPredPerS > 0 ? atOne.meanTruthPerS / atOne.meanPredPerS : NaN,
          }
        : null,
    windows: samples.length,
    bins: bins.map((b, k) => ({
      startS: k * binSeconds,
      windows: b.w,
      meanAxialSpeedMS: b.w > 0 ? b.v / b.w : NaN,
      meanNuPerS: b.w > 0 ? b.nu / b.w : NaN,
      meanNuOverSpeedPerM: b.w > 0 ? b.ratio / b.w : NaN,
      meanPredictedNuPerS: model && b.w > 0 ? b.pred / b.w : NaN,
      meanPredictedOverSpeedPerM: model && b.w > 0 ? b.predRatio / b.w : NaN,
      meanInputEvents: b.w > 0 ? b.events / b.w : NaN,
    })),
    oracleMae: { constant: m > 0 ? eConst / m : NaN, perPixelNu: m > 0 ? ePix / m : NaN, speedTimesPerPixel: m > 0 ? eSpeed / m : NaN },
    ground: {
      windowsWithPlane: planes,
      onGround: usableWithPlane > 0 ? onGround / usableWithPlane : NaN,
      belowMargin: usableWithPlane > 0 ? below / usableWithPlane : NaN,
    },
  };
}
