import type { EventBatch } from './eventBatch.js';
import type { SensorGeometry } from './sensorGeometry.js';

/**
 * The network's input tensor for one window, row-major CHW float32 at network geometry.
 *
 * - `kind: 'counts'`: 2 channels, channel 0 = OFF counts, channel 1 = ON counts, each pixel the number
 *   of events that mapped onto it (sensor pixels are binned to network pixels, see `InputMapping`).
 * - `kind: 'voxel'`: `channels` = B time bins; each event adds ±1 (ON +1, OFF −1) split linearly between
 *   the two nearest bins by its time within the window (Zhu et al. 2019).
 */
export interface NetworkInput {
  readonly kind: 'counts' | 'voxel';
  readonly channels: number;
  readonly geometry: SensorGeometry;
  /** Length channels × heightPx × widthPx. */
  readonly data: Float32Array;
}

/** How sensor pixels map to network pixels. */
export interface InputMapping {
  /** `letterbox`: whole sensor visible, scaled to fit, unused network rows/columns stay zero.
   *  `crop`: network fully covered, scaled to fill, sensor borders outside it dropped. */
  readonly fit: 'letterbox' | 'crop';
  /** Network pixels per sensor pixel (the same in x and y). */
  readonly scale: number;
  /** Network pixel offset of sensor pixel (0, 0) (may be negative with `crop`). */
  readonly offsetXPx: number;
  readonly offsetYPx: number;
}

/**
 * One fixed-rate window of events, cut by *sensor* time: it covers [tStartUs, tEndUs).
 * Windows are emitted at a fixed period (100–200 Hz) even when empty, so the control loop keeps its rate.
 *
 * Buffers (`input.data`, `learnerEvents`) are owned by the window cutter and reused for the next window:
 * a consumer that keeps them past its callback must copy them.
 */
export interface EventWindow {
  /** Sequence number since the cutter started (0, 1, 2, …); gaps mean windows were skipped after a time jump. */
  readonly index: number;
  readonly tStartUs: number;
  readonly tEndUs: number;
  readonly sensor: SensorGeometry;
  /** Events that fell in the window (before subsampling). */
  readonly eventCount: number;
  readonly input: NetworkInput;
  /** The window's events for the learner, in time order, at most the configured cap, chosen by
   *  uniform subsampling when the window holds more. Sensor-geometry pixel coordinates. */
  readonly learnerEvents: EventBatch;
}
