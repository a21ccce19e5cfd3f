/**
 * A batch of events from an event camera, struct-of-arrays.
 *
 * Units and frames:
 * - `x`, `y`: pixel column and row in the *sensor* geometry the batch came from, origin top-left,
 *   x to the right, y down. Always `< width` and `< height` of that geometry (decoders drop and count
 *   events outside it).
 * - `p`: polarity, 1 = ON (log intensity rose by one threshold), 0 = OFF.
 * - `tUs`: sensor time in microseconds since the sensor's epoch (a Float64Array holds integers up to
 *   2^53 µs, about 285 years, exactly). Non-decreasing within a well-formed stream; consumers must still
 *   tolerate small backwards steps (they are counted, see `WindowCounters`).
 *
 * Only the first `length` entries of each array are valid; the arrays may be longer (capacity), so
 * producers can reuse buffers. A batch handed to a callback is valid until that callback returns unless
 * its producer documents otherwise: copy what you keep.
 */
export interface EventBatch {
  readonly length: number;
  readonly x: Uint16Array;
  readonly y: Uint16Array;
  readonly p: Uint8Array;
  readonly tUs: Float64Array;
}
