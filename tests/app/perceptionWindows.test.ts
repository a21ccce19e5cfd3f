/**
 * The perception path's window options follow the weights: the network input counts the span the
 * weights were trained on (manifest `inputLengthUs`), whatever the window rate; without the field, one
 * period. Checked through a real WindowCutter: what its input holds, not only the options object.
 */
import { describe, expect, it } from 'vitest';
import type { EventWindow } from '../../src/contracts/eventWindow.js';
import { parseWeightsManifest } from '../../src/contracts/networkWeights.js';
import { perceptionWindows } from '../../src/app/perceptionWindows.js';
import { WindowCutter } from '../../src/windows/windowCutter.js';
import { toBatch } from '../windows/reference.js';

const SENSOR = { widthPx: 160, heightPx: 120 };

/** One event every 100 µs from t = 0 to 40 ms (inclusive), then the sum of the input of each window. */
function inputSums(w: ReturnType<typeof perceptionWindows>): { tEndUs: number; sum: number; eventCount: number }[] {
  const cutter = new WindowCutter({ ...w.options, sensor: SENSOR }, w.inputFilterFor);
  const out: { tEndUs: number; sum: number; eventCount: number }[] = [];
  const onWindow = (w: EventWindow) => out.push({ tEndUs: w.tEndUs, sum: w.input.data.reduce((a, b) => a + b, 0), eventCount: w.eventCount });
  const events = Array.from({ length: 401 }, (_, i) => ({ x: i % 160, y: (i * 7) % 120, p: (i % 2) as 0 | 1, tUs: i * 100 }));
  cutter.push(toBatch(events), onWindow);
  return out;
}

describe('perceptionWindowOptions', () => {
  it('counts the weights’ input span at a slower rate: 5 ms weights at 100 Hz see 5 ms, not the 10 ms period', () => {
    const windows = inputSums(perceptionWindows(100, { inputLengthUs: 5000 }));
    expect(windows.length).toBeGreaterThanOrEqual(3);
    for (const w of windows.slice(1)) {
      expect(w.eventCount).toBe(50); // one event per 100 µs over [end − 5 ms, end)
      expect(w.sum).toBe(50);
    }
  });

  it('counts a span longer than the period (overlapping windows) when the weights were trained on one', () => {
    const windows = inputSums(perceptionWindows(200, { inputLengthUs: 20_000 }));
    const full = windows.filter((w) => w.tEndUs >= 20_000);
    expect(full.length).toBeGreaterThanOrEqual(3);
    for (const w of full) expect(w.sum).toBe(200);
  });

  it('without the field (weights from before it) counts one period', () => {
    const o = perceptionWindows(100, {});
    expect(o.options).toEqual({ rateHz: 100 });
    expect(o.inputFilterFor).toBeUndefined();
    for (const w of inputSums(o).slice(1)) expect(w.sum).toBe(100);
  });

  it('adds the learner’s loss span and cap when a learner runs', () => {
    expect(perceptionWindows(200, { inputLengthUs: 5000 }, { lossSpanMs: 40, maxEvents: 16_384 }).options).toEqual({
      rateHz: 200,
      lengthUs: 5000,
      learnerLengthUs: 40_000,
      learnerCap: 16_384,
    });
  });

  it('filters the input’s events as the weights say: isolated events go, an event with neighbours stays', () => {
    const w = perceptionWindows(200, { inputLengthUs: 5000, inputNoiseFilter: { supportUs: 1000, minNeighbours: 1 } });
    expect(w.inputFilterFor).toBeDefined();
    // The test scene's events lie on a diagonal-ish scatter one per 100 µs: no two neighbours within 1 ms.
    for (const s of inputSums(w).slice(1)) expect(s.sum).toBe(0);
    // A pair of neighbouring pixels firing 0.5 ms apart supports each other.
    const cutter = new WindowCutter({ ...w.options, sensor: SENSOR }, w.inputFilterFor);
    const sums: number[] = [];
    cutter.push(toBatch([{ x: 10, y: 10, p: 1, tUs: 1000 }, { x: 11, y: 10, p: 0, tUs: 1500 }, { x: 80, y: 60, p: 1, tUs: 2000 }, { x: 0, y: 0, p: 1, tUs: 9000 }]), (win) => sums.push(win.input.data.reduce((a, b) => a + b, 0)));
    expect(sums[0]).toBe(2);
    expect(cutter.counters.inputFilteredEvents).toBe(1);
  });
});

