import type { EventBatch } from './eventBatch.js';
import type { SensorGeometry } from './sensorGeometry.js';

/**
 * The network's input tensor for one window, row-major CHW float32 at network geometry.
 *
 * - `kind: 'counts'`: 2 channels, channel 0 = OFF counts, channel 1 = ON counts, each pixel the number
 *   of events that mapped onto it (sensor pixels are binned to network pixels, see `InputMapping`; with the
 *   window cutter's `inputSampling: 'decimate'` only one sensor pixel per network pixel counts).
 * - `kind: 'voxel'`: `channels` = B time bins; each event adds ±1 (ON +1, OFF −1) split linearly between
 *   the two nearest bins by its time within the window (Zhu et al. 2019). Bin b sits at time
 *   tStartUs + b · (tEndUs − tStartUs) / (B − 1); with B = 1 every event goes to bin 0 with weight 1.
 */
export interface NetworkInput {
  readonly kind: 'counts' | 'voxel';
  readonly channels: number;
  readonly geometry: SensorGeometry;
  /** How sensor pixels were mapped onto `geometry` (the learner needs it to put events in network pixels). */
  readonly mapping: InputMapping;
  /** Length channels × heightPx × widthPx. */
  readonly data: Float32Array;
}

/**
 * How sensor pixels map to network pixels.
 *
 * Sensor pixel (xs, ys) covers [xs, xs + 1) × [ys, ys + 1) in sensor pixel units; its centre maps to the
 * continuous network coordinate
 *     xn = offsetXPx + (xs + 0.5) · scale,   yn = offsetYPx + (ys + 0.5) · scale
 * and it is binned into network pixel (⌊xn⌋, ⌊yn⌋) when that lies inside the network geometry (otherwise
 * its events are not counted: only possible with `crop`).
 */
export interface InputMapping {
  /** `letterbox`: whole sensor visible, scaled to fit, unused network rows/columns stay zero.
   *  `crop`: network fully covered, scaled to fill, sensor borders outside it dropped. */
  readonly fit: 'letterbox' | 'crop';
  /** Network pixels per sensor pixel (the same in x and y). */
  readonly scale: number;
  /** Network x coordinate of the sensor's left edge (sensor x = 0); may be negative with `crop`. */
  readonly offsetXPx: number;
  /** Network y coordinate of the sensor's top edge (sensor y = 0); may be negative with `crop`. */
  readonly offsetYPx: number;
}

/**
 * Which sensor pixels count into the network input (the window cutter's `inputSampling`, named in the weights'
 * manifest): `bin`, every sensor pixel into the network pixel its centre lands in (`InputMapping`); `decimate`, only
 * the first sensor column and row of each network pixel (windows/inputMapping.ts says why).
 */
export const INPUT_SAMPLINGS = ['bin', 'decimate'] as const;
export type InputSampling = (typeof INPUT_SAMPLINGS)[number];

/**
 * One fixed-rate window of events, cut by *sensor* time: it covers [tStartUs, tEndUs).
 * Windows are emitted at a fixed period (100–200 Hz) even when empty, so the control loop keeps its rate.
 *
 * Buffers (`input.data`, `learnerEvents`) and the window object itself are owned by the window cutter
 * and reused for the next window: a consumer that keeps anything past its callback must copy it.
 */
export interface EventWindow {
  /** Sequence number since the cutter started (0, 1, 2, …); gaps mean windows were skipped after a time jump. */
  readonly index: number;
  /** Sensor time in µs, inclusive. May be fractional when the period is not a whole number of µs. */
  readonly tStartUs: number;
  /** Sensor time in µs, exclusive. Ends lie on the grid k · periodUs of sensor time. */
  readonly tEndUs: number;
  readonly sensor: SensorGeometry;
  /** Events that fell in the window (before subsampling; after any ring-overflow drops). */
  readonly eventCount: number;
  readonly input: NetworkInput;
  /**
   * Start of the span the learner's events come from, sensor µs, inclusive; the span ends at tEndUs. Equal to
   * tStartUs unless the cutter gives the learner a longer (or shorter) look back than the network input.
   */
  readonly learnerTStartUs: number;
  /** Events in the learner's span (before subsampling; after any ring-overflow drops). */
  readonly learnerEventCount: number;
  /** The learner span's events, in time order, at most the configured cap, chosen by uniform subsampling
   *  when the span holds more. Sensor-geometry pixel coordinates. */
  readonly learnerEvents: EventBatch;
}
