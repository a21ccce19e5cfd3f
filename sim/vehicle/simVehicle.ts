/**
 * The vehicle as the rest of the world sees it: a small interface a flight-controller emulator
 * (firmware-bridge/emulator) or the closed-loop runner drives.
 *
 * Contract:
 * - `setVelocitySetpoint(velBodyMS, yawRateRadS)`: what PX4 in OFFBOARD does with
 *   SET_POSITION_TARGET_LOCAL_NED in MAV_FRAME_BODY_NED (type_mask 1479): `velBodyMS` is in body FRD
 *   *levelled about the heading* (x forward, y right, z down, m/s), rotated into NED with the heading at
 *   the moment of the call (PX4 converts once, on receipt); `yawRateRadS` is the heading rate
 *   (positive: nose right). Setpoints beyond the vehicle's limits are clamped. If no setpoint arrives
 *   for `offboardTimeoutS` (PX4 COM_OF_LOSS_T, 1 s), the vehicle brakes to a hover, as PX4's failsafe
 *   hold would.
 * - `step(dtS)`: advances the dynamics by dtS seconds (any size; integrated internally in sub-steps
 *   of at most 1 ms). Time is simulation time, owned by the caller (lock-step): the vehicle reads no
 *   clock.
 * - `state()`: a fresh immutable snapshot of the true state (allocates; call it at control rate, not
 *   per pixel). Its shape is a superset of the firmware bridge's `EmulatedVehicleState`, so the PX4 and
 *   Betaflight emulators can drive a `SimVehicle` directly.
 * - `imu()`: the latest IMU sample (noisy, biased), taken at the last sub-step.
 * - `reported()`: attitude, body rates and velocity as a flight controller reports them (estimator
 *   output: filtered, small residual errors), what the runtime would receive over MAVLink.
 */
import type { BodyRatesRadS, EulerAnglesRad, VelocityNedMS } from '../../src/contracts/vehicleState.js';

export interface Vector3 {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

export interface PositionNedM {
  readonly northM: number;
  readonly eastM: number;
  readonly downM: number;
}

/** One collision: when and where the vehicle's sphere first touched something. */
export interface CollisionRecord {
  /** Simulation time, µs since the vehicle was created. */
  readonly tUs: number;
  readonly positionNedM: PositionNedM;
  /** Index into the world's obstacles, or −1 for the ground. */
  readonly obstacleIndex: number;
  /** Speed at impact, m/s. */
  readonly speedMS: number;
}

export interface SimVehicleState {
  /** Simulation time of this state, µs since the vehicle was created. */
  readonly tUs: number;
  readonly positionNedM: PositionNedM;
  readonly velocityNedMS: VelocityNedMS;
  /** Velocity in body FRD (tilted with the vehicle), m/s. */
  readonly velocityBodyMS: Vector3;
  /** Acceleration in NED, m/s². */
  readonly accelerationNedMS2: Vector3;
  readonly attitude: EulerAnglesRad;
  /** Angular velocity about body FRD axes. */
  readonly bodyRatesRadS: BodyRatesRadS;
  readonly batteryV: number;
  /** Distance from the vehicle's sphere to the nearest obstacle surface (ground excluded), m. */
  readonly clearanceM: number;
  /** Smallest clearance seen since creation / the last `resetTo`, m. */
  readonly minClearanceM: number;
  /** Collisions since creation (not cleared by `resetTo`). */
  readonly collisionCount: number;
  /** True after a collision when the response is `stop`, until `resetTo`. */
  readonly crashed: boolean;
  /** Current wind at the vehicle (mean + gust), NED m/s. */
  readonly windNedMS: Vector3;
}

/** An IMU sample in body FRD. */
export interface ImuSample {
  readonly tUs: number;
  /** Specific force (what an accelerometer measures: acceleration minus gravity), m/s². */
  readonly accelBodyMS2: Vector3;
  readonly gyroBodyRadS: Vector3;
}

/** What a flight controller reports (PX4 ATTITUDE + LOCAL_POSITION_NED). */
export interface ReportedState {
  readonly tUs: number;
  readonly attitude: EulerAnglesRad;
  readonly bodyRatesRadS: BodyRatesRadS;
  readonly velocityNedMS: VelocityNedMS;
  /** Position in local NED relative to the world origin (the ground is at downM = 0), m; estimator error on down. */
  readonly positionNedM: PositionNedM;
}

export interface SimVehicle {
  setVelocitySetpoint(velBodyMS: Vector3, yawRateRadS: number): void;
  step(dtS: number): void;
  state(): SimVehicleState;
  imu(): ImuSample;
  reported(): ReportedState;
}
