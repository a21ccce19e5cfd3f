/**
 * The camera's motion for one window from the flight controller's latest state: body rates (gyro, body
 * FRD) rotated into the camera frame, the focus of expansion from the velocity (local NED → body FRD
 * by the attitude, → camera by the mounting), with the optical-axis fallback of focusOfExpansionFromVelocity,
 * the axial speed, and the ground-floor plane from the height, attitude and velocity (loss/groundFloor.ts).
 * Pure; no allocation beyond the returned object.
 */
import type { BodyRatesRadS, EulerAnglesRad, VehicleState, VelocityNedMS } from '../contracts/vehicleState.js';
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

/** A local-NED velocity (m/s) in the camera frame, by the attitude and the mounting; written to `out`. */
export function nedVelocityToCamera(v: VelocityNedMS, a: EulerAnglesRad, mountPitchUpRad: number, out: Vec3 = { x: 0, y: 0, z: 0 }): Vec3 {
  const body = nedToBody({ x: v.northMS, y: v.eastMS, z: v.downMS }, a.rollRad, a.pitchRad, a.yawRad);
  return bodyFrdToCamera(body, mountPitchUpRad, out);
}

/**
 * The camera's velocity along its optical axis (m/s); null without an FC velocity and attitude. What scales a
 * speed-normalised network output to ν (contracts/networkOutput.ts).
 */
export function axialSpeedFromVehicle(state: VehicleState, mountPitchUpRad: number): number | null {
  if (state.velNedMS === null || state.attitude === null) return null;
  return nedVelocityToCamera(state.velNedMS, state.attitude, mountPitchUpRad).z;
}

/**
 * The camera motion from what a flight controller reports: gyro rates (body FRD), and — when it has them —
 * velocity (local NED) with attitude, and the height above the take-off point. The FOE falls back to the
 * optical axis, and the plane and axial speed are null, without a velocity; the plane also without a height.
 * The runtime (cameraMotionFromVehicle) and the simulated clips (pretrain/simClips.ts) both call it.
 * `velocityCamOut` receives the camera-frame velocity (unchanged without one).
 */
export function cameraMotionFromFc(
  ratesRadS: BodyRatesRadS,
  velNedMS: VelocityNedMS | null,
  attitude: EulerAnglesRad | null,
  heightAboveHomeM: number | null,
  mountPitchUpRad: number,
  velocityCamOut: Vec3 = { x: 0, y: 0, z: 0 },
): CameraMotion {
  const rates = bodyFrdToCamera({ x: ratesRadS.rollRadS, y: ratesRadS.pitchRadS, z: ratesRadS.yawRadS }, mountPitchUpRad, { x: 0, y: 0, z: 0 });
  const foe = { x: 0, y: 0 };
  if (velNedMS === null || attitude === null) {
    return { bodyRatesCamRadS: rates, focusOfExpansionNorm: foe, foeFromVelocity: false, groundFloor: null, axialSpeedMS: null };
  }
  const velCam = nedVelocityToCamera(velNedMS, attitude, mountPitchUpRad, velocityCamOut);
  const fromVelocity = focusOfExpansionFromVelocity(velCam, foe);
  const groundFloor = heightAboveHomeM !== null ? groundFloorFromAttitude(attitude, velCam, heightAboveHomeM, mountPitchUpRad) : null;
  return { bodyRatesCamRadS: rates, focusOfExpansionNorm: foe, foeFromVelocity: fromVelocity, groundFloor, axialSpeedMS: velCam.z };
}

/** Camera motion from `state`, or why it cannot be used (no gyro sample yet, or too old at `nowUs`). */
export function cameraMotionFromVehicle(
  state: VehicleState | null,
  nowUs: number,
  opts: CameraMotionOptions,
): CameraMotion | MotionRefusal {
  if (state === null || state.bodyRatesRadS === null) return 'no-rates';
  if (state.attitudeTUs === null || nowUs - state.attitudeTUs > opts.maxRatesAgeUs) return 'stale-rates';
  return cameraMotionFromFc(state.bodyRatesRadS, state.velNedMS, state.attitude, state.heightAboveHomeM, opts.mountPitchUpRad);
}
