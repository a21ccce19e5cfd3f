/**
 * A selection of the events the network input counts, applied by the window cutter before counting: e.g.
 * a background-activity (noise) filter, which the composition root supplies (the windows stage does not
 * know filters of its own).
 *
 * Coordinates: the cutter hands the filter events in *network* pixel coordinates (the input's geometry,
 * after the sensor → network mapping), so a filter's notion of "neighbouring pixel" is the network's
 * whatever the sensor: what weights trained on a 160 × 120 simulator saw.
 *
 * Timing: for a window [tStartUs, tEndUs) the cutter hands the filter every stored event in
 * [tStartUs − lookbackUs, tEndUs), in time order, and counts the kept ones at or after tStartUs. The filter
 * may look both ways in time within that span; it never sees events after the window's end, so a window's
 * input is final when the window closes.
 */
import type { EventBatch } from '../contracts/eventBatch.js';
import type { SensorGeometry } from '../contracts/sensorGeometry.js';

export interface InputEventFilter {
  /** History before the window's start the filter looks at, µs (≥ 0); those events support but are not counted. */
  readonly lookbackUs: number;
  /**
   * Per event of `events` (network coordinates, time order): 1 to count it, 0 to leave it out; a view valid
   * until the next call. Events before index `from` (the look-back) only support others: their flags are 0.
   */
  keep(events: EventBatch, from: number): Uint8Array;
}

/** Makes the filter for a network input geometry (the cutter calls it once). */
export type InputEventFilterFactory = (network: SensorGeometry) => InputEventFilter;
