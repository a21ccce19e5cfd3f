/**
 * Parameters of the safety guard, with their defaults and checks. Every setpoint passes the guard,
 * so these numbers bound what the runtime can ever command (see firmware-bridge/README.md).
 */
import { z } from 'zod';

export const guardConfigSchema = z
  .object({
    /** Largest horizontal speed (norm of forward/right), m/s. Larger requests are scaled down, direction kept. */
    maxHorizontalSpeedMS: z.number().positive().default(2.0),
    /** Largest vertical speed (either direction), m/s. */
    maxVerticalSpeedMS: z.number().positive().default(1.0),
    /** Largest yaw rate (either direction), rad/s. */
    maxYawRateRadS: z.number().positive().default(1.0),
    /** Largest change of commanded horizontal velocity per second, m/s². Braking to hover is exempt. */
    maxHorizontalAccelMS2: z.number().positive().default(3.0),
    /** Largest change of commanded vertical velocity per second, m/s². */
    maxVerticalAccelMS2: z.number().positive().default(2.0),
    /** Largest change of commanded yaw rate per second, rad/s². */
    maxYawAccelRadS2: z.number().positive().default(6.0),
    /**
     * Most setpoints per second passed on to the link. Faster submissions are coalesced: the newest
     * waits for the next slot (the guard's tick), older ones are dropped and counted.
     */
    maxSetpointRateHz: z.number().positive().default(250),
    /**
     * Rate of the guard's own loop (watchdog, hover setpoints, keep-alive re-sends), Hz. While
     * nominal, a setpoint is re-sent when nothing went out for one period, so the autopilot never
     * sees fewer than this (PX4 needs > 2 Hz, Betaflight's RC override wants ≥ 50 Hz).
     */
    tickRateHz: z.number().min(5).max(1000).default(50),
    /** No fresh setpoint (by its tUs) for longer than this → send hover setpoints (brake), µs. */
    staleBrakeUs: z.number().int().positive().default(50_000),
    /** Stale for longer than this → also ask the autopilot to hold (loiter), µs. */
    staleHoldUs: z.number().int().positive().default(500_000),
    /** No autopilot heartbeat for longer than this → flight controller counted as lost, µs. */
    fcHeartbeatTimeoutUs: z.number().int().positive().default(2_000_000),
    /**
     * Longest time step the acceleration clamp credits, µs: after a pause the next command may
     * change by at most accel · this, not by accel · (whole pause).
     */
    maxAccelStepUs: z.number().int().positive().default(100_000),
  })
  .strict()
  .refine((c) => c.staleHoldUs > c.staleBrakeUs, {
    message: 'staleHoldUs must be longer than staleBrakeUs',
  });

export type GuardConfig = z.infer<typeof guardConfigSchema>;
export type GuardConfigInput = z.input<typeof guardConfigSchema>;

/** Fills defaults and checks ranges; throws a ZodError naming the bad field. */
export function parseGuardConfig(input: GuardConfigInput = {}): GuardConfig {
  return guardConfigSchema.parse(input);
}

export const DEFAULT_GUARD_CONFIG: GuardConfig = parseGuardConfig();
