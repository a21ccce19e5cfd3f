import { z } from 'zod';

/**
 * Parameters of the sector steering law (see sectorSteering.ts). Defaults follow the CVPR 2025 drone
 * of Hagenaars et al. where it states them (8 sectors, yaw rate within 0.5 rad/s, 0.5 m/s forward).
 */
export const avoidanceConfigSchema = z
  .object({
    /** Vertical sectors the field of view is split into (left to right). */
    sectors: z.number().int().min(3).max(64).default(8),
    /** Horizontal field of view of the network image, rad (the camera's, after the input mapping). */
    horizontalFovRad: z.number().gt(0).lt(Math.PI).default((90 * Math.PI) / 180),
    /**
     * Rows used, as fractions of the image height from the top: the band around the horizon. Rows
     * below it see the ground, whose ν says nothing about obstacles ahead.
     */
    rowBandTop: z.number().min(0).max(1).default(0.15),
    rowBandBottom: z.number().min(0).max(1).default(0.6),
    /** Percentile of ν within a sector taken as its proximity (robust to a few noisy pixels). */
    percentile: z.number().gt(0).lt(1).default(0.9),
    /** Cost per rad of a sector's angle away from the goal direction, in units of ν (1/s per rad). */
    goalWeightPerSPerRad: z.number().min(0).default(0.5),
    /** Yaw rate per rad of the chosen sector's angle, 1/s. */
    yawGainPerS: z.number().min(0).default(1.5),
    /** Yaw-rate clip, rad/s. */
    maxYawRateRadS: z.number().gt(0).default(0.5),
    /** Forward speed when the way ahead is clear, m/s. */
    cruiseSpeedMS: z.number().min(0).default(0.5),
    /** Time to contact ahead below which the vehicle brakes (forward speed 0), s. */
    brakeTtcS: z.number().gt(0).default(0.8),
    /** Time to contact ahead above which it flies at cruise speed; linear in between, s. */
    slowTtcS: z.number().gt(0).default(2.5),
    /** Time constant of the low-pass on the steering angle, s (0 = none). Stops sector flicker. */
    steeringTauS: z.number().min(0).default(0.1),
    /**
     * Time constant of the low-pass on the forward speed when it rises, s (0 = none). The time to
     * contact ahead is noisy window to window; speeding up follows it smoothly, while braking (a lower
     * speed) takes effect at once — slowing down is never delayed.
     */
    speedUpTauS: z.number().min(0).default(0.3),
    /** Share of a sector's pixels that may be non-finite before the map is distrusted (→ brake). */
    maxInvalidShare: z.number().min(0).max(1).default(0.05),
  })
  .strict()
  .refine((c) => c.rowBandBottom > c.rowBandTop, { message: 'rowBandBottom must lie below rowBandTop' })
  .refine((c) => c.slowTtcS > c.brakeTtcS, { message: 'slowTtcS must be longer than brakeTtcS' });

export type AvoidanceConfig = z.infer<typeof avoidanceConfigSchema>;
export type AvoidanceConfigInput = z.input<typeof avoidanceConfigSchema>;
