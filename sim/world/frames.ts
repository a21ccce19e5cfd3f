/**
 * Frames and rotations used across the simulator.
 *
 * - World frame: local **NED** (x north, y east, z down), metres, origin on the ground plane
 *   (ground is z = 0; altitude is −z).
 * - Body frame: **FRD** (x forward, y right, z down), attached to the vehicle's centre of mass.
 * - Camera frame: x right, y down, z along the optical axis (the usual computer-vision frame).
 * - Attitude: Z-Y-X (yaw ψ, pitch θ, roll φ) Euler angles, the convention PX4 and MAVLink ATTITUDE use;
 *   `R_wb = Rz(ψ)·Ry(θ)·Rx(φ)` maps body vectors into the world frame.
 *
 * Matrices are row-major `Float64Array(9)`; the helpers write into caller-owned outputs so the hot
 * loops allocate nothing.
 */
export type Mat3 = Float64Array;
export type Vec3 = Float64Array;

export function mat3(): Mat3 {
  return new Float64Array(9);
}

export function vec3(x = 0, y = 0, z = 0): Vec3 {
  const v = new Float64Array(3);
  v[0] = x;
  v[1] = y;
  v[2] = z;
  return v;
}

/** R_wb for Z-Y-X Euler angles (radians): body → world (NED). */
export function rotationFromEulerZyx(rollRad: number, pitchRad: number, yawRad: number, out: Mat3): Mat3 {
  const cr = Math.cos(rollRad);
  const sr = Math.sin(rollRad);
  const cp = Math.cos(pitchRad);
  const sp = Math.sin(pitchRad);
  const cy = Math.cos(yawRad);
  const sy = Math.sin(yawRad);
  out[0] = cy * cp;
  out[1] = cy * sp * sr - sy * cr;
  out[2] = cy * sp * cr + sy * sr;
  out[3] = sy * cp;
  out[4] = sy * sp * sr + cy * cr;
  out[5] = sy * sp * cr - cy * sr;
  out[6] = -sp;
  out[7] = cp * sr;
  out[8] = cp * cr;
  return out;
}

/** out = a · b (3×3). `out` must not alias `a` or `b`. */
export function mulMat3(a: Mat3, b: Mat3, out: Mat3): Mat3 {
  for (let r = 0; r < 3; r++) {
    const a0 = a[r * 3]!;
    const a1 = a[r * 3 + 1]!;
    const a2 = a[r * 3 + 2]!;
    out[r * 3] = a0 * b[0]! + a1 * b[3]! + a2 * b[6]!;
    out[r * 3 + 1] = a0 * b[1]! + a1 * b[4]! + a2 * b[7]!;
    out[r * 3 + 2] = a0 * b[2]! + a1 * b[5]! + a2 * b[8]!;
  }
  return out;
}

/** out = m · v. `out` must not alias `v`. */
export function mulMat3Vec(m: Mat3, v: ArrayLike<number>, out: Vec3): Vec3 {
  const x = v[0]!;
  const y = v[1]!;
  const z = v[2]!;
  out[0] = m[0]! * x + m[1]! * y + m[2]! * z;
  out[1] = m[3]! * x + m[4]! * y + m[5]! * z;
  out[2] = m[6]! * x + m[7]! * y + m[8]! * z;
  return out;
}

/** out = mᵀ · v (the inverse rotation). `out` must not alias `v`. */
export function mulMat3TVec(m: Mat3, v: ArrayLike<number>, out: Vec3): Vec3 {
  const x = v[0]!;
  const y = v[1]!;
  const z = v[2]!;
  out[0] = m[0]! * x + m[3]! * y + m[6]! * z;
  out[1] = m[1]! * x + m[4]! * y + m[7]! * z;
  out[2] = m[2]! * x + m[5]! * y + m[8]! * z;
  return out;
}

/** Wraps an angle to (−π, π]. */
export function wrapPi(angleRad: number): number {
  let a = angleRad % (2 * Math.PI);
  if (a > Math.PI) a -= 2 * Math.PI;
  else if (a <= -Math.PI) a += 2 * Math.PI;
  return a;
}
