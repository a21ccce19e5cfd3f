/**
 * The local contrast search (round 9's pseudo-labels, evaluation only) and the search teacher built on it.
 *
 * The search is checked on synthetic windows whose events follow the true flow of a known ν map (points on a slanted
 * plane, camera translating and rotating: loss/syntheticScene.ts): its prominent labels must land near the truth, far
 * nearer than a constant guess, and follow the plane's slant; a window of noise must give no prominent label. The
 * teacher's gradient is checked against the contrast loss's plus the labels' L1 term computed independently.
 */
import { describe, expect, it } from 'vitest';
import type { SensorGeometry } from '../../src/contracts/sensorGeometry.js';
import { ContrastSearch, evenCandidates } from '../../src/learning/evaluation/contrastSearch.js';
import { SearchTeacher } from '../../src/learning/evaluation/searchTeacher.js';
import { BackgroundActivityFilter, ContrastMaximizationLoss, type ContrastLossInput } from '../../src/learning/loss/index.js';
import { PreparedEvents } from '../../src/learning/loss/preparedEvents.js';
import { mulberry32 } from '../helpers/random.js';
import { mappingFor, randomEvents } from './loss/helpers.js';
import { type SyntheticSceneSpec, syntheticWindow } from './loss/syntheticScene.js';

const SENSOR: SensorGeometry = { widthPx: 160, heightPx: 120 };
const NETWORK = SENSOR;
const INTRINSICS = { fxPx: 80, fyPx: 80, cxPx: 79.5, cyPx: 59.5 };
const MAPPING = mappingFor(SENSOR, NETWORK, 'letterbox');
const T0 = 2_000_000;
const T1 = T0 + 80_000;

const SPEC: SyntheticSceneSpec = {
  sensor: SENSOR,
  network: NETWORK,
  intrinsics: INTRINSICS,
  mapping: MAPPING,
  velocityCamMS: [0.2, -0.1, 2.5],
  ratesCamRadS: [0.1, -0.2, 0.1],
  depthM: 2,
  slopeX: 0.6,
  slopeY: 0, // Z = 2 m / (1 − 0.6 x): ν from about 1.9 1/s on the left to 0.8 on the right
  tStartUs: T0,
  tEndUs: T1,
  points: 1500,
  eventsPerPoint: 10,
  noiseShare: 0.05,
};

function staged(events: ContrastLossInput['events'], foe: { x: number; y: number }, rates: { x: number; y: number; z: number }): PreparedEvents {
  const prep = new PreparedEvents(events.length + 1, SENSOR, NETWORK, INTRINSICS, 1);
  prep.prepare(events, T0, T1, MAPPING, foe, rates);
  return prep;
}

const search = () => new ContrastSearch({ network: NETWORK, splat: SENSOR, candidatesPerS: evenCandidates(3, 0.1), poolRadiusPx: 4, minEvents: 20 });

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

describe('ContrastSearch', () => {
  it('labels a synthetic plane near its true ν, following its slant', () => {
    const win = syntheticWindow(SPEC, mulberry32(3));
    const s = search();
    s.run(staged(win.events, win.foeNorm, win.ratesCam));
    const err: number[] = [];
    const guessErr: number[] = [];
    const left: number[] = [];
    const right: number[] = [];
    const meanTruth = win.invTtcTruePerS.reduce((a, b) => a + b, 0) / win.invTtcTruePerS.length;
    for (let p = 0; p < s.labelPerS.length; p++) {
      if (Number.isNaN(s.labelPerS[p]!) || s.prominence[p]! < 0.4) continue;
      err.push(Math.abs(s.labelPerS[p]! - win.invTtcTruePerS[p]!));
      guessErr.push(Math.abs(meanTruth - win.invTtcTruePerS[p]!));
      (p % NETWORK.widthPx < NETWORK.widthPx / 2 ? left : right).push(s.labelPerS[p]!);
    }
    expect(err.length).toBeGreaterThan(2000);
    expect(median(err)).toBeLessThan(0.15);
    expect(median(err)).toBeLessThan(0.5 * median(guessErr));
    expect(median(left) - median(right)).toBeGreaterThan(0.5); // the plane is nearer (ν higher) on the left
  });

  it('rarely finds a prominent label in a window of noise, mostly in a scene of as many events', () => {
    const win = syntheticWindow(SPEC, mulberry32(3));
    const noise = randomEvents(mulberry32(4), win.events.length, SENSOR, T0, T1);
    const prominentShare = (events: ContrastLossInput['events']) => {
      const s = search();
      s.run(staged(events, win.foeNorm, win.ratesCam));
      let labelled = 0;
      let prominent = 0;
      for (let p = 0; p < s.labelPerS.length; p++) {
        if (Number.isNaN(s.labelPerS[p]!)) continue;
        labelled++;
        if (s.prominence[p]! >= 0.4) prominent++;
      }
      expect(labelled).toBeGreaterThan(5000);
      return prominent / labelled;
    };
    expect(prominentShare(noise)).toBeLessThan(0.05);
    expect(prominentShare(win.events)).toBeGreaterThan(0.4);
  });

  it('gives no label where too few events are pooled, or none comes from the pixel', () => {
    const one = { length: 3, x: Uint16Array.of(40, 41, 100), y: Uint16Array.of(30, 30, 90), p: Uint8Array.of(1, 1, 0), tUs: Float64Array.of(T0 + 10, T0 + 20, T0 + 30) };
    const s = search();
    s.run(staged(one, { x: 0, y: 0 }, { x: 0, y: 0, z: 0 }));
    expect(s.labelPerS.every((v) => Number.isNaN(v))).toBe(true);
    expect(s.prominence.every((v) => v === 0)).toBe(true);
  });

  it('evenCandidates and option checks', () => {
    expect(evenCandidates(0.3, 0.1).map((v) => Math.round(v * 10))).toEqual([0, 1, 2, 3]);
    const base = { network: NETWORK, splat: SENSOR, candidatesPerS: [0, 1, 2], poolRadiusPx: 1, minEvents: 1 };
    expect(() => new ContrastSearch({ ...base, candidatesPerS: [0, 1] })).toThrow(/at least 3/);
    expect(() => new ContrastSearch({ ...base, candidatesPerS: [0, 2, 1] })).toThrow(/ascending/);
    expect(() => new ContrastSearch({ ...base, poolRadiusPx: -1 })).toThrow(/poolRadiusPx/);
    expect(() => new ContrastSearch({ ...base, minEvents: 0 })).toThrow(/minEvents/);
  });
});

