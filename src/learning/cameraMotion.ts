/**
 * The camera's motion for one window from the flight controller's latest state: body rates (gyro, body
 * FRD) rotated into the camera frame, the focus of expansion from the velocity (local NED → body FRD
 * by the attitude, → camera by the mounting), with the optical-axis fallback of focusOfExpansionFromVelocity,
 * and the ground-floor plane from the height, attitude and velocity (loss/groundFloor.ts).
 * Pure; no allocation beyond the returned object.
 */
import type { EulerAnglesRad, VehicleState } from '../contracts/vehicleState.js';
import { bodyFrdToCamera, focusOfExpansionFromVelocity, groundFloorPlane, type GroundFloorPlane, type Vec3 } from './loss/index.js';
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

/**
 * The flat ground's ν plane for a camera at `heightM` above the ground (m), with the vehicle's attitude
 * and the camera-frame velocity (m/s); null when groundFloorPlane gives none.
 */
export function groundFloorFromAttitude(
  attitude: EulerAnglesRad,
  velocityCamMS: Readonly<Vec3>,
  heightM: number,
  mountPitchUpRad: number,
): GroundFloorPlane | null {
  const downBody = nedToBody({ x: 0, y: 0, z: 1 }, attitude.rollRad, attitude.pitchRad, attitude.yawRad);
  const downCam = bodyFrdToCamera(downBody, mountPitchUpRad, { x: 0, y: 0, z: 0 });
  return groundFloorPlane(downCam, velocityCamMS, heightM);
}

/** The vehicle's velocity in the camera frame (m/s) from the FC's velocity and attitude; null without either. */
export function velocityInCamera(state: VehicleState, mountPitchUpRad: number): Vec3 | null {
  if (state.velNedMS === null || state.attitude === null) return null;
  const v = state.velNedMS;
  const a = state.attitude;
  const body = nedToBody({ x: v.northMS, y: v.eastMS, z: v.downMS }, a.rollRad, a.pitchRad, a.yawRad);
  return bodyFrdToCamera(body, mountPitchUpRad, { x: 0, y: 0, z: 0 });
}

/**
 * The camera's velocity along its optical axis (m/s); null without an FC velocity and attitude. What scales a
 * speed-normalised network output to ν (contracts/networkOutput.ts).
 */
export function axialSpeedFromVehicle(state: VehicleState, mountPitchUpRad: number): number | null {
  return velocityInCamera(state, mountPitchUpRad)?.z ?? null;
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
  let groundFloor: GroundFloorPlane | null = null;
  let axialSpeedMS: number | null = null;
  const velCam = velocityInCamera(state, opts.mountPitchUpRad);
  if (velCam !== null && state.attitude !== null) {
    fromVelocity = focusOfExpansionFromVelocity(velCam, foe);
    axialSpeedMS = velCam.z;
    if (state.heightAboveHomeM !== null) groundFloor = groundFloorFromAttitude(state.attitude, velCam, state.heightAboveHomeM, opts.mountPitchUpRad);
  }
  return { bodyRatesCamRadS: rates, focusOfExpansionNorm: foe, foeFromVelocity: fromVelocity, groundFloor, axialSpeedMS };
}
