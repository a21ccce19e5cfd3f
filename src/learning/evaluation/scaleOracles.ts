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
 * Usable pixels as in nuError.ts: finite depth, 0 ≤ ν ≤ 5 1/s.
 */
import type { ClipOptions, ClipSpec } from '../pretrain/simClips.js';
import { collectClipSamples } from '../pretrain/clipSamples.js';
import { DEFAULT_GROUND_FLOOR, NetworkRays } from '../loss/index.js';

export interface ScaleBin {
  readonly startS: number;
  readonly windows: number;
  readonly meanAxialSpeedMS: number;
  readonly meanNuPerS: number;
  /** Mean over windows of (mean ν) / V_z, 1/m. */
  readonly meanNuOverSpeedPerM: number;
}

export interface ScaleOracleReport {
  readonly clip: ClipSpec;
  readonly windows: number;
  readonly bins: readonly ScaleBin[];
  readonly oracleMae: { readonly constant: number; readonly perPixelNu: number; readonly speedTimesPerPixel: number };
  /** Shares of usable pixels (windows with a ground plane only). */
  readonly ground: { readonly windowsWithPlane: number; readonly onGround: number; readonly belowMargin: number };
}

export async function scaleOracles(clip: ClipSpec, options: Omit<ClipOptions, 'truthEvery'>, sampleEvery: number, binSeconds: number): Promise<ScaleOracleReport> {
  const r = await collectClipSamples({ spec: clip, options, sampleEvery, keepTruth: true });
  const cam = r.camera;
  const n = cam.network.widthPx * cam.network.heightPx;
  const rays = new NetworkRays(cam.network, cam.sensor, cam.intrinsics);
  const usable = (nu: number, d: number) => Number.isFinite(d) && nu >= 0 && nu <= 5;
  const samples = r.samples.filter((s) => s.motion.axialSpeedMS !== null && s.motion.axialSpeedMS > 0.2);
  // Per-pixel means for the oracles (first pass), and the bins.
  const sumNu = new Float64Array(n);
  const sumRatio = new Float64Array(n);
  const count = new Float64Array(n);
  let total = 0;
  let totalN = 0;
  const t0 = samples[0]?.tEndUs ?? 0;
  const bins: Array<{ w: number; v: number; nu: number; ratio: number }> = [];
  for (const s of samples) {
    const v = s.motion.axialSpeedMS!;
    let sum = 0;
    let k = 0;
    for (let i = 0; i < n; i++) {
      const nu = s.truthNu![i]!;
      if (!usable(nu, s.truthDepth![i]!)) continue;
      sumNu[i] += nu;
      sumRatio[i] += nu / v;
      count[i]++;
      sum += nu;
      k++;
    }
    total += sum;
    totalN += k;
    const b = Math.floor((s.tEndUs - t0) / 1e6 / binSeconds);
    while (bins.length <= b) bins.push({ w: 0, v: 0, nu: 0, ratio: 0 });
    if (k > 0) {
      bins[b]!.w++;
      bins[b]!.v += v;
      bins[b]!.nu += sum / k;
      bins[b]!.ratio += sum / k / v;
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
        if (!usable(nu, s.truthDepth![i]!)) continue;
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
  return {
    clip,
    windows: samples.length,
    bins: bins.map((b, k) => ({
      startS: k * binSeconds,
      windows: b.w,
      meanAxialSpeedMS: b.w > 0 ? b.v / b.w : NaN,
      meanNuPerS: b.w > 0 ? b.nu / b.w : NaN,
      meanNuOverSpeedPerM: b.w > 0 ? b.ratio / b.w : NaN,
    })),
    oracleMae: { constant: m > 0 ? eConst / m : NaN, perPixelNu: m > 0 ? ePix / m : NaN, speedTimesPerPixel: m > 0 ? eSpeed / m : NaN },
    ground: {
      windowsWithPlane: planes,
      onGround: usableWithPlane > 0 ? onGround / usableWithPlane : NaN,
      belowMargin: usableWithPlane > 0 ? below / usableWithPlane : NaN,
    },
  };
}
