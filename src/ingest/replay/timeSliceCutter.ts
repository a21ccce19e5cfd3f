import type { EventBatch } from '../../contracts/eventBatch.js';
import { EventBuffer } from '../../formats/evt/index.js';

/**
 * Cuts a time-ordered event stream into slices of fixed sensor-time length (pure): slice k holds the
 * events with k·sliceUs ≤ tUs < (k+1)·sliceUs, the grid anchored at sensor time 0. This is how a
 * camera driver cuts its packets, so replay and simulator packets look like a live camera's. Empty
 * slices are skipped (a live camera sends nothing in a quiet scene either).
 *
 * A slice is complete once an event at or past its end has arrived, or after `finish()`. Events that go
 * back in time (some recordings hold a few) are raised to the time of the event before them and
 * counted, because EVT encoders need non-decreasing time.
 */
export class TimeSliceCutter {
  private readonly buf = new EventBuffer(65536);
  private read = 0;
  private lastTUs = Number.NEGATIVE_INFINITY;
  private finished = false;
  private readonly view: { length: number; x: Uint16Array; y: Uint16Array; p: Uint8Array; tUs: Float64Array } = {
    length: 0,
    x: new Uint16Array(0),
    y: new Uint16Array(0),
    p: new Uint8Array(0),
    tUs: new Float64Array(0),
  };
  /** Events raised to their predecessor's time because they went back in time. */
  reorderedEvents = 0;

  constructor(readonly sliceUs: number) {
    if (!(sliceUs > 0) || !Number.isFinite(sliceUs)) throw new RangeError(`slice length ${sliceUs} µs must be > 0`);
  }

  /** Appends a copy of `batch` with `offsetUs` added to every timestamp. Invalidates slices handed out earlier. */
  push(batch: EventBatch, offsetUs = 0): void {
    this.finished = false;
    this.compact();
    const start = this.buf.length;
    this.buf.append(batch);
    const t = this.buf.tUs;
    let last = this.lastTUs;
    for (let i = start; i < this.buf.length; i++) {
      let v = t[i]! + offsetUs;
      if (v < last) {
        v = last;
        this.reorderedEvents++;
      }
      t[i] = v;
      last = v;
    }
    this.lastTUs = last;
  }

  /** Marks the end of the stream: the events left form the last slices. */
  finish(): void {
    this.finished = true;
  }

  /** End (exclusive, sensor µs) of the oldest complete slice, or undefined when none is complete. */
  readyEndUs(): number | undefined {
    if (this.read >= this.buf.length) return undefined;
    const end = this.sliceEnd(this.buf.tUs[this.read]!);
    return this.finished || this.buf.tUs[this.buf.length - 1]! >= end ? end : undefined;
  }

  /** Removes the oldest complete slice and returns it (a view, valid until the next push), or undefined. */
  next(): EventBatch | undefined {
    const endUs = this.readyEndUs();
    if (endUs === undefined) return undefined;
    const t = this.buf.tUs;
    // first index at or past the slice end (binary search: times are non-decreasing)
    let lo = this.read;
    let hi = this.buf.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (t[mid]! < endUs) lo = mid + 1;
      else hi = mid;
    }
    const v = this.view;
    v.x = this.buf.x.subarray(this.read, lo);
    v.y = this.buf.y.subarray(this.read, lo);
    v.p = this.buf.p.subarray(this.read, lo);
    v.tUs = this.buf.tUs.subarray(this.read, lo);
    v.length = lo - this.read;
    this.read = lo;
    return v;
  }

  /** Events held and not yet handed out. */
  get pendingEvents(): number {
    return this.buf.length - this.read;
  }

  private sliceEnd(tUs: number): number {
    return (Math.floor(tUs / this.sliceUs) + 1) * this.sliceUs;
  }

  /** Moves unread events to the front so the buffer stops growing. */
  private compact(): void {
    if (this.read === 0) return;
    const n = this.buf.length - this.read;
    const b = this.buf;
    b.x.copyWithin(0, this.read, b.length);
    b.y.copyWithin(0, this.read, b.length);
    b.p.copyWithin(0, this.read, b.length);
    b.tUs.copyWithin(0, this.read, b.length);
    b.length = n;
    this.read = 0;
  }
}
