/**
 * A selection of the events the network input counts, applied by the window cutter before counting: e.g.
 * a background-activity (noise) filter, which the composition root supplies (the windows stage does not
 * know filters of its own).
 *
 * Coordinates: the cutter hands the filter events in *network* pixel coordinates (the input's geometry,
 * after the sensor → network mapping), so a filter's notion of "neighbouring pixel" is the network's
 * whatever the sensor: what weights trained on a 160 × 120 simulator saw.
 *
 * Timing: each event is judged once, when the first window that contains it closes, among the events that
 * had arrived by then. The cutter hands the filter, in time order, every stored event it has not handed
 * before — the new events of the window, and in front of a window after a gap the `lookbackUs` of events
 * before its start — and keeps the verdicts; every window's input counts the kept events of its span. The
 * filter remembers what it needs of the events handed before (a per-pixel latest time, say), so each event is
 * read once and an input span of several periods costs about one period's work. It never sees events after
 * the window's end, so a window's input is final when the window closes.
 */
import type { EventBatch } from '../contracts/eventBatch.js';
import type { SensorGeometry } from '../contracts/sensorGeometry.js';

export interface InputEventFilter {
  /** History before a window's start whose events may support the window's, µs (≥ 0): the cutter stores it. */
  readonly lookbackUs: number;
  /**
   * Judges the next events of the stream (network coordinates, time order, none earlier than any handed before
   * since the last `reset`): per event 1 to count it, 0 to leave it out; a view valid until the next call.
   */
  judgeNext(events: EventBatch): Uint8Array;
  /** Forgets the events handed before (the cutter re-anchored its grid after a time jump). */
  reset(): void;
}

/** Makes the filter for a network input geometry (the cutter calls it once). */
export type InputEventFilterFactory = (network: SensorGeometry) => InputEventFilter;
