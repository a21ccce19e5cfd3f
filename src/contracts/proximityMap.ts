import type { SensorGeometry } from './sensorGeometry.js';

/**
 * The network's output: per-pixel inverse time-to-contact ν = V_z / Z in 1/s (V_z: velocity along the
 * optical axis toward the surface, Z: depth along the optical axis), at *network* geometry (default
 * 160 × 120), row-major, ν ≥ 0 (a surface at ν = 2 is reached in 0.5 s at the current speed).
 * Network pixels relate to sensor pixels through the window's `InputMapping`.
 */
export interface ProximityMap {
  /** Sensor time of the end of the window it was predicted from, µs. */
  readonly tUs: number;
  readonly geometry: SensorGeometry;
  /** Length widthPx × heightPx; 1/s. */
  readonly invTtcPerS: Float32Array;
  /** Version of the weights that produced it (increases with every adopted update). */
  readonly weightsVersion: number;
}
