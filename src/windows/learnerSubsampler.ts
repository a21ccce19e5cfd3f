/**
 * Caps a window's events to N for the learner by deterministic uniform subsampling.
 *
 * Of M events, if M ≤ N all are kept; otherwise event i of the output is source event
 *     k_i = ⌊(2i + 1) · M / (2N)⌋,   i = 0 … N − 1,
 * i.e. the event nearest the centre of each of N equal slices of the window's event sequence. The k_i
 * strictly increase (M/N > 1), so time order is kept and no event is picked twice; the choice depends
 * on M and N only (deterministic, reproducible in replay), and it is uniform in event index, so dense
 * and sparse moments of the window keep their share of events.
 *
 * Pure algorithm code; writes into a preallocated buffer, allocates nothing per call.
 */
import type { EventBatch } from '../contracts/eventBatch.js';
import type { EventArrays } from './networkInputBuilder.js';

/** A preallocated EventBatch with a mutable `length`, reused window after window. */
export class LearnerEventBuffer implements EventBatch {
  length = 0;
  readonly x: Uint16Array;
  readonly y: Uint16Array;
  readonly p: Uint8Array;
  readonly tUs: Float64Array;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`learner event cap must be an integer ≥ 1, got ${String(capacity)}`);
    }
    this.x = new Uint16Array(capacity);
    this.y = new Uint16Array(capacity);
    this.p = new Uint8Array(capacity);
    this.tUs = new Float64Array(capacity);
  }
}

/**
 * Selects min(count, out.capacity) of the `count` source events starting at logical index `from` and
 * writes them, in order, into `out` (setting `out.length`).
 *
 * Source index k is read at physical index (from + k) & `mask`: pass the ring's capacity − 1 for a
 * power-of-two ring buffer, or `PLAIN_ARRAY_MASK` for an ordinary batch (indices below 2^31).
 */
export function subsampleUniform(
  src: EventArrays,
  from: number,
  count: number,
  mask: number,
  out: LearnerEventBuffer,
): void {
  const cap = out.capacity;
  const n = count < cap ? count : cap;
  const { x: sx, y: sy, p: sp, tUs: st } = src;
  const { x: ox, y: oy, p: op, tUs: ot } = out;
  // Set before the loops, not after: V8 compiles a long-running loop on the fly (OSR) before the code
  // after it has ever run, and a property store there without type feedback deoptimises on every call.
  out.length = n;
  if (count <= cap) {
    for (let i = 0; i < n; i++) {
      const j = (from + i) & mask;
      ox[i] = sx[j];
      oy[i] = sy[j];
      op[i] = sp[j];
      ot[i] = st[j];
    }
  } else {
    const twoN = 2 * n;
    for (let i = 0; i < n; i++) {
      // Exact in float64: (2i + 1) · M < 2^53 for any realistic M and N.
      const k = Math.floor(((2 * i + 1) * count) / twoN);
      const j = (from + k) & mask;
      ox[i] = sx[j];
      oy[i] = sy[j];
      op[i] = sp[j];
      ot[i] = st[j];
    }
  }
}

/** Mask that leaves indices of an ordinary (non-ring) batch unchanged: all 31 low bits set. */
export const PLAIN_ARRAY_MASK = 0x7fffffff;
