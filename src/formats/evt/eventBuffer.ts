import type { EventBatch } from '../../contracts/eventBatch.js';

/**
 * A growable struct-of-arrays event batch. Producers fill it with `push`/`append`; `clear` keeps the
 * capacity, so a buffer reused across chunks or windows stops allocating once it has grown to its
 * working size.
 */
export class EventBuffer implements EventBatch {
  x: Uint16Array;
  y: Uint16Array;
  p: Uint8Array;
  tUs: Float64Array;
  length = 0;

  constructor(capacity = 4096) {
    const cap = Math.max(1, Math.floor(capacity));
    this.x = new Uint16Array(cap);
    this.y = new Uint16Array(cap);
    this.p = new Uint8Array(cap);
    this.tUs = new Float64Array(cap);
  }

  get capacity(): number {
    return this.x.length;
  }

  clear(): void {
    this.length = 0;
  }

  /** Makes room for at least `capacity` events, keeping the contents. */
  reserve(capacity: number): void {
    if (capacity <= this.x.length) return;
    let cap = this.x.length;
    while (cap < capacity) cap *= 2;
    const n = this.length;
    const x = new Uint16Array(cap);
    const y = new Uint16Array(cap);
    const p = new Uint8Array(cap);
    const t = new Float64Array(cap);
    x.set(this.x.subarray(0, n));
    y.set(this.y.subarray(0, n));
    p.set(this.p.subarray(0, n));
    t.set(this.tUs.subarray(0, n));
    this.x = x;
    this.y = y;
    this.p = p;
    this.tUs = t;
  }

  push(x: number, y: number, p: number, tUs: number): void {
    const n = this.length;
    if (n === this.x.length) this.reserve(n + 1);
    this.x[n] = x;
    this.y[n] = y;
    this.p[n] = p;
    this.tUs[n] = tUs;
    this.length = n + 1;
  }

  /** Appends events [start, end) of another batch. */
  append(batch: EventBatch, start = 0, end = batch.length): void {
    const count = end - start;
    if (count <= 0) return;
    const n = this.length;
    this.reserve(n + count);
    this.x.set(batch.x.subarray(start, end), n);
    this.y.set(batch.y.subarray(start, end), n);
    this.p.set(batch.p.subarray(start, end), n);
    this.tUs.set(batch.tUs.subarray(start, end), n);
    this.length = n + count;
  }

  /** A batch of exactly `length` events with its own arrays (safe to keep). */
  toBatch(): EventBatch {
    return copyBatch(this);
  }
}

/** Copies the valid part of a batch into new arrays of exactly its length. */
export function copyBatch(batch: EventBatch): EventBatch {
  const n = batch.length;
  return {
    length: n,
    x: batch.x.slice(0, n),
    y: batch.y.slice(0, n),
    p: batch.p.slice(0, n),
    tUs: batch.tUs.slice(0, n),
  };
}
