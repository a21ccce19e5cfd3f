/**
 * The ground-floor prior: a one-sided scale anchor for the ν map from the flight controller's altitude,
 * attitude and velocity, which the contrast objective lacks.
 *
 * Geometry (camera frame x right, y down, z forward; normalised image coordinates x, y). A camera at height
 * h (m) above a flat ground moves with velocity v (camera frame, m/s). Let d be the unit "down" direction
 * (local NED +z) in the camera frame. The ray through (x, y) is r = (x, y, 1); it meets the ground at
 * depth Z = h / (d·r) when d·r > 0, so the ground's inverse time-to-contact there is
 *
 *     g(x, y) = v_z / Z = (v_z / h) · (d_x·x + d_y·y + d_z)        (1/s; linear in x, y)
 *
 * Anything the pixel sees in front of the ground (a tree, a wall) is nearer, Z' < Z, so its ν = v_z / Z' is
 * *larger* while the camera moves forward (v_z > 0): ν(x, y) ≥ g(x, y) wherever g > 0. Only the ground
 * itself sits on the bound. The prior is therefore one-sided: it penalises a map that puts a pixel below
 * the ground's ν and never pulls an obstacle down to it,
 *
 *     P(ν) = (1 / N) · Σ_p max(0, f_p − ν_p)²,    f_p = (1 − margin) · g_p   where g_p ≥ minFloorPerS
 *     ∂P/∂ν_p = −(2 / N) · max(0, f_p − ν_p)
 *
 * N = the map's pixels (so the weight does not depend on how much ground is visible). The margin absorbs
 * the altitude, attitude and velocity errors of the estimator (a 10 % margin ≈ 0.15 m at 1.5 m); pixels
 * near the horizon (g below `minFloorPerS`) carry no useful bound and are skipped.
 *
 * Assumptions, stated because they are what can break it: the ground under the camera is flat and level at
 * the height the FC reports (height above the EKF origin, i.e. the take-off point); the scene is static.
 * Over a slope or a drop the bound is wrong, which is why the weight is small and the margin generous.
 *
 * Pure computation over typed arrays; no allocation per call.
 */
import type { InputMapping } from '../../contracts/eventWindow.js';
import type { CameraIntrinsics } from '../../contracts/cameraIntrinsics.js';
import type { SensorGeometry } from '../../contracts/sensorGeometry.js';
import type { Vec3 } from './cameraFrames.js';
import type { MapArray } from './preparedEvents.js';

/**
 * The ground's ν as a plane over normalised image coordinates: g(x, y) = perXPerS·x + perYPerS·y +
 * atAxisPerS (1/s). Positive where the camera sees flat ground ahead.
 */
export interface GroundFloorPlane {
  readonly perXPerS: number;
  readonly perYPerS: number;
  readonly atAxisPerS: number;
}

/** Settings of the prior. */
export interface GroundFloorSettings {
  /** Weight of P in the loss, s² (P is in (1/s)²); 0 = off. */
  readonly weight: number;
  /** Fraction of g allowed below the bound before it costs anything, [0, 1). */
  readonly margin: number;
  /** Pixels whose ground ν is below this (1/s) carry no bound (near the horizon, above it). */
  readonly minFloorPerS: number;
}

/** Pretraining's prior: weight 0.3 s², chosen on the tuning flights (src/learning/EVIDENCE.md); margin 10 % of the bound. */
export const DEFAULT_GROUND_FLOOR: GroundFloorSettings = { weight: 0.3, margin: 0.1, minFloorPerS: 0.05 };

/**
 * The in-flight learner's default: off. Online, one scene at a time, the one-sided push lifted the map's
 * overall level above the truth; without it the tuning flights met every measure with lower errors
 * (src/learning/EVIDENCE.md (b), tuning). A learner config may still turn it on.
 */
export const ONLINE_GROUND_FLOOR: GroundFloorSettings | null = null;

/** Lowest height (m) and forward speed along the optical axis (m/s) at which the plane is formed. */
export const GROUND_FLOOR_MIN_HEIGHT_M = 0.3;
export const GROUND_FLOOR_MIN_AXIAL_SPEED_MS = 0.2;

export function checkGroundFloorSettings(s: GroundFloorSettings): void {
  if (!(Number.isFinite(s.weight) && s.weight >= 0)) throw new RangeError(`ground floor weight must be finite and ≥ 0, got ${String(s.weight)}`);
  if (!(s.margin >= 0 && s.margin < 1)) throw new RangeError(`ground floor margin must be in [0, 1), got ${String(s.margin)}`);
  if (!(Number.isFinite(s.minFloorPerS) && s.minFloorPerS >= 0)) throw new RangeError(`ground floor minFloorPerS must be finite and ≥ 0, got ${String(s.minFloorPerS)}`);
}

