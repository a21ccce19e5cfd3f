/**
 * Self-supervised loss + gradient time per window (src/learning/loss): ContrastMaximizationLoss.evaluate
 * on a 640×480 sensor with a 160×120 ν map (Float32 in and out, as the learner uses it), 200 Hz windows
 * (5 ms), 1 k, 4 k and 16 k learner events. Events come from the tests' synthetic scene (points on a
 * slanted plane, camera translating at 3 m/s and rotating), so warps and splat overlaps are realistic.
 *
 * Configurations: the average-timestamp objective (the default) at splat scale 1 (sensor resolution)
 * and 0.25 (160×120 splat images), and the IWE-variance objective at 0.25; each figure includes the
 * smoothness term over the whole map. `smoothnessOnly` (an empty window) is the fixed per-window cost.
 * Figures: milliseconds per evaluate (median, p99) over repeated runs after warm-up, process.hrtime.bigint().
 * Also: garbage collections over many steady-state evaluations (none expected: no allocation per call),
 * and the focus loss at 0.5×, 1× and 2× the true ν for the 4 k windows (a quality figure, not a time).
 *
 * Target (DESIGN.md: ≥ 20 learner updates/s overall): a few ms at 4 k events.
 * Run alone: node --import tsx tests/bench/loss.bench.ts [--json] [--quick]
 */
import type { SensorGeometry } from '../../src/contracts/sensorGeometry.js';
import { ContrastMaximizationLoss, type ContrastLossInput, type FocusObjective } from '../../src/learning/loss/index.js';
import { mulberry32 } from '../helpers/random.js';
import { mappingFor } from '../learning/loss/helpers.js';
import { type SyntheticWindow, syntheticWindow } from '../learning/loss/syntheticScene.js';
import { countGcs, measure, round, runStandalone, type TimedFigure } from './stats.js';

const SENSOR: SensorGeometry = { widthPx: 640, heightPx: 480 };
const NETWORK: SensorGeometry = { widthPx: 160, heightPx: 120 };
const INTRINSICS = { fxPx: 320, fyPx: 320, cxPx: 319.5, cyPx: 239.5 };
const MAPPING = mappingFor(SENSOR, NETWORK, 'letterbox');
const PERIOD_US = 5000;
const SIZES = [1000, 4000, 16000] as const;
const WINDOWS = 8;
const CONFIGS: Array<[string, FocusObjective, number]> = [
  ['avgTimestamps_splat1', 'avg-timestamps', 1],
  ['avgTimestamps_splat0.25', 'avg-timestamps', 0.25],
  ['iweVariance_splat0.25', 'iwe-variance', 0.25],
];

type Figure = TimedFigure;

/** `WINDOWS` windows of about `events` events each, consecutive in time. */
function windowsOf(events: number, seed: number): SyntheticWindow[] {
  const rand = mulberry32(seed);
  return Array.from({ length: WINDOWS }, (_, w) =>
    syntheticWindow(
      {
        sensor: SENSOR,
        network: NETWORK,
        intrinsics: INTRINSICS,
        mapping: MAPPING,
        velocityCamMS: [0.3, -0.1, 3],
        ratesCamRadS: [0.2, -0.4, 0.3],
        depthM: 2,
        slopeX: 0.4,
        slopeY: 0.2,
        tStartUs: w * PERIOD_US,
        tEndUs: (w + 1) * PERIOD_US,
        points: Math.round(events / 12 / 1.05),
        eventsPerPoint: 12,
        noiseShare: 0.05,
      },
      rand,
    ),
  );
}

function inputOf(win: SyntheticWindow, w: number, map: Float32Array): ContrastLossInput {
  return {
    events: win.events,
    tStartUs: w * PERIOD_US,
    tEndUs: (w + 1) * PERIOD_US,
    mapping: MAPPING,
    invTtcPerS: map,
    focusOfExpansionNorm: win.foeNorm,
    bodyRatesCamRadS: win.ratesCam,
  };
}



