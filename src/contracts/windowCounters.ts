/**
 * What a window cutter has seen since it was created. All counts are cumulative and never reset.
 *
 * Every event offered to the cutter lands in exactly one of: `outOfGeometryEvents`,
 * `invalidTimeEvents`, `backwardsEvents`, `betweenWindowsEvents`, or accepted (stored). An accepted
 * event then appears in at least one emitted window unless `ringOverflowDrops` took it.
 * Nothing is fatal: bad events are counted and dropped.
 */
export interface WindowCounters {
  /** Windows handed to the consumer (empty ones included). */
  readonly windowsEmitted: number;
  /** Emitted windows that held no event (still emitted, so control keeps its rate). */
  readonly emptyWindows: number;
  /** Events offered to the cutter: the readable entries of every pushed batch (see `malformedBatches`). */
  readonly eventsIn: number;
  /** Sum over emitted windows of `EventWindow.eventCount` (an event in k overlapping windows counts k times). */
  readonly eventsInWindows: number;
  /**
   * Events dropped for going back in time: older than the newest accepted event by more than the
   * configured tolerance, or older than the end of the last window already emitted (they would be
   * missing from a window a consumer has already seen).
   */
  readonly backwardsEvents: number;
  /**
   * Events accepted although slightly older (within the tolerance) than the newest accepted one; their
   * timestamp was raised to the newest accepted time so stored events stay in time order.
   */
  readonly reorderedEvents: number;
  /** Events whose timestamp is not a finite number ≥ 0: dropped. */
  readonly invalidTimeEvents: number;
  /** Events with x ≥ sensor width or y ≥ sensor height: dropped (decoders should already drop these). */
  readonly outOfGeometryEvents: number;
  /** Events that fall in the gap between windows when the window length is shorter than the period. */
  readonly betweenWindowsEvents: number;
  /** Events dropped because the event ring was full (a burst): the oldest stored events go first. */
  readonly ringOverflowDrops: number;
  /**
   * Events of emitted windows that the input filter (a noise filter, when configured) kept out of the network
   * input, each counted once (it is judged once, by the first window that contains it); they still count in
   * `eventsInWindows` and reach the learner.
   */
  readonly inputFilteredEvents: number;
  /** Times the cutter re-anchored its window grid after a time jump (forward or backward) beyond the limit. */
  readonly timeJumps: number;
  /** Batches whose `length` was not a whole number ≥ 0 or exceeded their arrays: only the entries all
   *  arrays hold were read (entries beyond them are not counted in `eventsIn`). */
  readonly malformedBatches: number;
  /** Window periods skipped (not emitted) by forward re-anchoring; `EventWindow.index` jumps by as much. */
  readonly windowsSkipped: number;
}
