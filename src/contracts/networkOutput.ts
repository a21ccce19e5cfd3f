/**
 * What the proximity network's raw output means, and how the runtime turns it into ν (ProximityMap).
 *
 * ν = V_z / Z (1/s) scales with the camera's speed along its optical axis V_z, while what the events show is
 * the scene's structure: the same forest flown at 1 m/s and at 3 m/s gives ν three times apart. A network
 * that outputs ν directly must guess the speed from the events; over a domain-B flight the mean true ν moved
 * 0.17–0.75 1/s with the speed while ν / V_z stayed at 0.21–0.28 1/m (src/learning/EVIDENCE.md). So a
 * network trained with `speedScaling` outputs *ν at a reference speed* (= V_ref / Z), and the runtime scales
 * it by the flight controller's axial speed:
 *
 *     ν = output · max(V_z, minSpeedMS) / referenceSpeedMS
 *
 * The floor keeps a map with structure while hovering (ν as if moving at `minSpeedMS`), so avoidance still
 * sees which side is nearer; without a velocity estimate (Betaflight) the scale is 1: ν as if flying at the
 * reference speed. Weights without `speedScaling` output ν directly (scale 1 always).
 */

/** The default floor of the axial speed, m/s. */
export const DEFAULT_MIN_SPEED_MS = 0.5;

/** The speed normalisation of a network's output (WeightsManifest.speedScaling). */
export interface SpeedScaling {
  /** The speed the output is ν at, m/s (> 0). */
  readonly referenceSpeedMS: number;
  /** Axial speeds below this count as this, m/s (≥ 0). */
  readonly minSpeedMS: number;
}

/**
 * The factor from the network's output to ν for a camera moving at `axialSpeedMS` along its optical axis
 * (m/s, camera frame; null when the FC reports no velocity). 1 without scaling.
 */
export function outputToNuScale(axialSpeedMS: number | null, scaling: SpeedScaling | null | undefined): number {
  if (!scaling) return 1;
  if (axialSpeedMS === null || !Number.isFinite(axialSpeedMS)) return 1;
  return Math.max(axialSpeedMS, scaling.minSpeedMS) / scaling.referenceSpeedMS;
}
