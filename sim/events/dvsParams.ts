/**
 * Parameters of the DVS (event camera) pixel model, and the presets `clean` and `noisy`.
 *
 * Sources: the presets follow v2e (Hu, Liu & Delbruck, "v2e: From Video Frames to Realistic DVS
 * Events", CVPRW 2021; SensorsINI/v2e). v2e's command-line defaults are thresholds 0.2 (ON and OFF,
 * natural-log units), threshold spread σ 0.03, refractory period 0.5 ms, photoreceptor cutoff 300 Hz,
 * leak 0.01 Hz, shot noise 0.001 Hz. Its `clean` preset turns noise and bandwidth limits off
 * (σ 0.02, no refractory period); its `noisy` preset sets σ 0.05, cutoff 30 Hz, leak 0.1 Hz, shot noise
 * 5 Hz, leak jitter 10 %, noise-rate spread 0.1 decades.
 *
 * Ours:
 * - `clean`: v2e defaults for threshold (0.2), σ (0.03) and refractory period (0.5 ms, as the design
 *   asks), with v2e-clean's noise settings (no leak, no shot noise, unlimited bandwidth).
 * - `noisy`: v2e `noisy` (σ 0.05, cutoff 30 Hz, leak 0.1 Hz, shot 5 Hz, 0.1-decade rate spread) with the
 *   same 0.5 ms refractory period.
 */
export interface DvsParams {
  /** Log-intensity rise that triggers an ON event (nominal, natural-log units). */
  readonly onThreshold: number;
  /** Log-intensity fall that triggers an OFF event (nominal). */
  readonly offThreshold: number;
  /** Per-pixel standard deviation of both thresholds (fixed-pattern mismatch). */
  readonly thresholdSigma: number;
  /** Thresholds are clipped below at this value (v2e: 0.01). */
  readonly minThreshold: number;
  /** Dead time after an event during which the pixel cannot fire, microseconds. */
  readonly refractoryUs: number;
  /**
   * Photoreceptor 3 dB bandwidth at full intensity (log intensity 0), Hz; proportional to intensity
   * below that (dark pixels are slow, as in v2e). 0 = unlimited.
   */
  readonly cutoffHz: number;
  /** Leak: the reference drifts down so a static pixel fires ON events at this rate, Hz per pixel. */
  readonly leakRateHz: number;
  /** Shot (temporal) noise, ON+OFF events per pixel per second in the darkest parts of the scene. */
  readonly shotNoiseRateHz: number;
  /** Shot-noise rate at full intensity relative to the darkest parts (v2e: 0.25). */
  readonly shotNoiseBrightFactor: number;
  /** Log-normal spread of per-pixel leak rates, decades (v2e `noise_rate_cov_decades`). */
  readonly noiseRateSpreadDecades: number;
  /** Bound on events one pixel may emit per sample interval (guards against pathological input). */
  readonly maxEventsPerPixelPerSample: number;
}

export type DvsPresetName = 'clean' | 'noisy';
export const DVS_PRESET_NAMES: readonly DvsPresetName[] = ['clean', 'noisy'];

export const DVS_CLEAN: DvsParams = {
  onThreshold: 0.2,
  offThreshold: 0.2,
  thresholdSigma: 0.03,
  minThreshold: 0.01,
  refractoryUs: 500,
  cutoffHz: 0,
  leakRateHz: 0,
  shotNoiseRateHz: 0,
  shotNoiseBrightFactor: 0.25,
  noiseRateSpreadDecades: 0,
  maxEventsPerPixelPerSample: 64,
};

export const DVS_NOISY: DvsParams = {
  ...DVS_CLEAN,
  thresholdSigma: 0.05,
  cutoffHz: 30,
  leakRateHz: 0.1,
  shotNoiseRateHz: 5,
  noiseRateSpreadDecades: 0.1,
};

export function dvsPreset(name: string): DvsParams {
  if (name === 'clean') return DVS_CLEAN;
  if (name === 'noisy') return DVS_NOISY;
  throw new Error(`unknown DVS preset '${name}' (known: ${DVS_PRESET_NAMES.join(', ')})`);
}
