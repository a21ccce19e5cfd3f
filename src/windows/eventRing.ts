/**
 * Fixed-capacity struct-of-arrays ring of events, the cutter's history.
 *
 * Indices are *logical*: they grow without bound (exact as float64 up to 2^53) and map to a slot by
 * `index & mask`; `tail` is the oldest stored event, `head` one past the newest, head − tail ≤ capacity.
 * Capacity is a power of two so the slot is one AND (`& mask` is also correct for logical indices beyond
 * 2^32, because the capacity divides 2^32).
 *
 * Pure data structure: preallocated at construction, no allocation afterwards.
 */
import type { EventArrays } from './networkInputBuilder.js';

/** Smallest power of two ≥ n (n ≥ 1, ≤ 2^30). */
export function nextPowerOfTwo(n: number): number {
  let c = 1;
  while (c < n) c *= 2;
  return c;
}

export class EventRing implements EventArrays {
  readonly capacity: number;
  readonly mask: number;
  readonly x: Uint16Array;
  readonly y: Uint16Array;
  readonly p: Uint8Array;
  readonly tUs: Float64Array;
  /** Logical index of the oldest stored event. */
  tail = 0;
  /** Logical index one past the newest stored event. */
  head = 0;

  /** `minCapacity` is rounded up to a power of two (at most 2^30 events). */
  constructor(minCapacity: number) {
    if (!Number.isInteger(minCapacity) || minCapacity < 1 || minCapacity > 2 ** 30) {
      throw new RangeError(`ring capacity must be an integer in [1, 2^30] events, got ${String(minCapacity)}`);
    }
    this.capacity = nextPowerOfTwo(minCapacity);
    this.mask = this.capacity - 1;
    this.x = new Uint16Array(this.capacity);
    this.y = new Uint16Array(this.capacity);
    this.p = new Uint8Array(this.capacity);
    this.tUs = new Float64Array(this.capacity);
  }

  get size(): number {
    return this.head - this.tail;
  }

  get isFull(): boolean {
    return this.head - this.tail === this.capacity;
  }

  /** Appends one event; the caller makes room first (see `isFull`, `dropOldest`). */
  append(x: number, y: number, p: number, tUs: number): void {
    const j = this.head & this.mask;
    this.x[j] = x;
    this.y[j] = y;
    this.p[j] = p;
    this.tUs[j] = tUs;
    this.head++;
  }

  /** Forgets the oldest event (no-op when empty). */
  dropOldest(): void {
    if (this.head > this.tail) this.tail++;
  }

  /**
   * Forgets every stored event older than `tUs`; returns how many. Requires stored times to be
   * non-decreasing (the cutter guarantees it), which allows a binary search: O(log n), not O(n).
   */
  dropOlderThan(tUs: number): number {
    const lo = this.firstAtOrAfter(tUs);
    const dropped = lo - this.tail;
    this.tail = lo;
    return dropped;
  }

  /** Logical index of the first stored event at or after `tUs` (head when none); binary search, as above. */
  firstAtOrAfter(tUs: number): number {
    const ts = this.tUs;
    const mask = this.mask;
    let lo = this.tail; // invariant: events before lo are older than tUs
    let hi = this.head; // invariant: events from hi on are not
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (ts[mid & mask] < tUs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Forgets everything (indices keep growing, so logical indices are never reused). */
  clear(): void {
    this.tail = this.head;
  }

  /** Time of the event at logical index i (tail ≤ i < head). */
  timeAt(i: number): number {
    return this.tUs[i & this.mask];
  }
}
