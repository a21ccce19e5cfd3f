/**
 * Per-window staging of the learner's events for the contrast-maximisation loss: everything about an
 * event that does not depend on ν is computed once per window here, in preallocated typed arrays.
 *
 * For event i at sensor pixel (xs, ys) (integer indices, pixel centres; CameraIntrinsics convention),
 * time t (µs) in the window [tStart, tEnd] of length T:
 *   - normalised coords   x = (xs − cx) / fx,  y = (ys − cy) / fy                 (camera frame)
 *   - splat coords        X0 = (xs + 0.5) · s − 0.5,  Y0 likewise                   (splat px, centres at integers;
 *                          s = splatScale: the splat image has ⌈W·s⌉ × ⌈H·s⌉ pixels, s = 1 is sensor resolution)
 *   - normalised time     t̂ = (t − tStart) / T ∈ [0, 1]
 *   - lever arms          dt_end = (tEnd − t) · 1e-6 s ≥ 0,  dt_start = (tStart − t) · 1e-6 s ≤ 0
 *   - flow in splat px/s  vX = aX · ν + rX,  aX = s · fx · (x − x_foe),  rX = s · fx · u_rot,x(x, y, ω)
 *                          vY = aY · ν + rY,  aY = s · fy · (y − y_foe),  rY = s · fy · u_rot,y(x, y, ω)
 *     (flowModel.ts; ∂vX/∂ν = aX exactly, the flow is affine in ν)
 *   - ν sampling          ν_i = Σ_k b_ik · ν[k], bilinear over the 4 network pixels around the event's
 *                          network coordinate xn = offsetX + (xs + 0.5) · scale (InputMapping), centres at
 *                          integer + 0.5; the sample point is clamped to the outermost pixel centres, so
 *                          events in the last half pixel use the edge value. The b_ik do not depend on ν,
 *                          so ν_i is linear in the map and ∂ν_i/∂ν[k] = b_ik: the gradient scatters back
 *                          to the same 4 pixels with the same weights (exact).
 *
 * Events are dropped (and counted) when their time is outside [tStart, tEnd] or not finite, when their
 * pixel is outside the sensor, or when their network coordinate is outside the ν map (possible with the
 * `crop` fit: the network never saw them). When a window holds more than `capacity` events, a uniform
 * stride subsample of `capacity` of them is used (truncation would bias the window toward its start).
 */
import type { CameraIntrinsics } from '../../contracts/cameraIntrinsics.js';
import type { EventBatch } from '../../contracts/eventBatch.js';
import type { InputMapping } from '../../contracts/eventWindow.js';
import type { SensorGeometry } from '../../contracts/sensorGeometry.js';
import {
  type BodyRatesCam,
  type NormPoint,
  flowXPerSDInvTtc,
  flowYPerSDInvTtc,
  rotationalFlowXPerS,
  rotationalFlowYPerS,
} from './flowModel.js';

/** A ν map or its gradient at network geometry, row-major: 1/s (map) or loss·s (gradient). */
export type MapArray = Float32Array | Float64Array;

/** Why events of a window were not used (counts for the last `prepare`). */
export interface PreparedEventCounts {
  /** Events used (≤ capacity). */
  used: number;
  /** Time outside [tStartUs, tEndUs] or not finite. */
  outsideWindow: number;
  /** Pixel outside the sensor, or network coordinate outside the ν map (crop). */
  outsideMap: number;
  /** Left out by the uniform subsample because the window held more than `capacity` events. */
  subsampledAway: number;
}

