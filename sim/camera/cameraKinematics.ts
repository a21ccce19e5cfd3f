/**
 * The camera's pose and velocities from the vehicle's, for a camera rigidly mounted at the centre of
 * mass: v_cam = R_wcᵀ·v_ned, ω_cam = R_bcᵀ·ω_body. Writes into caller-owned arrays (no allocation).
 */
import { mulMat3TVec, type Mat3 } from '../world/frames.js';
import type { PinholeCamera } from './pinhole.js';

export function cameraVelocities(
  camera: PinholeCamera,
  worldFromCamera: Mat3,
  velNedMS: ArrayLike<number>,
  bodyRatesRadS: ArrayLike<number>,
  outVelCamMS: Float64Array,
  outOmegaCamRadS: Float64Array,
): void {
  mulMat3TVec(worldFromCamera, velNedMS, outVelCamMS);
  mulMat3TVec(camera.bodyFromCamera, bodyRatesRadS, outOmegaCamRadS);
}
