/**
 * The camera's motion for one window from the flight controller's latest state: body rates (gyro, body
 * FRD) rotated into the camera frame, and the focus of expansion from the velocity (local NED → body FRD
 * by the attitude, → camera by the mounting), with the optical-axis fallback of focusOfExpansionFromVelocity.
 * Pure; no allocation beyond the returned object.
 */
import type { VehicleState } from '../contracts/vehicleState.js';
import { bodyFrdToCamera, focusOfExpansionFromVelocity, type Vec3 } from './loss/index.js';
import type { CameraMotion } from './trainingSample.js';

export type MotionRefusal = 'no-rates' | 'stale-rates';

export interface CameraMotionOptions {
  /** Camera up-tilt from body x, rad (cameraFrames.ts). */
  readonly mountPitchUpRad: number;
  /** Body rates older than this (host clock µs) are not used: the sample is refused. */
  readonly maxRatesAgeUs: number;
}

/**
 * Rotates a local-NED vector into body FRD for ZYX Euler angles (yaw ψ, pitch θ, roll φ):
 * v_body = Rx(φ)ᵀ Ry(θ)ᵀ Rz(ψ)ᵀ v_ned.
 */
export function nedToBody(v: Readonly<Vec3>, rollRad: number, pitchRad: number, yawRad: number): Vec3 {
  const cy = Math.cos(yawRad);
  const sy = Math.sin(yawRad);
  // yaw: rotate by −ψ about down
  const x1 = cy * v.x + sy * v.y;
  const y1 = -sy * v.x + cy * v.y;
  const z1 = v.z;
  const cp = Math.cos(pitchRad);
  const sp = Math.sin(pitchRad);
  // pitch: rotate by −θ about the intermediate y (right) axis
  const x2 = cp * x1 - sp * z1;
  const z2 = sp * x1 + cp * z1;
  const cr = Math.cos(rollRad);
  const sr = Math.sin(rollRad);
  // roll: rotate by −φ about forward
  return { x: x2, y: cr * y1 + sr * z2, z: -sr * y1 + cr * z2 };
}

/** Camera motion from `state`, or why it cannot be used (no gyro sample yet, or too old at `nowUs`). */
export function cameraMotionFromVehicle(
  state: VehicleState | null,
  nowUs: number,
  opts: CameraMotionOptions,
): CameraMotion | MotionRefusal {
  if (state === null || state.bodyRatesRadS === null) return 'no-rates';
  if (state.attitudeTUs === null || nowUs - state.attitudeTUs > opts.maxRatesAgeUs) return 'stale-rates';
  const r = state.bodyRatesRadS;
  const rates = bodyFrdToCamera({ x: r.rollRadS, y: r.pitchRadS, z: r.yawRadS }, opts.mountPitchUpRad, { x: 0, y: 0, z: 0 });
  const foe = { x: 0, y: 0 };
  let fromVelocity = false;
  if (state.velNedMS !== null && state.attitude !== null) {
    const v = state.velNedMS;
    const a = state.attitude;
    const body = nedToBody({ x: v.northMS, y: v.eastMS, z: v.downMS }, a.rollRad, a.pitchRad, a.yawRad);
    fromVelocity = focusOfExpansionFromVelocity(bodyFrdToCamera(body, opts.mountPitchUpRad, { x: 0, y: 0, z: 0 }), foe);
  }
  return { bodyRatesCamRadS: rates, focusOfExpansionNorm: foe, foeFromVelocity: fromVelocity };
}
