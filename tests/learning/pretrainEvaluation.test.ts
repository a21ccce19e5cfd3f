/**
 * The evaluation's parts on hand-built inputs:
 * - the ν error metric: which pixels count (sky, out-of-range truth, NaN excluded; "events" = pixels with a
 *   nonzero input), MAE, relative error as a ratio of sums, bias, pooling over windows and merging;
 * - Pearson and Spearman correlation on known cases;
 * - the seeded shuffle is a permutation and repeats for a seed;
 * - compact samples expand back to the window they were taken from.
 */
import { describe, expect, it } from 'vitest';
import type { EventWindow } from '../../src/contracts/eventWindow.js';
import { pearson, spearman } from '../../src/learning/evaluation/correlation.js';
import { NuErrorAccumulator } from '../../src/learning/evaluation/nuError.js';
import { compactSample, SampleExpander } from '../../src/learning/pretrain/compactSample.js';
import { shuffledOrder } from '../../src/learning/pretrain/pretrain.js';
import { mulberry32 } from '../../src/platform/random.js';

describe('ν error metric', () => {
  // 2 × 3 map: truth, depth and prediction by pixel.
  //   pixel:      0     1     2      3     4     5
  //   truth ν:   1.0   2.0   0.0    6.0   0.5   NaN
  //   depth:      2     1    ∞(sky)  0.3   4     1
  //   pred:      1.5   1.0   0.7    1.0   0.5   3
  // usable (finite depth, 0 ≤ ν ≤ 5): pixels 0, 1, 4 → |errors| 0.5, 1.0, 0.0; signed +0.5, −1.0, 0.
  const truth = Float32Array.from([1, 2, 0, 6, 0.5, NaN]);
  const depth = Float32Array.from([2, 1, Infinity, 0.3, 4, 1]);
  const pred = Float32Array.from([1.5, 1, 0.7, 1, 0.5, 3]);
  // Input, 2 channels × 6 pixels: events at pixel 1 (OFF) and pixel 4 (ON) and pixel 2 (sky, not usable).
  const input = Float32Array.from([0, 2, 1, 0, 0, 0, /* ON */ 0, 0, 0, 0, 3, 0]);

  it('counts the usable pixels and computes MAE, relative error and bias', () => {
    const acc = new NuErrorAccumulator();
    acc.add(pred, truth, depth, input);
    const r = acc.report();
    expect(r.windows).toBe(1);
    expect(r.all.pixels).toBe(3);
    expect(r.all.maePerS).toBeCloseTo(1.5 / 3, 12);
    expect(r.all.relative).toBeCloseTo(1.5 / 3.5, 12);
    expect(r.all.biasPerS).toBeCloseTo(-0.5 / 3, 12);
    expect(r.all.meanTruthPerS).toBeCloseTo(3.5 / 3, 12);
    expect(r.all.meanPredPerS).toBeCloseTo(3 / 3, 12);
    // events: pixels 1 and 4 → |errors| 1.0 and 0.0, truths 2.0 and 0.5.
    expect(r.events.pixels).toBe(2);
    expect(r.events.maePerS).toBeCloseTo(0.5, 12);
    expect(r.events.relative).toBeCloseTo(1 / 2.5, 12);
    expect(r.events.biasPerS).toBeCloseTo(-0.5, 12);
    // without events: pixel 0 only → |error| 0.5, truth 1.0, prediction 1.5.
    expect(r.noEvents.pixels).toBe(1);
    expect(r.noEvents.maePerS).toBeCloseTo(0.5, 12);
    expect(r.noEvents.biasPerS).toBeCloseTo(0.5, 12);
    expect(r.noEvents.meanTruthPerS).toBeCloseTo(1, 12);
    // level matched: α = Σν / Σν̂ over pixels 0, 1, 4 = 3.5 / 3; |α·1.5 − 1| + |α·1 − 2| + |α·0.5 − 0.5|.
    const a = 3.5 / 3;
    expect(r.levelMatched.pixels).toBe(3);
    expect(r.levelMatched.maePerS).toBeCloseTo((Math.abs(a * 1.5 - 1) + Math.abs(a - 2) + Math.abs(a * 0.5 - 0.5)) / 3, 12);
  });

  it('level matching scales each window on its own, removes a pure level error and leaves an all-zero map as it is', () => {
    const acc = new NuErrorAccumulator();
    // Window 1: the prediction is the truth × 2 at every usable pixel → no error left after matching.
    const p1 = Float32Array.from([2, 4, 9, 9, 1, 9]);
    acc.add(p1, truth, depth);
    // Window 2: the truth × 0.5 → no error left either, though its α (2) differs from window 1's (0.5).
    acc.add(Float32Array.from([0.5, 1, 0, 0, 0.25, 0]), truth, depth);
    let r = acc.report();
    expect(r.all.maePerS).toBeGreaterThan(0.5);
    expect(r.levelMatched.pixels).toBe(6);
    expect(r.levelMatched.maePerS).toBeCloseTo(0, 6);
    // Window 3: an all-zero prediction cannot be scaled: its error counts in full (|0 − ν| = 3.5 over 3 pixels).
    acc.add(new Float32Array(6), truth, depth);
    r = acc.report();
    expect(r.levelMatched.maePerS).toBeCloseTo(3.5 / 9, 6);
    acc.clear();
    expect(Number.isNaN(acc.report().levelMatched.maePerS)).toBe(true);
  });

  it('pools pixels over windows (not a mean of window means) and merges accumulators', () => {
    const a = new NuErrorAccumulator();
    a.add(pred, truth, depth, input);
    // Second window: one usable pixel with error 4 (truth 1, pred 5).
    const t2 = Float32Array.from([1, NaN, NaN, NaN, NaN, NaN]);
    const p2 = Float32Array.from([5, 0, 0, 0, 0, 0]);
    const b = new NuErrorAccumulator();
    b.add(p2, t2, depth);
    a.merge(b);
    const r = a.report();
    expect(r.windows).toBe(2);
    expect(r.all.pixels).toBe(4);
    expect(r.all.maePerS).toBeCloseTo((1.5 + 4) / 4, 12);
    expect(r.events.pixels).toBe(2); // the second window had no input: no events figures from it
    expect(r.noEvents.pixels).toBe(1); // … nor figures without events
    // level matched, pooled: window 1 as above, window 2's single pixel matched exactly (α = 1 / 5).
    const alpha = 3.5 / 3;
    expect(r.levelMatched.maePerS).toBeCloseTo((Math.abs(alpha * 1.5 - 1) + Math.abs(alpha - 2) + Math.abs(alpha * 0.5 - 0.5) + 0) / 4, 12);
  });

  it('respects maxNuPerS, is NaN without pixels and rejects mismatched sizes', () => {
    const acc = new NuErrorAccumulator({ maxNuPerS: 10 });
    acc.add(pred, truth, depth);
    expect(acc.report().all.pixels).toBe(4); // pixel 3 (ν = 6) now counts
    const empty = new NuErrorAccumulator().report();
    expect(empty.all.pixels).toBe(0);
    expect(Number.isNaN(empty.all.maePerS)).toBe(true);
    expect(() => new NuErrorAccumulator().add(pred, truth.subarray(1), depth)).toThrow(RangeError);
    expect(() => new NuErrorAccumulator({ maxNuPerS: 0 })).toThrow(RangeError);
  });
});

