/**
 * A selection of the events the network input counts, applied by the window cutter before counting: e.g.
 * a background-activity (noise) filter, which the composition root supplies (the windows stage does not
 * know filters of its own).
 *
 * Coordinates: the cutter hands the filter events in *network* pixel coordinates (the input's geometry,
 * after the sensor → network mapping), so a filter's notion of "neighbouring pixel" is the network's
 * whatever the sensor: what weights trained on a 160 × 120 simulator saw.
 *
 * Timing: each event is judged once, when the first window that contains it closes. For a window
 * [tStartUs, tEndUs) whose events from time t0 on are not yet judged (t0 = tStartUs when windows do not
 * overlap; the previous window's end when they do), the cutter hands the filter every stored event in
 * [t0 − lookbackUs, tEndUs), in time order, keeps the verdicts on those from t0 on, and counts the kept
 * events of [tStartUs, tEndUs). The filter may look both ways in time within what it is handed; it never sees
 * events after the window's end, so a window's input is final when the window closes, and an input span of
 * several periods costs the filter one period's events per window.
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
