/**
 * SampleStats: nearest-rank percentiles over its ring, running totals, and the samples of an interval
 * (`samplesSince`, which the control-path benchmark uses to split one pipeline's figures by condition).
 */
import { describe, expect, it } from 'vitest';
import { SampleStats } from '../../src/app/sampleStats.js';

describe('SampleStats', () => {
  it('gives nearest-rank percentiles, the max and the mean', () => {
    const s = new SampleStats(128);
    for (let v = 1; v <= 100; v++) s.add(v);
    const sum = s.summary();
    expect(sum.count).toBe(100);
    expect(sum.median).toBe(50);
    expect(sum.p99).toBe(99);
    expect(sum.max).toBe(100);
    expect(sum.mean).toBeCloseTo(50.5, 12);
    expect(Number.isNaN(new SampleStats(4).summary().median)).toBe(true);
  });

  it('returns the samples added since a count read earlier, oldest first, across the ring\'s wrap', () => {
    const s = new SampleStats(5);
    for (const v of [1, 2, 3]) s.add(v);
    const mark = s.total.count;
    expect(Array.from(s.samplesSince(mark))).toEqual([]);
    for (const v of [4, 5, 6, 7]) s.add(v); // the ring (5) has wrapped: it holds 3..7
    expect(Array.from(s.samplesSince(mark))).toEqual([4, 5, 6, 7]);
    expect(Array.from(s.samplesSince(0))).toEqual([3, 4, 5, 6, 7]); // only the last `capacity` are kept
    expect(Array.from(s.samplesSince(6))).toEqual([7]);
    expect(Array.from(s.samplesSince(99))).toEqual([]);
  });
});
