/**
 * The level-across-worlds diagnostic (levelAcrossWorlds.ts): one window's figures from a sample with its truth,
 * the per-world and across-world summaries against hand-computed values, the speed band that removes the
 * pilot's slow-near-obstacles confound, and `eval:learning --parts l` read back from its own JSON.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatReport } from '../../src/learning/evaluation/cli.js';
import { ALL_SPEEDS_BAND, CRUISE_BAND, levelWindow, MIN_WINDOWS_PER_WORLD, residualSdOfLine, summariseLevels, type LevelWindow } from '../../src/learning/evaluation/levelAcrossWorlds.js';
import { quickReport } from './evalReport.js';

afterEach(() => vi.restoreAllMocks());

const INPUT_US = 20_000;

/** n cruise windows of one world: level (ν / V_z) and events per metre as given, speed 2.2 m/s. */
function cruiseWorld(label: string, levelPerM: number, eventsPerM: number, n = MIN_WINDOWS_PER_WORLD): { label: string; windows: LevelWindow[] } {
  const v = 2.2;
  const w: LevelWindow = { axialSpeedMS: v, truthMeanNuPerS: levelPerM * v, predictedMeanNuPerS: 0.27 * v, inputEvents: eventsPerM * v * (INPUT_US / 1e6) };
  return { label, windows: Array.from({ length: n }, () => w) };
}

describe('levelWindow', () => {
  it('averages the truth and the prediction over the usable pixels only, and sums the input counts', () => {
    // Pixels: usable (ν 0.4, depth 5), usable (ν 1.0, depth 2), no depth, ν above 5 1/s (not usable).
    const s = {
      motion: { axialSpeedMS: 2 },
      inputValue: new Uint16Array([3, 1, 7]),
      truthNu: new Float32Array([0.4, 1.0, 0.5, 6]),
      truthDepth: new Float32Array([5, 2, Number.POSITIVE_INFINITY, 0.3]),
    };
    const w = levelWindow(s, new Float32Array([0.2, 0.6, 9, 9]))!;
    expect(w.axialSpeedMS).toBe(2);
    expect(w.truthMeanNuPerS).toBeCloseTo(0.7, 6);
    expect(w.predictedMeanNuPerS).toBeCloseTo(0.4, 6);
    expect(w.inputEvents).toBe(11);
    expect(Number.isNaN(levelWindow(s, null)!.predictedMeanNuPerS)).toBe(true);
  });

  it('is null without the axial speed, without truth, or without a usable pixel', () => {
    const base = { inputValue: new Uint16Array([1]), truthNu: new Float32Array([0.5]), truthDepth: new Float32Array([3]) };
    expect(levelWindow({ ...base, motion: { axialSpeedMS: null } }, null)).toBeNull();
    expect(levelWindow({ motion: { axialSpeedMS: 2 }, inputValue: new Uint16Array([1]) }, null)).toBeNull();
    expect(levelWindow({ ...base, motion: { axialSpeedMS: 2 }, truthDepth: new Float32Array([Number.NaN]) }, null)).toBeNull();
  });
});

describe('residualSdOfLine', () => {
  it('is zero on a straight line and matches a hand-computed fit otherwise', () => {
    expect(residualSdOfLine([1, 2, 3, 4], [3, 5, 7, 9])).toBeCloseTo(0, 12);
    // y = [1, 3, 2] on x = [0, 1, 2]: slope 0.5, intercept 1.5, residuals −0.5, +1, −0.5 → sd √(1.5 / 3).
    expect(residualSdOfLine([0, 1, 2], [1, 3, 2])).toBeCloseTo(Math.sqrt(0.5), 12);
  });

  it('needs three pairs of equal count', () => {
    expect(Number.isNaN(residualSdOfLine([1, 2], [1, 2]))).toBe(true);
    expect(() => residualSdOfLine([1, 2, 3], [1, 2])).toThrow(RangeError);
  });
});

