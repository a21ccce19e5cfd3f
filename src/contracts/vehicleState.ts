/**
 * What the flight controller reports about the vehicle, as one immutable snapshot. A flight link
 * publishes a new snapshot whenever an inbound message changes it (ATTITUDE at 100–200 Hz is the
 * usual driver), so consumers take the latest and never mutate it.
 *
 * Frames: attitude is the Euler angles (ZYX: yaw, then pitch, then roll) of body FRD relative to
 * local NED; body rates are about the body FRD axes; velocity is in local NED.
 * Times: every `…TUs` is the receiving Clock's time (µs) when the message arrived, so ages are
 * `clock.nowUs() - xTUs`; the autopilot's own boot time is not exposed.
 */
export interface VehicleState {
  /** Receipt time of the newest message folded into this snapshot (µs, Clock). */
  readonly tUs: number;
  /** Motors armed, as the autopilot reports it (MAVLink base_mode SAFETY_ARMED; MSP ARM box). */
  readonly armed: boolean;
  /** Flight mode, mapped to a firmware-neutral kind. */
  readonly mode: FlightModeKind;
  /** Firmware-specific mode name, e.g. `PX4:OFFBOARD`, `ArduCopter:GUIDED`, `Betaflight:ANGLE`. */
  readonly modeName: string;
  /**
   * True while the autopilot follows this runtime's setpoints: PX4 OFFBOARD, ArduPilot GUIDED,
   * or (MSP) the link is streaming RC override and the vehicle is armed.
   */
  readonly inControl: boolean;
  /** Attitude (rad), null until the first attitude message. */
  readonly attitude: EulerAnglesRad | null;
  /** Receipt time of the attitude/rates sample (µs, Clock), null until the first one. */
  readonly attitudeTUs: number | null;
  /** Angular velocity about body FRD axes (rad/s), null until the first sample. */
  readonly bodyRatesRadS: BodyRatesRadS | null;
  /** Velocity in local NED (m/s); null when the autopilot does not estimate it (Betaflight). */
  readonly velNedMS: VelocityNedMS | null;
  /** Receipt time of the velocity sample (µs, Clock), null until the first one. */
  readonly velTUs: number | null;
  /**
   * Height above the estimator's origin (the take-off point), m, up positive: −z of MAVLink
   * LOCAL_POSITION_NED, received with the velocity (same receipt time, `velTUs`). Null when the autopilot
   * does not report a local position (Betaflight). The learner reads it as the height above flat ground.
   */
  readonly heightAboveHomeM: number | null;
  /** Battery voltage (V), null until reported. */
  readonly batteryV: number | null;
  /** How the link itself is doing. */
  readonly link: LinkHealth;
}

/** Firmware-neutral flight mode. `hold` covers PX4 AUTO.LOITER, ArduPilot LOITER/BRAKE. */
export type FlightModeKind =
  | 'offboard'
  | 'guided'
  | 'hold'
  | 'position'
  | 'altitude'
  | 'stabilized'
  | 'angle'
  | 'acro'
  | 'manual'
  | 'takeoff'
  | 'land'
  | 'rtl'
  | 'mission'
  | 'unknown';

/** Euler angles ZYX of body FRD relative to local NED, radians. */
export interface EulerAnglesRad {
  /** Positive: right wing down. */
  readonly rollRad: number;
  /** Positive: nose up. */
  readonly pitchRad: number;
  /** Heading from north, positive clockwise seen from above, in (−π, π]. */
  readonly yawRad: number;
}

/** Angular velocity about body FRD axes, rad/s (p, q, r). */
export interface BodyRatesRadS {
  readonly rollRadS: number;
  readonly pitchRadS: number;
  readonly yawRadS: number;
}

/** Velocity in local NED, m/s. */
export interface VelocityNedMS {
  readonly northMS: number;
  readonly eastMS: number;
  readonly downMS: number;
}

/**
 * Health of the byte link and of the flight controller behind it. Counters are cumulative since
 * the link was created (reconnects do not clear them).
 */
export interface LinkHealth {
  /** The transport is open (serial port present, socket connected). */
  readonly connected: boolean;
  /**
   * Receipt time (µs, Clock) of the last sign of life from the autopilot: a MAVLink HEARTBEAT from
   * the autopilot component, or any valid MSP reply. Null until the first one. The safety guard
   * decides from this when the flight controller counts as lost.
   */
  readonly lastFcHeartbeatTUs: number | null;
  /** Valid frames received. */
  readonly framesIn: number;
  /** Frames written to the transport. */
  readonly framesOut: number;
  /** Frames that could not be written (transport closed or write error): dropped, not queued. */
  readonly framesDropped: number;
  /** Bytes the parser skipped while resynchronising (garbage, bad frames). */
  readonly bytesSkipped: number;
  /** Frames whose checksum did not match. */
  readonly crcErrors: number;
  /** Times the transport came back after being lost. */
  readonly reconnects: number;
}