export class PreparedEvents {
  count = 0;
  readonly counts: PreparedEventCounts = { used: 0, outsideWindow: 0, outsideMap: 0, subsampledAway: 0 };
  /** 1 = ON, 0 = OFF. */
  readonly polarity: Uint8Array;
  /** Normalised time t̂ ∈ [0, 1]. */
  readonly tHat: Float64Array;
  /** tEnd − t in seconds (≥ 0). */
  readonly dtToEndS: Float64Array;
  /** tStart − t in seconds (≤ 0). */
  readonly dtToStartS: Float64Array;
  /** Unwarped splat coordinates, splat px (pixel centres at integers). */
  readonly x0SplatPx: Float64Array;
  readonly y0SplatPx: Float64Array;
  /** ∂(flow in splat px/s)/∂ν: splat px (per unit ν·s). */
  readonly aXSplatPx: Float64Array;
  readonly aYSplatPx: Float64Array;
  /** Rotational flow, splat px/s. */
  readonly rotXSplatPxPerS: Float64Array;
  readonly rotYSplatPxPerS: Float64Array;
  /** ν sampling: 4 flat network-pixel indices and bilinear weights per event (4·i … 4·i + 3). */
  readonly nuIndex: Int32Array;
  readonly nuWeight: Float64Array;
  /** ν at each event, 1/s (filled by `sampleNu`). */
  readonly invTtcPerS: Float64Array;
  /** ∂loss/∂ν_i accumulated by the objectives (zeroed by `sampleNu`). */
  readonly gradInvTtc: Float64Array;
  /** The last `warp`: lever arm dt_i = t_ref − t_i (s) and warped splat coordinates (splat px). */
  readonly warpDtS: Float64Array;
  readonly warpXSplatPx: Float64Array;
  readonly warpYSplatPx: Float64Array;
  /** ∂L/∂X_i and ∂L/∂Y_i at the warped coordinates, written by an objective's gradient pass for every event. */
  readonly gradWarpX: Float64Array;
  readonly gradWarpY: Float64Array;
  /** Scratch per-event values for the objectives (e.g. the splatted timestamp τ_i of one reference). */
  readonly scratch: Float64Array;

  private readonly splatScale: number;
  /** Skipped events of the current `prepare`: [0] outside the window, [1] outside the sensor or map. */
  private readonly skipTally = new Int32Array(2);

  constructor(
    readonly capacity: number,
    private readonly sensor: SensorGeometry,
    private readonly network: SensorGeometry,
    private readonly intrinsics: CameraIntrinsics,
    splatScale: number,
  ) {
    this.splatScale = splatScale;
    this.polarity = new Uint8Array(capacity);
    this.tHat = new Float64Array(capacity);
    this.dtToEndS = new Float64Array(capacity);
    this.dtToStartS = new Float64Array(capacity);
    this.x0SplatPx = new Float64Array(capacity);
    this.y0SplatPx = new Float64Array(capacity);
    this.aXSplatPx = new Float64Array(capacity);
    this.aYSplatPx = new Float64Array(capacity);
    this.rotXSplatPxPerS = new Float64Array(capacity);
    this.rotYSplatPxPerS = new Float64Array(capacity);
    this.nuIndex = new Int32Array(4 * capacity);
    this.nuWeight = new Float64Array(4 * capacity);
    this.invTtcPerS = new Float64Array(capacity);
    this.gradInvTtc = new Float64Array(capacity);
    this.warpDtS = new Float64Array(capacity);
    this.warpXSplatPx = new Float64Array(capacity);
    this.warpYSplatPx = new Float64Array(capacity);
    this.gradWarpX = new Float64Array(capacity);
    this.gradWarpY = new Float64Array(capacity);
    this.scratch = new Float64Array(capacity);
  }

  /**
   * Stages a window's events. `tStartUs < tEndUs` must hold (the caller checks). Returns the number used.
   * `foe`: focus of expansion, normalised coords; `ratesCam`: camera angular velocity, rad/s (camera frame).
   */
  prepare(
    events: EventBatch,
    tStartUs: number,
    tEndUs: number,
    mapping: InputMapping,
    foe: NormPoint,
    ratesCam: BodyRatesCam,
  ): number {
    const n = events.length;
    const cap = this.capacity;
    const picks = n > cap ? cap : n;
    this.skipTally[0] = 0;
    this.skipTally[1] = 0;
    const m = this.stage(events, tStartUs, tEndUs, mapping, foe, ratesCam, picks, n > cap ? n / cap : 1);
    this.count = m;
    this.counts.used = m;
    this.counts.outsideWindow = this.skipTally[0]!;
    this.counts.outsideMap = this.skipTally[1]!;
    this.counts.subsampledAway = n - picks;
    return m;
  }

