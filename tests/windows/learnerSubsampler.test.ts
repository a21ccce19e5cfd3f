import { describe, expect, it } from 'vitest';
import { EventRing } from '../../src/windows/eventRing.js';
import { LearnerEventBuffer, PLAIN_ARRAY_MASK, subsampleUniform } from '../../src/windows/learnerSubsampler.js';
import { randomEvents, rng, toBatch } from './reference.js';

/** Source whose tUs[i] = i, so each picked event reveals its source index. */
function indexed(m: number) {
  return toBatch(Array.from({ length: m }, (_, i) => ({ x: i % 640, y: i % 480, p: i & 1, tUs: i })));
}

describe('subsampleUniform', () => {
  it('keeps all events, in order, when the window holds no more than the cap', () => {
    const src = toBatch(randomEvents(300, { widthPx: 640, heightPx: 480 }, 0, 5000, rng(1)));
    const out = new LearnerEventBuffer(300);
    subsampleUniform(src, 0, 300, PLAIN_ARRAY_MASK, out);
    expect(out.length).toBe(300);
    expect(Array.from(out.x)).toEqual(Array.from(src.x));
    expect(Array.from(out.y)).toEqual(Array.from(src.y));
    expect(Array.from(out.p)).toEqual(Array.from(src.p));
    expect(Array.from(out.tUs)).toEqual(Array.from(src.tUs));
  });

  it.each([
    [4097, 4096],
    [10_000, 4096],
    [100_000, 4096],
    [12_345, 1000],
    [7, 3],
  ])('M = %i, N = %i: exactly N distinct events, time order kept, one per equal slice', (m, n) => {
    const out = new LearnerEventBuffer(n);
    subsampleUniform(indexed(m), 0, m, PLAIN_ARRAY_MASK, out);
    expect(out.length).toBe(n);
    const picks = Array.from(out.tUs.subarray(0, n));
    for (let i = 1; i < n; i++) expect(picks[i]).toBeGreaterThan(picks[i - 1]);
    // Uniform: the picks span the whole window (first in the first slice of M/N events, last in the
    // last slice) …
    expect(picks[0]).toBeLessThan(m / n);
    expect(picks[n - 1]).toBeGreaterThanOrEqual(m - m / n);
    expect(picks[n - 1]).toBeLessThan(m);
    // … and consecutive picks are ⌊M/N⌋ or ⌈M/N⌉ apart (no clumping).
    const gaps = picks.slice(1).map((k, i) => k - picks[i]);
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThanOrEqual(1);
    // Each picked event is copied whole (x, y, p travel with its time).
    for (let i = 0; i < n; i++) {
      expect(out.x[i]).toBe(picks[i] % 640);
      expect(out.p[i]).toBe(picks[i] & 1);
    }
  });

  it('is deterministic and reads a wrapped ring range as one sequence', () => {
    const ring = new EventRing(1024);
    // Fill past the end so the live range [tail, head) wraps around the arrays.
    for (let i = 0; i < 1500; i++) {
      if (ring.isFull) ring.dropOldest();
      ring.append(i % 640, i % 480, i & 1, i);
    }
    expect((ring.tail & ring.mask) + ring.size).toBeGreaterThan(ring.capacity);
    const a = new LearnerEventBuffer(100);
    const b = new LearnerEventBuffer(100);
    subsampleUniform(ring, ring.tail, ring.size, ring.mask, a);
    subsampleUniform(ring, ring.tail, ring.size, ring.mask, b);
    expect(Array.from(a.tUs)).toEqual(Array.from(b.tUs));
    // Same picks as on an unwrapped copy holding times 476 … 1499.
    const plain = new LearnerEventBuffer(100);
    subsampleUniform(indexed(1500), ring.tail, ring.size, PLAIN_ARRAY_MASK, plain);
    expect(Array.from(a.tUs)).toEqual(Array.from(plain.tUs));
    expect(a.tUs[0]).toBeGreaterThanOrEqual(476);
  });

  it('handles an empty window and rejects a non-positive cap', () => {
    const out = new LearnerEventBuffer(8);
    out.length = 5;
    subsampleUniform(indexed(10), 0, 0, PLAIN_ARRAY_MASK, out);
    expect(out.length).toBe(0);
    expect(() => new LearnerEventBuffer(0)).toThrow(/cap/);
  });
});

describe('EventRing', () => {
  it('rounds capacity up to a power of two and keeps logical indices across wraps', () => {
    const ring = new EventRing(1000);
    expect(ring.capacity).toBe(1024);
    for (let i = 0; i < 3000; i++) {
      if (ring.isFull) ring.dropOldest();
      ring.append(0, 0, 0, i);
    }
    expect(ring.size).toBe(1024);
    expect(ring.tail).toBe(3000 - 1024);
    expect(ring.timeAt(ring.tail)).toBe(3000 - 1024);
    expect(ring.timeAt(ring.head - 1)).toBe(2999);
  });

  it('dropOlderThan forgets exactly the events before a time', () => {
    const ring = new EventRing(16);
    for (let i = 0; i < 10; i++) ring.append(0, 0, 0, i * 10);
    expect(ring.dropOlderThan(35)).toBe(4);
    expect(ring.timeAt(ring.tail)).toBe(40);
    ring.clear();
    expect(ring.size).toBe(0);
    expect(() => new EventRing(0)).toThrow(/capacity/);
  });
});