describe('the weights manifest’s inputSampling', () => {
  /** Every pixel of a 320 × 240 camera fires once in the first millisecond; the sum of the first window's input. */
  function firstInputSum(w: ReturnType<typeof perceptionWindows>): number {
    const cutter = new WindowCutter({ ...w.options, sensor: { widthPx: 320, heightPx: 240 } }, w.inputFilterFor);
    const events = Array.from({ length: 320 * 240 }, (_, i) => ({ x: i % 320, y: Math.floor(i / 320), p: 1 as const, tUs: Math.floor(i / 100) }));
    const sums: number[] = [];
    cutter.push(toBatch([...events, { x: 0, y: 0, p: 1, tUs: 12_000 }]), (win) => sums.push(win.input.data.reduce((a, b) => a + b, 0)));
    return sums[0]!;
  }

  it('decimate: weights trained on a 160 × 120 camera read a 320 × 240 one a photodiode per network pixel', () => {
    expect(firstInputSum(perceptionWindows(100, { inputLengthUs: 10_000, inputSampling: 'decimate' }))).toBe(160 * 120);
  });

  it('absent or bin: every camera pixel counts (2 × 2 per network pixel)', () => {
    expect(firstInputSum(perceptionWindows(100, { inputLengthUs: 10_000 }))).toBe(320 * 240);
    expect(firstInputSum(perceptionWindows(100, { inputLengthUs: 10_000, inputSampling: 'bin' }))).toBe(320 * 240);
  });

  it('is validated when the manifest is read', () => {
    const base = { format: 'evpilot.weights/1', model: 'm', version: 0, dtype: 'float32', totalLength: 2, tensors: [{ name: 'w', shape: [2], offset: 0, length: 2 }], origin: 'test' };
    expect(parseWeightsManifest({ ...base, inputSampling: 'decimate' }).inputSampling).toBe('decimate');
    expect(() => parseWeightsManifest({ ...base, inputSampling: 'nearest' })).toThrow();
  });
});

describe('the weights manifest’s inputLengthUs', () => {
  const base = { format: 'evpilot.weights/1', model: 'm', version: 0, dtype: 'float32', totalLength: 2, tensors: [{ name: 'w', shape: [2], offset: 0, length: 2 }], origin: 'test' };

  it('is kept when present and optional', () => {
    expect(parseWeightsManifest({ ...base, inputLengthUs: 5000 }).inputLengthUs).toBe(5000);
    expect(parseWeightsManifest(base).inputLengthUs).toBeUndefined();
  });

  it('must be a positive span', () => {
    expect(() => parseWeightsManifest({ ...base, inputLengthUs: 0 })).toThrow(/inputLengthUs/);
    expect(() => parseWeightsManifest({ ...base, inputLengthUs: 'five' })).toThrow(/inputLengthUs/);
  });

  it('keeps an input noise filter and refuses an impossible one', () => {
    expect(parseWeightsManifest({ ...base, inputNoiseFilter: { supportUs: 5000, minNeighbours: 2 } }).inputNoiseFilter).toEqual({ supportUs: 5000, minNeighbours: 2 });
    expect(() => parseWeightsManifest({ ...base, inputNoiseFilter: { supportUs: 5000, minNeighbours: 9 } })).toThrow(/minNeighbours/);
    expect(() => parseWeightsManifest({ ...base, inputNoiseFilter: { supportUs: 0, minNeighbours: 2 } })).toThrow(/supportUs/);
  });
});