  /**
   * The per-event loop of `prepare` (events k · stride, k < picks); returns the number staged and counts
   * skips in `skipTally`. Kept apart from the bookkeeping after it: V8 compiles a long-running loop
   * on-stack before the code after the loop has ever run, and that code then deoptimises on every call.
   */
  private stage(
    events: EventBatch,
    tStartUs: number,
    tEndUs: number,
    mapping: InputMapping,
    foe: NormPoint,
    ratesCam: BodyRatesCam,
    picks: number,
    stride: number,
  ): number {
    const { fxPx, fyPx, cxPx, cyPx } = this.intrinsics;
    const s = this.splatScale;
    const ws = this.sensor.widthPx;
    const hs = this.sensor.heightPx;
    const wn = this.network.widthPx;
    const hn = this.network.heightPx;
    const durationUs = tEndUs - tStartUs;
    const tally = this.skipTally;
    let m = 0;
    for (let k = 0; k < picks; k++) {
      const i = stride === 1 ? k : Math.floor(k * stride);
      const tUs = events.tUs[i]!;
      if (!(tUs >= tStartUs && tUs <= tEndUs)) {
        tally[0]++;
        continue;
      }
      const xs = events.x[i]!;
      const ys = events.y[i]!;
      if (xs >= ws || ys >= hs) {
        tally[1]++;
        continue;
      }
      // Network coordinate of the pixel centre (InputMapping); outside the map → the network never saw it.
      const xn = mapping.offsetXPx + (xs + 0.5) * mapping.scale;
      const yn = mapping.offsetYPx + (ys + 0.5) * mapping.scale;
      if (!(xn >= 0 && xn < wn && yn >= 0 && yn < hn)) {
        tally[1]++;
        continue;
      }
      // ν sampling weights: centres at integer + 0.5, sample point clamped to [0, W − 1] in centre coords.
      const u = Math.min(wn - 1, Math.max(0, xn - 0.5));
      const v = Math.min(hn - 1, Math.max(0, yn - 0.5));
      const u0 = Math.floor(u);
      const v0 = Math.floor(v);
      const u1 = u0 + 1 < wn ? u0 + 1 : u0;
      const v1 = v0 + 1 < hn ? v0 + 1 : v0;
      const fu = u - u0;
      const fv = v - v0;
      const q = 4 * m;
      this.nuIndex[q] = v0 * wn + u0;
      this.nuIndex[q + 1] = v0 * wn + u1;
      this.nuIndex[q + 2] = v1 * wn + u0;
      this.nuIndex[q + 3] = v1 * wn + u1;
      this.nuWeight[q] = (1 - fu) * (1 - fv);
      this.nuWeight[q + 1] = fu * (1 - fv);
      this.nuWeight[q + 2] = (1 - fu) * fv;
      this.nuWeight[q + 3] = fu * fv;

      const xNorm = (xs - cxPx) / fxPx;
      const yNorm = (ys - cyPx) / fyPx;
      this.polarity[m] = events.p[i] !== 0 ? 1 : 0;
      this.tHat[m] = durationUs > 0 ? (tUs - tStartUs) / durationUs : 0;
      this.dtToEndS[m] = (tEndUs - tUs) * 1e-6;
      this.dtToStartS[m] = (tStartUs - tUs) * 1e-6;
      this.x0SplatPx[m] = (xs + 0.5) * s - 0.5;
      this.y0SplatPx[m] = (ys + 0.5) * s - 0.5;
      this.aXSplatPx[m] = s * fxPx * flowXPerSDInvTtc(xNorm, foe);
      this.aYSplatPx[m] = s * fyPx * flowYPerSDInvTtc(yNorm, foe);
      this.rotXSplatPxPerS[m] = s * fxPx * rotationalFlowXPerS(xNorm, yNorm, ratesCam);
      this.rotYSplatPxPerS[m] = s * fyPx * rotationalFlowYPerS(xNorm, yNorm, ratesCam);
      m++;
    }
    return m;
  }