describe('SearchTeacher', () => {
  const win = syntheticWindow(SPEC, mulberry32(5));
  const filterSettings = { supportUs: 5000, minNeighbours: 2 };
  const contrast = () =>
    new ContrastMaximizationLoss({ sensor: SENSOR, network: NETWORK, intrinsics: INTRINSICS, objective: 'avg-timestamps', smoothnessWeight: 0.05, splatScale: 1, maxEvents: 40_000, noiseFilter: filterSettings });
  // A map that is wrong by a third: the labels must pull it toward the truth.
  const pred = Float32Array.from(win.invTtcTruePerS, (v) => 0.67 * v);
  const input: ContrastLossInput = { events: win.events, tStartUs: T0, tEndUs: T1, mapping: MAPPING, invTtcPerS: pred, focusOfExpansionNorm: win.foeNorm, bodyRatesCamRadS: win.ratesCam };
  const options = { weight: 0.7, minProminence: 0.3, maxProminence: 0.7, poolRadiusPx: 4 };

  it('adds λ · sign(ν̂ − label) / |band| to the contrast loss\'s gradient on the band\'s pixels, nothing elsewhere', () => {
    const g0 = new Float32Array(pred.length);
    const r0 = contrast().evaluate(input, g0);
    const teacher = new SearchTeacher(contrast(), NETWORK, options);
    const g = new Float32Array(pred.length);
    const r = teacher.evaluate(input, g);
    expect([r.loss, r.events]).toEqual([r0.loss, r0.events]);
    // The labels, independently: the contrast loss's filter, staged at splat scale 1, searched with the teacher's settings.
    const filtered = new BackgroundActivityFilter(SENSOR, filterSettings, 40_000).apply(win.events);
    const s = new ContrastSearch({ network: NETWORK, splat: SENSOR, candidatesPerS: evenCandidates(2.5, 0.1), poolRadiusPx: 4, minEvents: 20 });
    s.run(staged(filtered, win.foeNorm, win.ratesCam));
    const band: number[] = [];
    for (let p = 0; p < pred.length; p++) if (!Number.isNaN(s.labelPerS[p]!) && s.prominence[p]! >= 0.3 && s.prominence[p]! < 0.7) band.push(p);
    expect(band.length).toBeGreaterThan(200);
    const inBand = new Set(band);
    let pulledUp = 0;
    for (let p = 0; p < pred.length; p++) {
      const extra = inBand.has(p) ? (0.7 * Math.sign(pred[p]! - s.labelPerS[p]!)) / band.length : 0;
      expect(g[p]!).toBeCloseTo(g0[p]! + extra, 6);
      if (inBand.has(p) && extra < 0) pulledUp++;
    }
    expect(pulledUp / band.length).toBeGreaterThan(0.8); // the map is too low: most labels ask for more
    expect(teacher.report().trainedPixelsPerWindow).toBe(band.length);
  });

  it('with λ = 0 trains exactly as the contrast loss, and scores its labels against the truth by prominence band', () => {
    const g0 = new Float32Array(pred.length);
    contrast().evaluate(input, g0);
    const teacher = new SearchTeacher(contrast(), NETWORK, { ...options, weight: 0 });
    const g = new Float32Array(pred.length);
    teacher.setTruth({ invTtcPerS: win.invTtcTruePerS, depthM: new Float64Array(pred.length).fill(3) });
    teacher.evaluate(input, g);
    expect(Array.from(g)).toEqual(Array.from(g0));
    teacher.evaluate(input, g); // a second window without a truth: evaluated, not scored
    const rep = teacher.report();
    expect([rep.windows, rep.windowsScored]).toEqual([2, 1]);
    const labelled = rep.bands.reduce((a, b) => a + b.pixels, 0);
    expect(labelled).toBeGreaterThan(400);
    // The map is 33 % low everywhere; where the labels are prominent they are much closer to the truth.
    const top = rep.bands.find((b) => b.fromProminence === 0.4)!;
    expect(top.pixels).toBeGreaterThan(100);
    expect(top.labelMaePerS).toBeLessThan(0.5 * top.mapMaePerS);
    expect(top.labelCloserShare).toBeGreaterThan(0.7);
    expect(rep.bands.map((b) => b.fromProminence)).toEqual([0, 0.2, 0.4, 0.6]);
  });

  it('rejects a negative weight and an empty band', () => {
    expect(() => new SearchTeacher(contrast(), NETWORK, { ...options, weight: -1 })).toThrow(/weight/);
    expect(() => new SearchTeacher(contrast(), NETWORK, { ...options, minProminence: 0.5, maxProminence: 0.5 })).toThrow(/minProminence/);
  });
});