describe('correlation', () => {
  it('Pearson and Spearman on known cases', () => {
    expect(pearson([1, 2, 3, 4], [2, 4, 6, 8])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3, 4], [8, 6, 4, 2])).toBeCloseTo(-1, 12);
    // x = 1..5, y = x²: Pearson below 1, Spearman exactly 1 (monotone).
    expect(pearson([1, 2, 3, 4, 5], [1, 4, 9, 16, 25])).toBeCloseTo(0.9811049, 6);
    expect(spearman([1, 2, 3, 4, 5], [1, 4, 9, 16, 25])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 2, 3], [1, 2, 2, 3])).toBeCloseTo(1, 12);
    expect(Number.isNaN(pearson([1, 2], [1, 2]))).toBe(true);
    expect(Number.isNaN(pearson([1, 1, 1], [1, 2, 3]))).toBe(true);
    expect(pearson([1, NaN, 2, 3], [1, 5, 2, 3])).toBeCloseTo(1, 12); // non-finite pairs left out
  });
});

describe('pretraining helpers', () => {
  it('the seeded shuffle is a permutation and repeats for a seed', () => {
    const a = shuffledOrder(100, mulberry32(5));
    const b = shuffledOrder(100, mulberry32(5));
    const c = shuffledOrder(100, mulberry32(6));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('a compact sample expands back to the window it was taken from', () => {
    const data = new Float32Array(2 * 4 * 3);
    data[1] = 2;
    data[17] = 7;
    const mapping = { fit: 'letterbox' as const, scale: 1, offsetXPx: 0, offsetYPx: 0 };
    const events = { length: 3, x: Uint16Array.from([1, 2, 3]), y: Uint16Array.from([0, 1, 2]), p: Uint8Array.from([1, 0, 1]), tUs: Float64Array.from([1000, 20_500, 39_999]) };
    const input: EventWindow = { index: 4, tStartUs: 35_000, tEndUs: 40_000, sensor: { widthPx: 4, heightPx: 3 }, eventCount: 9, learnerTStartUs: 35_000, learnerEventCount: 9, input: { kind: 'counts', channels: 2, geometry: { widthPx: 4, heightPx: 3 }, mapping, data }, learnerEvents: events };
    const loss: EventWindow = { ...input, tStartUs: 0, eventCount: 3, learnerTStartUs: 0, learnerEventCount: 3 };
    const motion = { bodyRatesCamRadS: { x: 0.1, y: 0.2, z: 0.3 }, focusOfExpansionNorm: { x: 0.01, y: -0.02 }, foeFromVelocity: true, groundFloor: { perXPerS: 0, perYPerS: 0.8, atAxisPerS: 0.1 }, axialSpeedMS: 1.7 };
    const s = compactSample(input, loss, motion);
    expect(s.inputIndex.length).toBe(2);
    const x = new SampleExpander(data.length, 8).expand(s);
    expect(Array.from(x.input)).toEqual(Array.from(data));
    expect(x.tStartUs).toBe(0);
    expect(x.tEndUs).toBe(40_000);
    expect(x.events.length).toBe(3);
    expect(Array.from(x.events.tUs.subarray(0, 3))).toEqual([1000, 20_500, 39_999]);
    expect(Array.from(x.events.x.subarray(0, 3))).toEqual([1, 2, 3]);
    expect(x.bodyRatesCamRadS).toEqual(motion.bodyRatesCamRadS);
    expect(x.groundFloor).toEqual(motion.groundFloor);
    expect(x.axialSpeedMS).toBe(1.7);
    expect(x.windowEventCount).toBe(3);
  });
});
