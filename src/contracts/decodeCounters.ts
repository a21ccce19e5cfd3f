/**
 * What a streaming event decoder has seen so far. All counts are cumulative since the decoder was
 * created (a `reset` of stream state does not clear them). Nothing a decoder meets is fatal: every
 * word that does not yield an in-geometry event lands in exactly one of these counters.
 */
export interface DecodeCounters {
  /** Bytes fed to the decoder (header excluded). */
  readonly bytes: number;
  /** Events emitted (in geometry, after the first time base). */
  readonly events: number;
  readonly onEvents: number;
  readonly offEvents: number;
  /** Events whose x or y lies outside the sensor geometry: counted and dropped. */
  readonly droppedOutOfGeometry: number;
  /**
   * Events met before the stream established its time base (before the first TIME_HIGH word) or,
   * in EVT 3.0, before any y address: their time or row is unknown, so they are dropped, as
   * Prophesee's decoder does.
   */
  readonly droppedNoTimeBase: number;
  /** Words of a reserved/unknown type, or malformed sequences. Counted and skipped. */
  readonly invalidWords: number;
  /** External trigger events (EXT_TRIGGER words). */
  readonly triggers: number;
  /** OTHERS / CONTINUED words (IMU samples, monitoring): counted, not decoded. */
  readonly otherWords: number;
  /** Times the sensor's time counter wrapped (EVT 3.0: every 2^24 µs; EVT 2.0: every 2^34 µs). */
  readonly timeWraps: number;
  /** Bytes left over at the end of the stream that did not form a whole word. */
  readonly trailingBytes: number;
}
