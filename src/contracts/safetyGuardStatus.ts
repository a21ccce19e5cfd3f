/**
 * What the safety guard has done, for telemetry: its state, a counter per kind of intervention and
 * the most recent one. Counters are cumulative since the guard was created.
 */
export interface SafetyGuardStatus {
  /** When this status was taken (µs, Clock). */
  readonly tUs: number;
  /**
   * `nominal`: setpoints pass (clamped). `braking`: no fresh setpoint for the brake timeout, hover
   * setpoints are sent. `holding`: stale past the hold timeout, the autopilot was asked to hold.
   * `link-lost`: no heartbeat from the flight controller within the link timeout.
   */
  readonly state: GuardState;
  /** Setpoints submitted to the guard. */
  readonly setpointsIn: number;
  /** Setpoints the guard handed to the flight link (including hover setpoints it made itself). */
  readonly setpointsOut: number;
  /** Interventions per reason. */
  readonly counters: Readonly<Record<GuardReason, number>>;
  /** The most recent intervention, null if none yet. */
  readonly last: GuardIntervention | null;
}

export type GuardState = 'nominal' | 'braking' | 'holding' | 'link-lost';

/** Why the guard changed or replaced a setpoint, or changed state. */
export type GuardReason =
  | 'invalid-setpoint'
  | 'horizontal-speed-clamp'
  | 'vertical-speed-clamp'
  | 'yaw-rate-clamp'
  | 'horizontal-accel-clamp'
  | 'vertical-accel-clamp'
  | 'yaw-accel-clamp'
  | 'rate-limited'
  | 'stale-brake'
  | 'stale-hold'
  | 'hold-not-sent'
  | 'fc-link-lost'
  | 'fc-link-restored'
  | 'resumed';

/** One intervention, as logged. */
export interface GuardIntervention {
  /** When it happened (µs, Clock). */
  readonly tUs: number;
  readonly reason: GuardReason;
  /** Human-readable specifics (values before/after, ages), for the log. */
  readonly detail: string;
}
