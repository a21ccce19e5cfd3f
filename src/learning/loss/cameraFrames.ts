/**
 * Body (FRD) → camera frame conversions for a forward-looking camera, and the focus of expansion.
 *
 * Frames:
 * - body FRD (flight controller): x forward, y right, z down; gyro rates about these axes, rad/s
 *   (positive z rate = yaw right, positive y rate = pitch nose up, positive x rate = roll right).
 * - camera: x right, y down (image rows), z forward along the optical axis (CameraIntrinsics contract).
 *
 * Mounting: the camera looks forward, its image x along body y, and its optical axis is pitched *up* from
 * body x by `mountPitchUpRad` (racing-drone "uptilt", so the camera looks ahead when the drone pitches
 * down to fly fast). Camera axes expressed in the body frame, for θ = mountPitchUpRad:
 *     x_cam = (0, 1, 0),   y_cam = (sin θ, 0, cos θ),   z_cam = (cos θ, 0, −sin θ)
 * (right-handed: x_cam × y_cam = z_cam). A vector v_body maps to v_cam = (x_cam·v, y_cam·v, z_cam·v).
 * The same rotation applies to angular velocity (a vector) and to linear velocity.
 *
 * No allocation on the hot path: results go into caller-owned mutable objects.
 */
/** A 3-vector, frame and units stated where it is used. */
export interface Vec3 {
  x: number;
  y: number;
  z: number;
}

/** Mutable 2-D point in normalised image coordinates (camera frame, dimensionless). */
export interface MutableNormPoint {
  x: number;
  y: number;
}

/** Rotates a body-FRD vector into the camera frame of a forward camera pitched up by `mountPitchUpRad`; writes `out`. */
export function bodyFrdToCamera(vBody: Readonly<Vec3>, mountPitchUpRad: number, out: Vec3): Vec3 {
  const s = Math.sin(mountPitchUpRad);
  const c = Math.cos(mountPitchUpRad);
  const bx = vBody.x;
  const by = vBody.y;
  const bz = vBody.z;
  out.x = by;
  out.y = s * bx + c * bz;
  out.z = c * bx - s * bz;
  return out;
}

/** Body rates from the FC gyro (body FRD, rad/s) → camera-frame angular velocity (rad/s); writes `out`. */
export function bodyRatesFrdToCameraRadS(bodyRatesFrdRadS: Readonly<Vec3>, mountPitchUpRad: number, out: Vec3): Vec3 {
  return bodyFrdToCamera(bodyRatesFrdRadS, mountPitchUpRad, out);
}

/**
 * The focus of expansion from the vehicle's velocity in the camera frame (m/s): x_foe = V_x / V_z,
 * y_foe = V_y / V_z (the image of the direction of travel; flowModel.ts). Falls back to the optical axis
 * (0, 0) when the FC reports no velocity, when the speed is below `minSpeedMS`, or when the direction of
 * travel is less than `minForwardCos` (cosine) toward the optical axis: then the FOE is far outside the
 * image or behind the camera (a focus of contraction) and the ν-parametrised flow does not apply.
 * Writes `out.foeNorm` (mutable) and returns whether the velocity was used.
 */
export function focusOfExpansionFromVelocity(
  velocityCamMS: Readonly<Vec3> | undefined,
  out: MutableNormPoint,
  minSpeedMS = 0.2,
  minForwardCos = 0.5,
): boolean {
  out.x = 0;
  out.y = 0;
  if (velocityCamMS === undefined) return false;
  const { x, y, z } = velocityCamMS;
  const speed = Math.sqrt(x * x + y * y + z * z);
  if (!(speed >= minSpeedMS) || !(z >= minForwardCos * speed)) return false;
  out.x = x / z;
  out.y = y / z;
  return true;
}
