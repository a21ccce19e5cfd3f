import { describe, expect, it } from 'vitest';
import { SampleExpander } from '../../src/learning/pretrain/compactSample.js';
import { ReplayMixer, ReplayReservoir, validateReplaySettings } from '../../src/learning/evaluation/replayReservoir.js';
import type { TrainingSample } from '../../src/learning/trainingSample.js';
import { INPUT_LENGTH, PATTERN_MOTION, patternMismatches, patternWindow, trainingSampleOf } from './learnerFixtures.js';

const EVENTS = 50;

/** Pattern window `index` as the trainer takes it (the input and events are functions of the index). */
function patternSample(index: number): TrainingSample {
  return trainingSampleOf(patternWindow(index, EVENTS), PATTERN_MOTION);
}

/** A window of 4 input values and 2 events: enough for what the reservoir keeps, cheap for statistics. */
function tinySample(index: number): TrainingSample {
  const events = { length: 2, x: Uint16Array.from([1, 2]), y: Uint16Array.from([3, 4]), p: Uint8Array.from([0, 1]), tUs: Float64Array.from([index, index + 1]) };
  return { ...patternSample0, windowIndex: index, tStartUs: index, tEndUs: index + 2, input: Float32Array.from([index % 7, 0, 1, 2]), events };
}
const patternSample0 = patternSample(0);

describe('replay reservoir', () => {
  it('keeps every window until full, then at most its capacity', () => {
    const r = new ReplayReservoir(4, 7);
    for (let i = 0; i < 3; i++) r.add(patternSample(i));
    expect(r.size).toBe(3);
    for (let i = 3; i < 40; i++) r.add(patternSample(i));
    expect(r.size).toBe(4);
    expect(r.offered).toBe(40);
    r.clear();
    expect(r.size).toBe(0);
    expect(r.draw()).toBeUndefined();
  });

  it('keeps a uniform sample of the whole stream (algorithm R), not the latest windows', () => {
    // 400 seeded runs of 100 windows into 10 slots: each window should be kept in 10 % of the runs
    // (binomial, σ = 1.5 %); the first and last quarters of the stream should be kept alike.
    const kept = new Array<number>(100).fill(0);
    const expander = new SampleExpander(4, 2);
    for (let seed = 1; seed <= 400; seed++) {
      const r = new ReplayReservoir(10, seed);
      for (let i = 0; i < 100; i++) r.add(tinySample(i));
      // Drawing many times from the final reservoir reveals which windows it holds.
      const seen = new Set<number>();
      for (let k = 0; k < 200; k++) seen.add(expander.expand(r.draw()!).windowIndex);
      expect(seen.size).toBe(10);
      for (const i of seen) kept[i]!++;
    }
    for (const c of kept) expect(Math.abs(c / 400 - 0.1)).toBeLessThan(0.075);
    const quarter = (q: number) => kept.slice(q * 25, (q + 1) * 25).reduce((a, b) => a + b, 0) / (25 * 400);
    expect(Math.abs(quarter(0) - 0.1)).toBeLessThan(0.015);
    expect(Math.abs(quarter(3) - 0.1)).toBeLessThan(0.015);
  });

  it('copies a kept window, so the caller may reuse its buffers, and expands it back intact', () => {
    const r = new ReplayReservoir(1);
    const s = patternSample(5);
    r.add(s);
    s.input.fill(-1);
    (s.events.x as Uint16Array).fill(0);
    const back = new SampleExpander(INPUT_LENGTH, EVENTS).expand(r.draw()!);
    expect(patternMismatches(back, 5)).toBe(0);
    expect(back.tEndUs).toBe(5 * 5000 + 5000);
    expect(back.bodyRatesCamRadS).toEqual(PATTERN_MOTION.bodyRatesCamRadS);
    expect(back.groundFloor).toEqual(PATTERN_MOTION.groundFloor);
    expect(back.axialSpeedMS).toBe(PATTERN_MOTION.axialSpeedMS);
  });

  it('refuses settings it cannot use', () => {
    expect(() => new ReplayReservoir(0)).toThrow(/capacity/);
    expect(() => validateReplaySettings({ capacity: 8, every: 1 })).toThrow(/every/);
    expect(() => validateReplaySettings({ capacity: 2.5, every: 2 })).toThrow(/capacity/);
  });
});

describe('replay mixer', () => {
  it('swaps every n-th window for an earlier, intact one and keeps the others fresh', () => {
    const mixer = new ReplayMixer({ capacity: 8, every: 3, seed: 3 }, new SampleExpander(INPUT_LENGTH, EVENTS));
    const taken: number[] = [];
    for (let i = 0; i < 60; i++) {
      const fresh = patternSample(i);
      const s = mixer.next(fresh);
      expect(patternMismatches(s, s.windowIndex)).toBe(0);
      if ((i + 1) % 3 === 0) {
        expect(s).not.toBe(fresh);
        expect(s.windowIndex).toBeLessThan(i);
      } else {
        expect(s).toBe(fresh);
      }
      taken.push(s.windowIndex);
    }
    expect(mixer.replays).toBe(20);
    expect(mixer.reservoir.offered).toBe(60);
    // Replays reach back beyond the last few windows.
    const replayed = taken.filter((_, i) => (i + 1) % 3 === 0);
    expect(replayed.some((w, k) => w < 3 * k - 10)).toBe(true);
  });

  it('takes the fresh window while the reservoir is empty', () => {
    const mixer = new ReplayMixer({ capacity: 4, every: 2 }, new SampleExpander(INPUT_LENGTH, EVENTS));
    const first = patternSample(0);
    expect(mixer.next(first)).toBe(first);
    expect(mixer.next(patternSample(1)).windowIndex).toBe(0);
    expect(mixer.replays).toBe(1);
  });
});
