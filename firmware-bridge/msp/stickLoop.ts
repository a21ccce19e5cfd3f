/**
 * The companion-side loop for Betaflight / INAV: turns a velocity + yaw-rate setpoint (body FRD,
 * levelled about the heading) into RC stick values for MSP_SET_RAW_RC, assuming the flight
 * controller flies in ANGLE mode with the MSP OVERRIDE mode active on the overridden channels.
 *
 * Model (linear-drag multirotor in ANGLE mode):
 * - ANGLE mode maps stick deflection s ∈ [−1, 1] linearly to a tilt s · angleLimitDeg
 *   (Betaflight `angle_limit`, default 60°).
 * - A steady horizontal speed v needs the tilt θ with g · tan θ = k · v, k the linear drag
 *   coefficient (1/s) of the airframe: feed-forward tilt θ = atan(k · v / g).
 * - When the autopilot reports velocity (INAV with GPS; never Betaflight), a proportional term
 *   adds velocityGainPerS · (v_cmd − v_measured) to the commanded acceleration.
 * - Yaw: Betaflight rates set linear (expo 0, "actual" rates with center = max) give
 *   yaw rate = s · yawRateFullStickDegS.
 * - Throttle: hoverThrottle minus throttlePerMS per m/s of commanded descent (feed-forward only).
 *
 * Limits, by design and stated for operators:
 * - Without velocity feedback (Betaflight) horizontal speed is open loop: its accuracy is that of
 *   dragPerS; wind shifts the speed one-for-one.
 * - Altitude is not held: throttle is hover ± feed-forward, so battery sag and payload change
 *   make the vehicle drift vertically; INAV's ALTHOLD (throttle = climb rate) is better.
 * - Tilt is capped at maxTiltDeg (≤ angleLimitDeg): at the default 25° and k = 0.35/s the top
 *   speed is g · tan 25° / 0.35 ≈ 13 m/s, far above the guard's default limit.
 * - Requires ANGLE mode, linear yaw rates, and AETR channel order (configurable).
 * - The loop never arms and never touches AUX channels: include only the four sticks in
 *   `msp_override_channels_mask` (15) so the pilot's switches stay the pilot's.
 */
import { z } from 'zod';
import type { SteeringSetpoint } from '../../src/contracts/steeringSetpoint.js';
import type { VelocityNedMS } from '../../src/contracts/vehicleState.js';

const G = 9.80665;
const DEG = Math.PI / 180;

export const stickLoopConfigSchema = z
  .object({
    /** Betaflight `angle_limit`: the tilt at full stick in ANGLE mode, degrees. */
    angleLimitDeg: z.number().min(10).max(90).default(60),
    /** Our own tilt cap, degrees (≤ angleLimitDeg). */
    maxTiltDeg: z.number().positive().max(80).default(25),
    /** Linear drag coefficient k, 1/s: g · tan(tilt) = k · v in steady flight. */
    dragPerS: z.number().positive().default(0.35),
    /** Velocity error gain when velocity is reported, 1/s. 0 disables feedback. */
    velocityGainPerS: z.number().min(0).default(1.0),
    /** Yaw rate at full yaw stick, deg/s (linear rates). */
    yawRateFullStickDegS: z.number().positive().default(200),
    /** Throttle that holds altitude, fraction 0–1 of the throttle range. */
    hoverThrottle: z.number().min(0).max(1).default(0.35),
    /** Throttle change per m/s of commanded climb, fraction per m/s. */
    throttlePerMS: z.number().min(0).default(0.08),
    throttleMin: z.number().min(0).max(1).default(0.1),
    throttleMax: z.number().min(0).max(1).default(0.7),
    /** Channel order of the receiver map, Betaflight `map` (default AETR1234). */
    channelOrder: z.enum(['AETR', 'TAER']).default('AETR'),
    /** Values sent on AUX1.. (µs); ignored by the FC unless in the override mask. */
    auxUs: z.array(z.number().int().min(1000).max(2000)).max(12).default([1000, 1000, 1000, 1000]),
  })
  .strict()
  .refine((c) => c.maxTiltDeg <= c.angleLimitDeg, { message: 'maxTiltDeg must not exceed angleLimitDeg' })
  .refine((c) => c.throttleMin <= c.hoverThrottle && c.hoverThrottle <= c.throttleMax, {
    message: 'hoverThrottle must lie within [throttleMin, throttleMax]',
  });