describe('summariseLevels', () => {
  it('computes each world\'s level and events per metre flown, and finds a level that follows the events', () => {
    const worlds = [cruiseWorld('w1', 0.22, 40_000), cruiseWorld('w2', 0.26, 50_000), cruiseWorld('w3', 0.3, 60_000), cruiseWorld('w4', 0.34, 70_000)];
    const r = summariseLevels(worlds, CRUISE_BAND, INPUT_US);
    expect(r.worlds.map((w) => w.label)).toEqual(['w1', 'w2', 'w3', 'w4']);
    expect(r.worlds[0]!.truthLevelPerM).toBeCloseTo(0.22, 9);
    expect(r.worlds[0]!.inputEventsPerM).toBeCloseTo(40_000, 6);
    expect(r.worlds[0]!.predictedLevelPerM).toBeCloseTo(0.27, 9);
    expect(r.worlds[0]!.windows).toBe(MIN_WINDOWS_PER_WORLD);
    expect(r.pearsonEventsPerM).toBeCloseTo(1, 9);
    expect(r.residualSdAfterEventsPerM).toBeCloseTo(0, 9);
    // sd of 0.22, 0.26, 0.30, 0.34 (population): √0.002 .
    expect(r.levelSdPerM).toBeCloseTo(Math.sqrt(0.002), 9);
    // A constant prediction explains nothing.
    expect(Number.isNaN(r.pearsonPredicted)).toBe(true);
  });

  it('counts only the windows in the speed band, so a slow pilot near obstacles does not make the level look readable', () => {
    // Within the cruise band the level and the events are unrelated across worlds; each world also has slow
    // windows (near an obstacle: high level, many events per metre) in proportion to its level.
    const cruise = [
      cruiseWorld('a', 0.22, 60_000),
      cruiseWorld('b', 0.3, 40_000),
      cruiseWorld('c', 0.26, 70_000),
      cruiseWorld('d', 0.34, 50_000),
    ];
    const worlds = cruise.map((w, i) => {
      const slow: LevelWindow = { axialSpeedMS: 0.8, truthMeanNuPerS: 0.8 * 0.6, predictedMeanNuPerS: 0.8 * 0.27, inputEvents: 400_000 * 0.8 * (INPUT_US / 1e6) };
      return { label: w.label, windows: [...w.windows, ...Array.from({ length: 10 * (i === 0 ? 1 : i === 1 ? 4 : i === 2 ? 2 : 6) }, () => slow)] };
    });
    const inBand = summariseLevels(worlds, CRUISE_BAND, INPUT_US);
    const all = summariseLevels(worlds, ALL_SPEEDS_BAND, INPUT_US);
    expect(inBand.worlds.every((w) => w.windows === MIN_WINDOWS_PER_WORLD)).toBe(true);
    expect(inBand.pearsonEventsPerM).toBeLessThan(0);
    expect(all.pearsonEventsPerM).toBeGreaterThan(0.9);
  });

  it('leaves out, and names, a world with too few windows in the band', () => {
    const r = summariseLevels([cruiseWorld('enough', 0.25, 50_000), cruiseWorld('short', 0.3, 50_000, MIN_WINDOWS_PER_WORLD - 1)], CRUISE_BAND, INPUT_US);
    expect(r.worlds.map((w) => w.label)).toEqual(['enough']);
    expect(r.worldsLeftOut).toEqual(['short']);
  });

  it('refuses a non-positive input span or an empty band', () => {
    expect(() => summariseLevels([], CRUISE_BAND, 0)).toThrow(RangeError);
    expect(() => summariseLevels([], { minMS: 2, maxMS: 1 }, INPUT_US)).toThrow(RangeError);
  });
});

describe('eval:learning --parts l', () => {

  it('flies the worlds, reports the cruise band and every speed, and prints what the JSON holds', async () => {
    const r = await quickReport('--workers', '0', '--parts', 'l');
    expect(r.level).toHaveLength(2);
    const [cruise, all] = r.level!;
    expect(cruise!.band).toEqual(CRUISE_BAND);
    expect(all!.band.minMS).toBe(ALL_SPEEDS_BAND.minMS);
    expect(all!.worlds.map((w) => w.label)).toEqual(['forest-B-7001', 'forest-B-7101']);
    for (const w of all!.worlds) {
      expect(w.windows).toBeGreaterThanOrEqual(MIN_WINDOWS_PER_WORLD);
      expect(w.truthLevelPerM).toBeGreaterThan(0);
      expect(w.predictedLevelPerM).toBeGreaterThan(0);
      expect(w.inputEventsPerM).toBeGreaterThan(0);
    }
    expect(all!.inputLengthUs).toBe(r.settings.clip.inputLengthUs);
    const text = formatReport(r);
    const row = text.split('\n').find((l) => l.startsWith('| forest-B-7001 |') && text.indexOf(l) > text.indexOf('≥ 0.5 m/s'));
    const m = /\| forest-B-7001 \| (\d+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| (\d+) \|/.exec(row ?? '');
    expect(m).not.toBeNull();
    const w = all!.worlds[0]!;
    expect(Number(m![1])).toBe(w.windows);
    expect(Number(m![3])).toBeCloseTo(w.truthLevelPerM, 3);
    expect(Number(m![4])).toBeCloseTo(w.predictedLevelPerM, 3);
    expect(Number(m![5])).toBeCloseTo(w.inputEventsPerM, 0);
  }, 120_000);

  it('refuses a malformed world', async () => {
    await expect(quickReport('--workers', '0', '--parts', 'l', '--level-worlds', 'forest:x:3')).rejects.toThrow(/--level-worlds forest:x:3/);
  });

});
