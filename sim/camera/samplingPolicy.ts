/**
 * How often the camera must be sampled for the event model.
 *
 * The event model interpolates log intensity linearly between samples, which is faithful while the
 * image moves by a fraction of a pixel per sample (v2e's automatic timestamp resolution limits motion
 * to 1 px per frame for the same reason). So the interval is chosen from a bound on the fastest image
 * motion anywhere in the frame, computed from the camera's velocity and angular rate and the nearest
 * depth seen in the last frame, such that no pixel moves more than `maxPxPerSample`; and never slower
 * than `fastRateHz` (1 kHz) while the motion exceeds `fastFlowPxS`, nor slower than `minRateHz` at all.
 */
import type { PinholeCamera } from './pinhole.js';

export interface SamplingPolicy {
  /** Largest image motion allowed between samples, pixels. */
  readonly maxPxPerSample: number;
  /** Bounds on the sampling rate, Hz. */
  readonly minRateHz: number;
  readonly maxRateHz: number;
  /** Above this image motion (px/s) the image "changes fast" and the rate is at least `fastRateHz`. */
  readonly fastFlowPxS: number;
  readonly fastRateHz: number;
}

export const DEFAULT_SAMPLING_POLICY: SamplingPolicy = {
  maxPxPerSample: 0.5,
  minRateHz: 200,
  maxRateHz: 10_000,
  fastFlowPxS: 100,
  fastRateHz: 1000,
};

/**
 * Upper bound on the image motion (px/s) of any static scene point, from the camera's linear velocity
 * `velCamMS` and angular rate `omegaCamRadS` (both in the camera frame) and the nearest depth `minDepthM`.
 *
 * With normalised image coordinates (x, y), |x|, |y| within the field of view (corner radius ρ):
 *   translational flow = (x·v_z − v_x, y·v_z − v_y) / Z, bounded by (ρ·|v_z| + |v_xy|) / Z_min;
 *   rotational flow, bounded by (1 + ρ²)·|ω_xy| + ρ·|ω_z|.
 */
export function peakFlowPxS(camera: PinholeCamera, velCamMS: ArrayLike<number>, omegaCamRadS: ArrayLike<number>, minDepthM: number): number {
  const tx = (camera.widthPx / 2) / camera.fxPx;
  const ty = (camera.heightPx / 2) / camera.fyPx;
  const rho2 = tx * tx + ty * ty;
  const rho = Math.sqrt(rho2);
  const vxy = Math.hypot(velCamMS[0]!, velCamMS[1]!);
  const vz = Math.abs(velCamMS[2]!);
  const z = Math.max(minDepthM, 0.05);
  const trans = Number.isFinite(z) ? (rho * vz + vxy) / z : 0;
  const rot = (1 + rho2) * Math.hypot(omegaCamRadS[0]!, omegaCamRadS[1]!) + rho * Math.abs(omegaCamRadS[2]!);
  return (trans + rot) * camera.fxPx;
}

/** The next sampling interval in whole microseconds for a given peak image motion. */
export function sampleIntervalUs(peakFlow: number, policy: SamplingPolicy = DEFAULT_SAMPLING_POLICY): number {
  let rate = peakFlow / policy.maxPxPerSample;
  if (peakFlow >= policy.fastFlowPxS) rate = Math.max(rate, policy.fastRateHz);
  rate = Math.min(policy.maxRateHz, Math.max(policy.minRateHz, rate));
  return Math.max(1, Math.round(1e6 / rate));
}
