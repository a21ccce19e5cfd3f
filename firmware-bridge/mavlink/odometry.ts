/**
 * Turning ODOMETRY's velocity into local NED. PX4 sends ODOMETRY with frame_id LOCAL_NED and
 * child_frame_id BODY_FRD, i.e. the velocity is expressed in the body frame and must be rotated by
 * the attitude quaternion q (w, x, y, z; body FRD → local NED) that the same message carries.
 */
import type { VelocityNedMS } from '../../src/contracts/vehicleState.js';

const MAV_FRAME_LOCAL_NED = 1;
const MAV_FRAME_LOCAL_FRD = 20;
const MAV_FRAME_BODY_FRD = 12;

/** Returns velocity in local NED, or null for frame combinations we do not interpret. */
export function odometryVelocityNed(
  childFrameId: number,
  q: readonly number[],
  vx: number,
  vy: number,
  vz: number,
): VelocityNedMS | null {
  if (childFrameId === MAV_FRAME_LOCAL_NED || childFrameId === MAV_FRAME_LOCAL_FRD) {
    return { northMS: vx, eastMS: vy, downMS: vz };
  }
  if (childFrameId !== MAV_FRAME_BODY_FRD || q.length < 4) return null;
  const [w, x, y, z] = q as [number, number, number, number];
  if (![w, x, y, z, vx, vy, vz].every(Number.isFinite)) return null;
  // v_ned = R(q) · v_body with R the rotation matrix of the unit quaternion.
  return {
    northMS: (1 - 2 * (y * y + z * z)) * vx + 2 * (x * y - w * z) * vy + 2 * (x * z + w * y) * vz,
    eastMS: 2 * (x * y + w * z) * vx + (1 - 2 * (x * x + z * z)) * vy + 2 * (y * z - w * x) * vz,
    downMS: 2 * (x * z - w * y) * vx + 2 * (y * z + w * x) * vy + (1 - 2 * (x * x + y * y)) * vz,
  };
}