/**
 * The ground's ν plane from the down direction in the camera frame (unit vector), the camera's velocity in
 * the camera frame (m/s) and the height above the ground (m); null when there is no usable bound: the
 * camera too low (< 0.3 m) or not moving forward along its axis (v_z < 0.2 m/s), or non-finite inputs.
 */
export function groundFloorPlane(downCam: Readonly<Vec3>, velocityCamMS: Readonly<Vec3>, heightM: number): GroundFloorPlane | null {
  const vz = velocityCamMS.z;
  if (!(heightM >= GROUND_FLOOR_MIN_HEIGHT_M && Number.isFinite(heightM)) || !(vz >= GROUND_FLOOR_MIN_AXIAL_SPEED_MS && Number.isFinite(vz))) return null;
  if (!(Number.isFinite(downCam.x) && Number.isFinite(downCam.y) && Number.isFinite(downCam.z))) return null;
  const k = vz / heightM;
  return { perXPerS: k * downCam.x, perYPerS: k * downCam.y, atAxisPerS: k * downCam.z };
}

/**
 * Per network pixel, the normalised image coordinates of its centre (camera frame), or NaN for pixels
 * outside the sensor's image (letterbox bars). Computed once per mapping.
 */
export class NetworkRays {
  readonly xNorm: Float64Array;
  readonly yNorm: Float64Array;
  private mapping: InputMapping | null = null;

  constructor(
    private readonly network: SensorGeometry,
    private readonly sensor: SensorGeometry,
    private readonly intrinsics: CameraIntrinsics,
  ) {
    this.xNorm = new Float64Array(network.widthPx);
    this.yNorm = new Float64Array(network.heightPx);
  }

  /** Recomputes the rays when the mapping differs from the last one. */
  update(mapping: InputMapping): void {
    const m = this.mapping;
    if (m !== null && m.scale === mapping.scale && m.offsetXPx === mapping.offsetXPx && m.offsetYPx === mapping.offsetYPx) return;
    this.mapping = { fit: mapping.fit, scale: mapping.scale, offsetXPx: mapping.offsetXPx, offsetYPx: mapping.offsetYPx };
    const { fxPx, fyPx, cxPx, cyPx } = this.intrinsics;
    // Network pixel c's centre is at sensor coordinate (c + 0.5 − offset) / scale − 0.5 (pixel centres at integers).
    for (let c = 0; c < this.network.widthPx; c++) {
      const u = (c + 0.5 - mapping.offsetXPx) / mapping.scale - 0.5;
      this.xNorm[c] = u >= -0.5 && u <= this.sensor.widthPx - 0.5 ? (u - cxPx) / fxPx : NaN;
    }
    for (let r = 0; r < this.network.heightPx; r++) {
      const v = (r + 0.5 - mapping.offsetYPx) / mapping.scale - 0.5;
      this.yNorm[r] = v >= -0.5 && v <= this.sensor.heightPx - 0.5 ? (v - cyPx) / fyPx : NaN;
    }
  }
}

/**
 * P(ν) for one map (returns it, in (1/s)²) and adds weight · ∂P/∂ν into `grad`. `rays` must be up to date
 * for the map's mapping. Also returns, through `out`, how many pixels carried a bound and how many the map
 * put below it.
 */
export function groundFloorPenalty(
  invTtcPerS: MapArray,
  plane: GroundFloorPlane,
  rays: NetworkRays,
  settings: GroundFloorSettings,
  grad: Float64Array,
  out: { boundedPixels: number; violatingPixels: number },
): number {
  const w = rays.xNorm.length;
  const h = rays.yNorm.length;
  const n = w * h;
  const keep = 1 - settings.margin;
  const gScale = (-2 * settings.weight) / n;
  let sum = 0;
  let bounded = 0;
  let violating = 0;
  for (let r = 0; r < h; r++) {
    const y = rays.yNorm[r]!;
    if (Number.isNaN(y)) continue;
    const rowG = plane.perYPerS * y + plane.atAxisPerS;
    const row = r * w;
    for (let c = 0; c < w; c++) {
      const x = rays.xNorm[c]!;
      if (Number.isNaN(x)) continue;
      const g = plane.perXPerS * x + rowG;
      if (!(g >= settings.minFloorPerS)) continue;
      bounded++;
      const d = keep * g - invTtcPerS[row + c]!;
      if (d > 0) {
        violating++;
        sum += d * d;
        grad[row + c] += gScale * d;
      }
    }
  }
  out.boundedPixels = bounded;
  out.violatingPixels = violating;
  return sum / n;
}