  /** Forward: ν_i = Σ_k b_ik ν[k] for every staged event; also zeroes the per-event gradient accumulator. */
  sampleNu(invTtcMapPerS: MapArray): void {
    const idx = this.nuIndex;
    const wt = this.nuWeight;
    for (let i = 0, q = 0; i < this.count; i++, q += 4) {
      this.invTtcPerS[i] =
        wt[q]! * invTtcMapPerS[idx[q]!]! +
        wt[q + 1]! * invTtcMapPerS[idx[q + 1]!]! +
        wt[q + 2]! * invTtcMapPerS[idx[q + 2]!]! +
        wt[q + 3]! * invTtcMapPerS[idx[q + 3]!]!;
      this.gradInvTtc[i] = 0;
    }
  }

  /**
   * Forward: warps every event to t_ref = tStart + endShare · (tEnd − tStart) (endShare 1: tEnd, 0: tStart,
   * 0.5: the middle): dt_i = t_ref − t_i, X_i = X0_i + dt_i · (aX_i ν_i + rX_i), Y likewise.
   */
  warp(endShare: number): void {
    const startShare = 1 - endShare;
    for (let i = 0; i < this.count; i++) {
      const dt = endShare * this.dtToEndS[i]! + startShare * this.dtToStartS[i]!;
      const nu = this.invTtcPerS[i]!;
      this.warpDtS[i] = dt;
      this.warpXSplatPx[i] = this.x0SplatPx[i]! + dt * (this.aXSplatPx[i]! * nu + this.rotXSplatPxPerS[i]!);
      this.warpYSplatPx[i] = this.y0SplatPx[i]! + dt * (this.aYSplatPx[i]! * nu + this.rotYSplatPxPerS[i]!);
    }
  }

  /** Gradient of `warp`: ∂L/∂ν_i += dt_i · (∂L/∂X_i · aX_i + ∂L/∂Y_i · aY_i) (∂X_i/∂ν_i = dt_i · aX_i exactly). */
  warpBackward(): void {
    for (let i = 0; i < this.count; i++) {
      this.gradInvTtc[i] += this.warpDtS[i]! * (this.gradWarpX[i]! * this.aXSplatPx[i]! + this.gradWarpY[i]! * this.aYSplatPx[i]!);
    }
  }

  /** Gradient: ∂L/∂ν[k] += Σ_i b_ik · ∂L/∂ν_i (scatter to the same 4 pixels with the same weights). */
  scatterGrad(gradOut: MapArray): void {
    const idx = this.nuIndex;
    const wt = this.nuWeight;
    for (let i = 0, q = 0; i < this.count; i++, q += 4) {
      const g = this.gradInvTtc[i]!;
      if (g === 0) continue;
      gradOut[idx[q]!] += wt[q]! * g;
      gradOut[idx[q + 1]!] += wt[q + 1]! * g;
      gradOut[idx[q + 2]!] += wt[q + 2]! * g;
      gradOut[idx[q + 3]!] += wt[q + 3]! * g;
    }
  }

  /** Splat-image width and height for this staging's sensor and splat scale. */
  splatGeometry(): SensorGeometry {
    return splatGeometry(this.sensor, this.splatScale);
  }
}

/** Splat image geometry: ⌈W·s⌉ × ⌈H·s⌉ (s = 1: sensor resolution). */
export function splatGeometry(sensor: SensorGeometry, splatScale: number): SensorGeometry {
  return { widthPx: Math.ceil(sensor.widthPx * splatScale - 1e-9), heightPx: Math.ceil(sensor.heightPx * splatScale - 1e-9) };
}
