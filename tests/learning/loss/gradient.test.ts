/**
 * The loss's gradient with respect to the ν map against central finite differences in float64, for both
 * focus objectives, on random events and maps, and at the edges: events at the borders (warped out of
 * the image), zero ν, a crop mapping with events outside the map, subsampling to maxEvents. Also: empty
 * and degenerate windows give 0 without NaN, the Float32 path agrees with the Float64 one.
 */
import { describe, expect, it } from 'vitest';
import type { CameraIntrinsics } from '../../../src/contracts/cameraIntrinsics.js';
import type { EventBatch } from '../../../src/contracts/eventBatch.js';
import type { SensorGeometry } from '../../../src/contracts/sensorGeometry.js';
import {
  ContrastMaximizationLoss,
  type ContrastLossInput,
  type ContrastLossOptions,
  type FocusObjective,
} from '../../../src/learning/loss/index.js';
import { mulberry32 } from '../../helpers/random.js';
import { finiteDifferenceCheck, mappingFor, pickIndices, randomEvents, randomNuMap } from './helpers.js';

const SENSOR: SensorGeometry = { widthPx: 64, heightPx: 48 };
const NETWORK: SensorGeometry = { widthPx: 32, heightPx: 24 };
const INTRINSICS: CameraIntrinsics = { fxPx: 60, fyPx: 58, cxPx: 31.5, cyPx: 23.5 };
const T0 = 1_000_000;
const T1 = T0 + 20_000; // 20 ms: warps of several pixels at ν of a few 1/s
const OBJECTIVES: FocusObjective[] = ['avg-timestamps', 'iwe-variance'];

function makeLoss(objective: FocusObjective, over: Partial<ContrastLossOptions> = {}): ContrastMaximizationLoss {
  return new ContrastMaximizationLoss({
    sensor: SENSOR,
    network: NETWORK,
    intrinsics: INTRINSICS,
    objective,
    smoothnessWeight: 0.01,
    splatScale: 1,
    maxEvents: 4096,
    ...over,
  });
}

function makeInput(
  events: EventBatch,
  map: Float64Array,
  rand: () => number,
  over: Partial<Omit<ContrastLossInput, 'invTtcPerS'>> = {},
): ContrastLossInput & { invTtcPerS: Float64Array } {
  return {
    events,
    tStartUs: T0,
    tEndUs: T1,
    mapping: mappingFor(SENSOR, NETWORK, 'letterbox'),
    focusOfExpansionNorm: { x: (rand() - 0.5) * 0.4, y: (rand() - 0.5) * 0.3 },
    bodyRatesCamRadS: { x: (rand() - 0.5) * 2, y: (rand() - 0.5) * 2, z: (rand() - 0.5) * 2 },
    ...over,
    invTtcPerS: map,
  };
}

const ALL_PIXELS = Array.from({ length: NETWORK.widthPx * NETWORK.heightPx }, (_, k) => k);

/** FD-checks about 300 map pixels; requires a non-trivial gradient, few skips and a tight agreement. */
function expectExactGradient(loss: ContrastMaximizationLoss, input: ContrastLossInput & { invTtcPerS: Float64Array }): void {
  // The IWE variance is piecewise quadratic in the splat weights (mild curvature, larger step keeps
  // round-off down); the average-timestamp loss is strongly curved where a pixel's weight is small.
  const h = loss.objective === 'iwe-variance' ? 1e-4 : 2e-5;
  // The 150 pixels with the largest gradient (where a wrong term would show most) and 150 random others.
  const first = new Float64Array(ALL_PIXELS.length);
  loss.evaluate(input, first);
  const indices = pickIndices(first, 150, 150, mulberry32(first.length));
  const { report, analytic } = finiteDifferenceCheck(loss, input, indices, h);
  if (process.env.LOSS_FD_VERBOSE) console.log(loss.objective, JSON.stringify(report));
  expect(analytic.every(Number.isFinite)).toBe(true);
  expect(report.largestGrad).toBeGreaterThan(1e-4);
  expect(report.skipped).toBeLessThanOrEqual(2);
  expect(report.checked).toBeGreaterThan(indices.length - 3);
  expect(report.worstRelError).toBeLessThan(5e-4);
}