export async function run(opts: { quick: boolean }): Promise<Record<string, unknown>> {
  const runs = opts.quick ? 100 : 500;
  const warmup = opts.quick ? 50 : 200;
  const grad = new Float32Array(NETWORK.widthPx * NETWORK.heightPx);
  const data = new Map(SIZES.map((n) => [n, windowsOf(n, 17 + n)]));
  const trueMaps = new Map(SIZES.map((n) => [n, data.get(n)!.map((w) => Float32Array.from(w.invTtcTruePerS))]));
  // The learner evaluates the network's prediction, not the truth: perturb the map (±30 % smooth error).
  const predicted = new Map(
    SIZES.map((n) => [
      n,
      trueMaps.get(n)!.map((m) => m.map((v, k) => v * (1 + 0.3 * Math.sin(k * 0.013) * Math.cos(k * 0.0007)))),
    ]),
  );
  let sink = 0;
  const figures: Record<string, Record<string, Figure>> = {};
  const quality: Record<string, Record<string, number>> = {};
  const gc: Record<string, unknown> = {};

  for (const [label, objective, splatScale] of CONFIGS) {
    const loss = new ContrastMaximizationLoss({
      sensor: SENSOR,
      network: NETWORK,
      intrinsics: INTRINSICS,
      objective,
      smoothnessWeight: 0.05,
      splatScale,
      maxEvents: 16384,
    });
    figures[label] = {};
    for (const n of SIZES) {
      const wins = data.get(n)!;
      const maps = predicted.get(n)!;
      const actual = wins.reduce((s, w) => s + w.events.length, 0) / WINDOWS;
      figures[label][`${n / 1000}k`] = measure(Math.round(actual), warmup, runs, (rep) => {
        const w = rep % WINDOWS;
        sink += loss.evaluate(inputOf(wins[w]!, w, maps[w]!), grad).events;
      });
    }
    // Quality at 4 k events: focus loss at 0.5×, 1×, 2× the true ν, mean over the windows.
    const wins = data.get(4000)!;
    const q: Record<string, number> = {};
    for (const a of [0.5, 1, 2]) {
      let s = 0;
      for (let w = 0; w < WINDOWS; w++) {
        const map = trueMaps.get(4000)![w]!.map((v) => v * a);
        s += loss.evaluate(inputOf(wins[w]!, w, map), grad).focusLoss;
      }
      q[`${a}x`] = round(s / WINDOWS, 5);
    }
    quality[label] = q;
    if (label === 'avgTimestamps_splat1') {
      const maps = predicted.get(4000)!;
      gc[label] = await countGcs(opts.quick ? 2000 : 10000, (r) => {
        const w = r % WINDOWS;
        sink += loss.evaluate(inputOf(wins[w]!, w, maps[w]!), grad).events;
      });
    }
  }

  // Fixed per-window cost: an empty window (smoothness over the map, clearing, copying the gradient).
  const empty = new ContrastMaximizationLoss({
    sensor: SENSOR,
    network: NETWORK,
    intrinsics: INTRINSICS,
    objective: 'avg-timestamps',
    smoothnessWeight: 0.05,
    splatScale: 1,
    maxEvents: 16384,
  });
  const none = { length: 0, x: new Uint16Array(0), y: new Uint16Array(0), p: new Uint8Array(0), tUs: new Float64Array(0) };
  const map0 = predicted.get(1000)![0]!;
  const smoothnessOnly = measure(0, warmup, runs, () => {
    sink += empty.evaluate({ ...inputOf(data.get(1000)![0]!, 0, map0), events: none }, grad).loss;
  });
  if (sink === 0) throw new Error('nothing evaluated');

  const at4k = figures['avgTimestamps_splat1']!['4k']!.medianMs;
  return {
    config: {
      sensor: '640x480',
      network: '160x120 letterbox',
      windowMs: PERIOD_US / 1000,
      scene: 'points on a slanted plane (ν 1–2 1/s), camera 3 m/s + rotation, 5 % noise',
      mapDtype: 'float32',
      warmup,
      runs,
    },
    evaluate: figures,
    smoothnessOnly,
    steadyStateGc: gc,
    focusLossAtScaledTrueNu4k: quality,
    target: {
      what: 'loss + gradient at 4 k events (avg timestamps, sensor-resolution splat): a few ms (≤ 5 ms median)',
      medianMs: at4k,
      met: at4k <= 5,
    },
  };
}

await runStandalone(import.meta.url, run);
