/**
 * A tiny synthetic event generator with a known ν: random 3-D points on a slanted plane in front of a
 * camera that translates at V and rotates at ω (camera frame, constant over the window). Each point emits
 * events at random times in the window at its exactly projected (then rounded) pixel — a bright speck
 * moving along its true image trajectory — so the window's events follow the true flow, and the ν map
 * that explains them is ν = V_z / Z of the plane along each pixel's ray at the window's middle.
 *
 * Camera pose at τ = t − t_mid: position V·τ, orientation R(τ) = exp(τ [ω]×) (Rodrigues); a world point P
 * (world = camera frame at t_mid) is seen at P_c = R(τ)ᵀ (P − V τ) and projected with the intrinsics.
 */
import type { CameraIntrinsics } from '../../../src/contracts/cameraIntrinsics.js';
import type { EventBatch } from '../../../src/contracts/eventBatch.js';
import type { InputMapping } from '../../../src/contracts/eventWindow.js';
import type { SensorGeometry } from '../../../src/contracts/sensorGeometry.js';

export interface SyntheticSceneSpec {
  readonly sensor: SensorGeometry;
  readonly network: SensorGeometry;
  readonly intrinsics: CameraIntrinsics;
  readonly mapping: InputMapping;
  /** Camera velocity, camera frame, m/s (V_z > 0: moving toward the plane). */
  readonly velocityCamMS: readonly [number, number, number];
  /** Camera angular velocity, camera frame, rad/s. */
  readonly ratesCamRadS: readonly [number, number, number];
  /** Plane Z = depthM + slopeX · X + slopeY · Y (camera frame at t_mid, metres). */
  readonly depthM: number;
  readonly slopeX: number;
  readonly slopeY: number;
  readonly tStartUs: number;
  readonly tEndUs: number;
  readonly points: number;
  readonly eventsPerPoint: number;
  /** Share of extra uniformly random (noise) events, relative to the signal events. */
  readonly noiseShare: number;
}

export interface SyntheticWindow {
  readonly events: EventBatch;
  /** True ν map at network geometry, 1/s (V_z / Z of the plane through each network pixel's centre). */
  readonly invTtcTruePerS: Float64Array;
  readonly foeNorm: { x: number; y: number };
  readonly ratesCam: { x: number; y: number; z: number };
}

/** Depth of the plane along the ray through normalised (x, y): Z = d / (1 − sx·x − sy·y). */
function planeDepth(spec: SyntheticSceneSpec, x: number, y: number): number {
  return spec.depthM / (1 - spec.slopeX * x - spec.slopeY * y);
}

/** R(τ)ᵀ v for R = exp(τ[ω]×): rotation by −|ω|τ about ω (Rodrigues). Writes into `out`. */
function rotateBack(w: readonly [number, number, number], tau: number, v: number[], out: number[]): void {
  const th = Math.hypot(w[0], w[1], w[2]) * tau;
  if (th === 0) {
    out[0] = v[0]!;
    out[1] = v[1]!;
    out[2] = v[2]!;
    return;
  }
  const n = Math.hypot(w[0], w[1], w[2]);
  const k = [w[0] / n, w[1] / n, w[2] / n];
  const c = Math.cos(-th);
  const s = Math.sin(-th);
  const kv = k[0]! * v[0]! + k[1]! * v[1]! + k[2]! * v[2]!;
  const cx = k[1]! * v[2]! - k[2]! * v[1]!;
  const cy = k[2]! * v[0]! - k[0]! * v[2]!;
  const cz = k[0]! * v[1]! - k[1]! * v[0]!;
  out[0] = v[0]! * c + cx * s + k[0]! * kv * (1 - c);
  out[1] = v[1]! * c + cy * s + k[1]! * kv * (1 - c);
  out[2] = v[2]! * c + cz * s + k[2]! * kv * (1 - c);
}

export function syntheticWindow(spec: SyntheticSceneSpec, rand: () => number): SyntheticWindow {
  const { sensor, network, intrinsics: K, mapping } = spec;
  const [vx, vy, vz] = spec.velocityCamMS;
  const tMid = 0.5 * (spec.tStartUs + spec.tEndUs);
  const xs: number[] = [];
  const ys: number[] = [];
  const ps: number[] = [];
  const ts: number[] = [];
  const d = [0, 0, 0];
  const pc = [0, 0, 0];
  for (let k = 0; k < spec.points; k++) {
    const x = (rand() * sensor.widthPx - 0.5 - K.cxPx) / K.fxPx;
    const y = (rand() * sensor.heightPx - 0.5 - K.cyPx) / K.fyPx;
    const Z = planeDepth(spec, x, y);
    const P = [x * Z, y * Z, Z];
    const pol = rand() < 0.5 ? 1 : 0;
    for (let e = 0; e < spec.eventsPerPoint; e++) {
      const tUs = spec.tStartUs + rand() * (spec.tEndUs - spec.tStartUs);
      const tau = (tUs - tMid) * 1e-6;
      d[0] = P[0]! - vx * tau;
      d[1] = P[1]! - vy * tau;
      d[2] = P[2]! - vz * tau;
      rotateBack(spec.ratesCamRadS, tau, d, pc);
      const px = Math.round(K.cxPx + (K.fxPx * pc[0]!) / pc[2]!);
      const py = Math.round(K.cyPx + (K.fyPx * pc[1]!) / pc[2]!);
      if (px < 0 || py < 0 || px >= sensor.widthPx || py >= sensor.heightPx) continue;
      xs.push(px);
      ys.push(py);
      ps.push(pol);
      ts.push(tUs);
    }
  }
  const noise = Math.round(xs.length * spec.noiseShare);
  for (let k = 0; k < noise; k++) {
    xs.push(Math.floor(rand() * sensor.widthPx));
    ys.push(Math.floor(rand() * sensor.heightPx));
    ps.push(rand() < 0.5 ? 1 : 0);
    ts.push(spec.tStartUs + rand() * (spec.tEndUs - spec.tStartUs));
  }
  const order = ts.map((_, i) => i).sort((a, b) => ts[a]! - ts[b]!);
  const events: EventBatch = {
    length: order.length,
    x: Uint16Array.from(order, (i) => xs[i]!),
    y: Uint16Array.from(order, (i) => ys[i]!),
    p: Uint8Array.from(order, (i) => ps[i]!),
    tUs: Float64Array.from(order, (i) => ts[i]!),
  };

  // True ν at each network pixel centre: back through the mapping to sensor px, then normalised coords.
  const nu = new Float64Array(network.widthPx * network.heightPx);
  for (let r = 0; r < network.heightPx; r++) {
    for (let c = 0; c < network.widthPx; c++) {
      const xsPx = (c + 0.5 - mapping.offsetXPx) / mapping.scale - 0.5;
      const ysPx = (r + 0.5 - mapping.offsetYPx) / mapping.scale - 0.5;
      const x = (xsPx - K.cxPx) / K.fxPx;
      const y = (ysPx - K.cyPx) / K.fyPx;
      nu[r * network.widthPx + c] = vz / planeDepth(spec, x, y);
    }
  }
  const [wx, wy, wz] = spec.ratesCamRadS;
  return { events, invTtcTruePerS: nu, foeNorm: { x: vx / vz, y: vy / vz }, ratesCam: { x: wx, y: wy, z: wz } };
}
