/**
 * What the avoidance stage asks the vehicle to do next: a velocity and a yaw rate.
 *
 * Frame: body FRD levelled about the current heading (x forward, y right, z down, roll and pitch
 * removed), which is what PX4 and ArduPilot do with MAVLink's MAV_FRAME_BODY_NED velocity targets.
 * A level-flight command therefore does not change with the vehicle's momentary tilt.
 *
 * Every setpoint passes the safety guard (firmware-bridge/safety) before it reaches a flight link.
 */
export interface SteeringSetpoint {
  /**
   * When the producer made this setpoint, from the shared Clock (µs, monotonic). The guard's
   * staleness watchdog measures the setpoint's age from here, not from its arrival.
   */
  readonly tUs: number;
  /** Forward velocity, m/s (positive: nose direction). */
  readonly velForwardMS: number;
  /** Rightward velocity, m/s (positive: to the right of the nose). */
  readonly velRightMS: number;
  /** Downward velocity, m/s (positive: descending). */
  readonly velDownMS: number;
  /** Yaw rate about the down axis, rad/s (positive: nose turns right, clockwise seen from above). */
  readonly yawRateRadS: number;
}

/** A hover setpoint (all zero) stamped at `tUs`: what the guard sends when it brakes. */
export function hoverSetpoint(tUs: number): SteeringSetpoint {
  return { tUs, velForwardMS: 0, velRightMS: 0, velDownMS: 0, yawRateRadS: 0 };
}