describe.each(OBJECTIVES)('ContrastMaximizationLoss (%s): gradient w.r.t. ν is exact', (objective) => {
  it.each([1, 0.5, 0.3])('random events and maps, splat scale %s', (splatScale) => {
    const rand = mulberry32(101 + splatScale * 10);
    for (let trial = 0; trial < 2; trial++) {
      const loss = makeLoss(objective, { splatScale });
      const events = randomEvents(rand, 1500, SENSOR, T0, T1);
      const input = makeInput(events, randomNuMap(rand, NETWORK, 0.5, 8), rand);
      expectExactGradient(loss, input);
    }
  });

  it('events at the borders, warped partly out of the image', () => {
    const rand = mulberry32(202);
    const loss = makeLoss(objective);
    const events = randomEvents(rand, 1500, SENSOR, T0, T1, 0.7);
    // Large ν: border events leave the image by several pixels over the window.
    const input = makeInput(events, randomNuMap(rand, NETWORK, 5, 30), rand);
    expectExactGradient(loss, input);
  });

  it('zero ν everywhere (hovering, rotating), and zero ν without rotation at a non-integer splat grid', () => {
    const rand = mulberry32(303);
    const events = randomEvents(rand, 1500, SENSOR, T0, T1);
    expectExactGradient(makeLoss(objective), makeInput(events, new Float64Array(ALL_PIXELS.length), rand));
    const still = makeInput(events, new Float64Array(ALL_PIXELS.length), rand, { bodyRatesCamRadS: { x: 0, y: 0, z: 0 } });
    expectExactGradient(makeLoss(objective, { splatScale: 0.5 }), still);
  });

  it('crop mapping: events outside the ν map are skipped, counted, and change nothing', () => {
    const rand = mulberry32(404);
    const network: SensorGeometry = { widthPx: 32, heightPx: 32 };
    const mapping = mappingFor(SENSOR, network, 'crop');
    expect(mapping.offsetXPx).toBeLessThan(0);
    const loss = new ContrastMaximizationLoss({
      sensor: SENSOR,
      network,
      intrinsics: INTRINSICS,
      objective,
      smoothnessWeight: 0.01,
      splatScale: 1,
      maxEvents: 4096,
    });
    const events = randomEvents(rand, 1500, SENSOR, T0, T1);
    const map = randomNuMap(rand, network, 0.5, 8);
    const input = { ...makeInput(events, map, rand), mapping };
    const pixels = Array.from({ length: network.widthPx * network.heightPx }, (_, k) => k);
    const { report, analytic } = finiteDifferenceCheck(loss, input, pixels);
    expect(report.worstRelError).toBeLessThan(5e-4);
    expect(report.skipped).toBeLessThanOrEqual(2);
    const full = { ...loss.evaluate(input, new Float64Array(pixels.length)) };
    expect(full.eventsOutsideMap).toBeGreaterThan(100);
    expect(full.events + full.eventsOutsideMap).toBe(1500);

    // The same window without the outside events: identical loss and gradient.
    const keep: number[] = [];
    for (let i = 0; i < events.length; i++) {
      const xn = mapping.offsetXPx + (events.x[i]! + 0.5) * mapping.scale;
      if (xn >= 0 && xn < network.widthPx) keep.push(i);
    }
    const inside: EventBatch = {
      length: keep.length,
      x: Uint16Array.from(keep, (i) => events.x[i]!),
      y: Uint16Array.from(keep, (i) => events.y[i]!),
      p: Uint8Array.from(keep, (i) => events.p[i]!),
      tUs: Float64Array.from(keep, (i) => events.tUs[i]!),
    };
    const g2 = new Float64Array(pixels.length);
    const only = loss.evaluate({ ...input, events: inside }, g2);
    expect(only.eventsOutsideMap).toBe(0);
    expect(only.loss).toBe(full.loss);
    expect(Array.from(g2)).toEqual(Array.from(analytic));
  });

  it('more events than maxEvents: a uniform subsample, still exact', () => {
    const rand = mulberry32(505);
    const loss = makeLoss(objective, { maxEvents: 500 });
    const events = randomEvents(rand, 1700, SENSOR, T0, T1);
    const input = makeInput(events, randomNuMap(rand, NETWORK, 0.5, 8), rand);
    const r = loss.evaluate(input, new Float64Array(ALL_PIXELS.length));
    expect(r.events).toBe(500);
    expect(r.eventsSubsampledAway).toBe(1200);
    expectExactGradient(loss, input);
  });

  it('the smoothness term alone: exact, zero for a constant map', () => {
    const rand = mulberry32(606);
    const loss = makeLoss(objective, { smoothnessWeight: 1, smoothnessEpsPerS: 0.05 });
    const empty = randomEvents(rand, 0, SENSOR, T0, T1);
    const input = makeInput(empty, randomNuMap(rand, NETWORK, 0, 4), rand);
    const { report } = finiteDifferenceCheck(loss, input, ALL_PIXELS);
    expect(report.worstRelError).toBeLessThan(1e-5);
    const g = new Float64Array(ALL_PIXELS.length);
    const r = loss.evaluate({ ...input, invTtcPerS: new Float64Array(ALL_PIXELS.length).fill(2.5) }, g);
    expect(r.smoothnessLoss).toBe(0);
    expect(g.every((v) => v === 0)).toBe(true);
  });
});