export type StickLoopConfig = z.infer<typeof stickLoopConfigSchema>;
export type StickLoopConfigInput = z.input<typeof stickLoopConfigSchema>;

export function parseStickLoopConfig(input: StickLoopConfigInput = {}): StickLoopConfig {
  return stickLoopConfigSchema.parse(input);
}

/** Stick deflections: roll/pitch/yaw in [−1, 1] (positive = right / nose down / nose right), throttle in [0, 1]. */
export interface Sticks {
  readonly roll: number;
  readonly pitch: number;
  readonly yaw: number;
  readonly throttle: number;
}

/**
 * Sticks for a setpoint. `velNedMS` and `yawRad` (both or neither) enable velocity feedback.
 */
export function sticksForSetpoint(
  c: StickLoopConfig,
  sp: SteeringSetpoint,
  feedback: { velNedMS: VelocityNedMS; yawRad: number } | null = null,
): Sticks {
  let aFwd = c.dragPerS * sp.velForwardMS;
  let aRight = c.dragPerS * sp.velRightMS;
  if (feedback && c.velocityGainPerS > 0) {
    const cy = Math.cos(feedback.yawRad);
    const sy = Math.sin(feedback.yawRad);
    const vFwd = cy * feedback.velNedMS.northMS + sy * feedback.velNedMS.eastMS;
    const vRight = -sy * feedback.velNedMS.northMS + cy * feedback.velNedMS.eastMS;
    aFwd += c.velocityGainPerS * (sp.velForwardMS - vFwd);
    aRight += c.velocityGainPerS * (sp.velRightMS - vRight);
  }
  let tiltFwd = Math.atan(aFwd / G);
  let tiltRight = Math.atan(aRight / G);
  const tilt = Math.hypot(tiltFwd, tiltRight);
  const maxTilt = c.maxTiltDeg * DEG;
  if (tilt > maxTilt) {
    tiltFwd *= maxTilt / tilt;
    tiltRight *= maxTilt / tilt;
  }
  const limit = c.angleLimitDeg * DEG;
  return {
    roll: clamp(tiltRight / limit, -1, 1),
    pitch: clamp(tiltFwd / limit, -1, 1),
    yaw: clamp(sp.yawRateRadS / DEG / c.yawRateFullStickDegS, -1, 1),
    throttle: clamp(c.hoverThrottle - c.throttlePerMS * sp.velDownMS, c.throttleMin, c.throttleMax),
  };
}

/** RC channel values (µs) for sticks, in the configured order, followed by the AUX values. */
export function channelsForSticks(c: StickLoopConfig, s: Sticks): number[] {
  const a = stickUs(s.roll);
  const e = stickUs(s.pitch);
  const r = stickUs(s.yaw);
  const t = Math.round(1000 + 1000 * s.throttle);
  const sticks = c.channelOrder === 'AETR' ? [a, e, t, r] : [t, a, e, r];
  return [...sticks, ...c.auxUs];
}

/** Inverse of `channelsForSticks` (the emulator reads channels back into sticks). */
export function sticksFromChannels(c: StickLoopConfig, ch: readonly number[]): Sticks | null {
  if (ch.length < 4) return null;
  const [a, e, t, r] = c.channelOrder === 'AETR' ? [ch[0]!, ch[1]!, ch[2]!, ch[3]!] : [ch[1]!, ch[2]!, ch[0]!, ch[3]!];
  return { roll: (a - 1500) / 500, pitch: (e - 1500) / 500, yaw: (r - 1500) / 500, throttle: (t - 1000) / 1000 };
}

/**
 * What an airframe following the model settles at for given sticks: the inverse of the
 * feed-forward (used by the Betaflight emulator to drive a velocity-controlled vehicle).
 */
export function steadyStateForSticks(c: StickLoopConfig, s: Sticks): { velForwardMS: number; velRightMS: number; velDownMS: number; yawRateRadS: number } {
  const limit = c.angleLimitDeg * DEG;
  return {
    velForwardMS: (G * Math.tan(s.pitch * limit)) / c.dragPerS,
    velRightMS: (G * Math.tan(s.roll * limit)) / c.dragPerS,
    velDownMS: c.throttlePerMS > 0 ? (c.hoverThrottle - s.throttle) / c.throttlePerMS : 0,
    yawRateRadS: s.yaw * c.yawRateFullStickDegS * DEG,
  };
}

function stickUs(s: number): number {
  return Math.round(1500 + 500 * clamp(s, -1, 1));
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
