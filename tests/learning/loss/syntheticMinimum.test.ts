/**
 * The loss is a useful objective: on synthetic windows whose events follow the true flow of a known ν
 * map (syntheticScene.ts: points on a slanted plane, camera translating and rotating), the loss at the
 * true ν is lower than at 0.5× and 2× ν (and at 0), its minimum over a scale scan lies near 1×, and its
 * gradient points back toward the truth from both sides. Using the true body rates and focus of
 * expansion beats using wrong ones (so the rotational flow and the FOE enter with the right signs).
 */
import { describe, expect, it } from 'vitest';
import type { SensorGeometry } from '../../../src/contracts/sensorGeometry.js';
import { ContrastMaximizationLoss, type ContrastLossInput, type FocusObjective } from '../../../src/learning/loss/index.js';
import { mulberry32 } from '../../helpers/random.js';
import { mappingFor } from './helpers.js';
import { type SyntheticSceneSpec, syntheticWindow } from './syntheticScene.js';

const SENSOR: SensorGeometry = { widthPx: 320, heightPx: 240 };
const NETWORK: SensorGeometry = { widthPx: 160, heightPx: 120 };
const INTRINSICS = { fxPx: 250, fyPx: 250, cxPx: 159.5, cyPx: 119.5 };
const MAPPING = mappingFor(SENSOR, NETWORK, 'letterbox');
const SCALES = [0, 0.25, 0.5, 0.75, 0.9, 1, 1.1, 1.25, 1.5, 2, 4];

function spec(windowUs: number): SyntheticSceneSpec {
  return {
    sensor: SENSOR,
    network: NETWORK,
    intrinsics: INTRINSICS,
    mapping: MAPPING,
    velocityCamMS: [0.3, -0.1, 3],
    ratesCamRadS: [0.2, -0.4, 0.3],
    depthM: 2,
    slopeX: 0.4,
    slopeY: 0.2, // ν from about 1 to 2 1/s across the image
    tStartUs: 5_000_000,
    tEndUs: 5_000_000 + windowUs,
    points: 350,
    eventsPerPoint: 12,
    noiseShare: 0.05,
  };
}

const CASES: Array<[FocusObjective, number, number]> = [
  ['avg-timestamps', 1, 30_000],
  ['avg-timestamps', 0.5, 30_000],
  ['avg-timestamps', 1, 10_000],
  ['avg-timestamps', 0.5, 10_000],
  ['iwe-variance', 1, 30_000],
  ['iwe-variance', 0.5, 30_000],
  ['iwe-variance', 1, 10_000],
  ['iwe-variance', 0.5, 10_000],
];

describe.each(CASES)('%s, splat scale %s, %s µs window: minimum at the true ν', (objective, splatScale, windowUs) => {
  const s = spec(windowUs);
  const win = syntheticWindow(s, mulberry32(9 + windowUs));
  const loss = new ContrastMaximizationLoss({
    sensor: SENSOR,
    network: NETWORK,
    intrinsics: INTRINSICS,
    objective,
    smoothnessWeight: 0,
    splatScale,
    maxEvents: 8192,
  });
  const grad = new Float64Array(NETWORK.widthPx * NETWORK.heightPx);
  const input = (scale: number, over: Partial<ContrastLossInput> = {}): ContrastLossInput => ({
    events: win.events,
    tStartUs: s.tStartUs,
    tEndUs: s.tEndUs,
    mapping: MAPPING,
    invTtcPerS: win.invTtcTruePerS.map((v) => v * scale),
    focusOfExpansionNorm: win.foeNorm,
    bodyRatesCamRadS: win.ratesCam,
    ...over,
  });
  /** Loss at scale × true ν, and the derivative of the loss along the true ν direction, ⟨∇L, ν_true⟩. */
  const at = (scale: number, over: Partial<ContrastLossInput> = {}) => {
    const r = loss.evaluate(input(scale, over), grad);
    let along = 0;
    for (let k = 0; k < grad.length; k++) along += grad[k]! * win.invTtcTruePerS[k]!;
    return { loss: r.focusLoss, along, events: r.events };
  };

  it('the true ν beats 0.5×, 2× and 0, and the scan minimum lies within [0.75, 1.25]×', () => {
    const scan = SCALES.map((a) => at(a).loss);
    const l = (a: number) => scan[SCALES.indexOf(a)]!;
    expect(at(1).events).toBeGreaterThan(3000);
    expect(l(1)).toBeLessThan(l(0.5));
    expect(l(1)).toBeLessThan(l(2));
    expect(l(1)).toBeLessThan(l(0));
    const best = SCALES[scan.indexOf(Math.min(...scan))]!;
    expect(best).toBeGreaterThanOrEqual(0.75);
    expect(best).toBeLessThanOrEqual(1.25);
  });

  it('the gradient points toward the true ν from 0.5× and from 2×', () => {
    expect(at(0.5).along).toBeLessThan(0); // increasing ν lowers the loss
    expect(at(2).along).toBeGreaterThan(0); // decreasing ν lowers the loss
  });

  // Not asserted for the sparsest case (average timestamps at sensor resolution, 10 ms, about one event
  // per active pixel): there the loss prefers flows somewhat larger than the truth (README, "What is
  // weak"), and a FOE moved so that the flow grows scores below the true one.
  const sparse = objective === 'avg-timestamps' && splatScale === 1 && windowUs === 10_000;
  it.skipIf(sparse)('the true body rates and focus of expansion beat wrong ones', () => {
    const truth = at(1).loss;
    const w = win.ratesCam;
    expect(truth).toBeLessThan(at(1, { bodyRatesCamRadS: { x: 0, y: 0, z: 0 } }).loss);
    expect(truth).toBeLessThan(at(1, { bodyRatesCamRadS: { x: -w.x, y: -w.y, z: -w.z } }).loss);
    expect(truth).toBeLessThan(at(1, { focusOfExpansionNorm: { x: win.foeNorm.x + 0.25, y: win.foeNorm.y } }).loss);
    expect(truth).toBeLessThan(at(1, { focusOfExpansionNorm: { x: win.foeNorm.x, y: win.foeNorm.y - 0.25 } }).loss);
  });
});