describe('ContrastMaximizationLoss: empty and degenerate windows', () => {
  const rand = mulberry32(707);
  const events = randomEvents(rand, 800, SENSOR, T0, T1);
  const none = randomEvents(rand, 0, SENSOR, T0, T1);
  const constant = new Float64Array(ALL_PIXELS.length).fill(1.5);

  it.each(OBJECTIVES)('%s: loss 0 and zero gradient, never NaN', (objective) => {
    const loss = makeLoss(objective);
    const cases: Array<[string, Partial<ContrastLossInput>, number]> = [
      ['no events', { events: none }, 0],
      ['zero-length window', { events, tEndUs: T0 }, 800],
      ['reversed window', { events, tStartUs: T1, tEndUs: T0 }, 800],
      ['non-finite window', { events, tEndUs: Number.NaN }, 800],
      ['every event before the window', { events, tStartUs: T1 + 1, tEndUs: T1 + 5000 }, 800],
    ];
    for (const [, over, outside] of cases) {
      const g = new Float32Array(ALL_PIXELS.length).fill(Number.NaN);
      const r = loss.evaluate(makeInput(events, constant, rand, over), g);
      expect(r.loss).toBe(0);
      expect(r.focusLoss).toBe(0);
      expect(r.activePixels).toBe(0);
      expect(r.events).toBe(0);
      expect(r.eventsOutsideWindow).toBe(outside);
      expect(g.every((v) => v === 0)).toBe(true);
    }
  });

  it('events with NaN timestamps are counted outside the window, the rest still count', () => {
    const loss = makeLoss('avg-timestamps');
    const tUs = Float64Array.from(events.tUs);
    tUs[3] = Number.NaN;
    tUs[10] = Number.POSITIVE_INFINITY;
    const r = loss.evaluate(makeInput({ ...events, tUs }, constant, rand), new Float64Array(ALL_PIXELS.length));
    expect(r.eventsOutsideWindow).toBe(2);
    expect(r.events).toBe(798);
    expect(Number.isFinite(r.loss)).toBe(true);
  });

  it('a single event: finite loss and gradient', () => {
    for (const objective of OBJECTIVES) {
      const one: EventBatch = { length: 1, x: Uint16Array.of(10), y: Uint16Array.of(7), p: Uint8Array.of(1), tUs: Float64Array.of(T0 + 5000) };
      const g = new Float64Array(ALL_PIXELS.length);
      const r = makeLoss(objective).evaluate(makeInput(one, constant, rand), g);
      expect(Number.isFinite(r.loss)).toBe(true);
      expect(g.every(Number.isFinite)).toBe(true);
      expect(r.events).toBe(1);
    }
  });
});

describe('ContrastMaximizationLoss: Float32 runtime path and configuration', () => {
  it.each(OBJECTIVES)('%s: a Float32 map and gradient agree with the Float64 path', (objective) => {
    const rand = mulberry32(808);
    const loss = makeLoss(objective);
    const events = randomEvents(rand, 1500, SENSOR, T0, T1);
    const map32 = Float32Array.from(randomNuMap(rand, NETWORK, 0.5, 8));
    const map64 = Float64Array.from(map32);
    const input = makeInput(events, map64, rand);
    const g64 = new Float64Array(map64.length);
    const l64 = loss.evaluate(input, g64).loss;
    const g32 = new Float32Array(map32.length);
    const l32 = loss.evaluate({ ...input, invTtcPerS: map32 }, g32).loss;
    expect(l32).toBe(l64); // same float64 computation on the same values
    for (let k = 0; k < g64.length; k++) expect(g32[k]).toBe(Math.fround(g64[k]!));
  });

  it('rejects maps of the wrong size and bad options', () => {
    const loss = makeLoss('avg-timestamps');
    const rand = mulberry32(1);
    const input = makeInput(randomEvents(rand, 10, SENSOR, T0, T1), new Float64Array(10), rand);
    expect(() => loss.evaluate(input, new Float64Array(ALL_PIXELS.length))).toThrow(RangeError);
    expect(() => makeLoss('avg-timestamps', { splatScale: 0 })).toThrow(RangeError);
    expect(() => makeLoss('avg-timestamps', { splatScale: 1.5 })).toThrow(RangeError);
    expect(() => makeLoss('avg-timestamps', { maxEvents: 0 })).toThrow(RangeError);
    expect(() => makeLoss('avg-timestamps', { smoothnessWeight: -1 })).toThrow(RangeError);
    expect(() => makeLoss('avg-timestamps', { smoothnessEpsPerS: 0 })).toThrow(RangeError);
    expect(() => makeLoss('nope' as FocusObjective)).toThrow(RangeError);
  });
});
