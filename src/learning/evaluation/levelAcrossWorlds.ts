/**
 * Is a world's ν level in the network's input? A diagnostic behind (b)'s held-out verdict (EVIDENCE.md, round 12);
 * it trains nothing.
 *
 * (b) fails on its held-out world because a map learned in one domain-B world carries that world's overall level
 * (mean ν / V_z, 1/m: how near things are, on average) into another. That could only be avoided if the level
 * showed in what the network reads, its per-pixel event counts. So, over many domain-B worlds flown by the
 * expert pilot, per world and over the windows whose axial speed V_z lies in a band:
 *   - the truth's level: the mean over windows of (mean true ν over the usable pixels) / V_z;
 *   - the input's events per metre flown: events in the network input / (V_z × input length);
 *   - with a model, its prediction's level the same way as the truth's;
 * and across worlds, how much of the truth's level the events per metre (and the prediction) explain.
 *
 * Why a speed band: the pilot slows down near obstacles, so slow windows have both a high ν / V_z and many events
 * per metre (a near-hover window's events come from its rotation, and a small V_z inflates the ratio); over all
 * speeds the two then correlate through the pilot, not through the scene.
 * Usable pixels as in nuError.ts: finite depth, 0 ≤ ν ≤ 5 1/s.
 */
import { outputToNuScale, type SpeedScaling } from '../../contracts/networkOutput.js';
import { runClipJobs } from '../pretrain/clipPool.js';
import { SampleExpander } from '../pretrain/compactSample.js';
import type { ClipOptions, ClipSpec } from '../pretrain/simClips.js';
import type { ForwardModel } from '../trainer.js';
import { pearson } from './correlation.js';
import { usableTruthPixel } from './nuError.js';

/** Axial speeds whose windows count, m/s (inclusive). */
export interface SpeedBand {
  readonly minMS: number;
  /** null: no upper bound. */
  readonly maxMS: number | null;
}

/** The expert pilot's cruise in domain B (about 60 % of its windows; median 2.27 m/s): away from the slow-near-obstacles confound. */
export const CRUISE_BAND: SpeedBand = { minMS: 1.8, maxMS: 2.6 };

/** Every speed the level is defined at (ν / V_z needs V_z > 0; below 0.5 m/s the ratio is noise). */
export const ALL_SPEEDS_BAND: SpeedBand = { minMS: 0.5, maxMS: null };

/**
 * Domain-B forest worlds for the diagnostic: the tuning worlds (6001–6011, 6101) and the evaluation's (7001–7004
 * and the held-out 7101, read here, never trained or tuned on), 15 s each.
 */
export const LEVEL_WORLDS: readonly ClipSpec[] = [6001, 6002, 6003, 6004, 6005, 6006, 6007, 6008, 6009, 6010, 6011, 6101, 7001, 7002, 7003, 7004, 7101].map(
  (seed) => ({ scenario: 'forest', domain: 'B', seed, seconds: 15 }),
);

/** Fewest windows in the band for a world to count. */
export const MIN_WINDOWS_PER_WORLD = 20;

/** One window, reduced to what the diagnostic compares. */
export interface LevelWindow {
  /** FC-reported axial speed, m/s. */
  readonly axialSpeedMS: number;
  /** Mean true ν over the usable pixels, 1/s. */
  readonly truthMeanNuPerS: number;
  /** Mean predicted ν over the same pixels, 1/s (NaN without a model). */
  readonly predictedMeanNuPerS: number;
  /** Events counted into the network input (after its noise filter), all pixels and polarities. */
  readonly inputEvents: number;
}

export interface WorldLevel {
  readonly label: string;
  /** Windows in the band. */
  readonly windows: number;
  readonly meanAxialSpeedMS: number;
  /** Mean over the windows of (mean true ν) / V_z, 1/m. */
  readonly truthLevelPerM: number;
  /** The same for the prediction, 1/m (NaN without a model). */
  readonly predictedLevelPerM: number;
  /** Mean over the windows of input events / (V_z × input length): events per metre flown. */
  readonly inputEventsPerM: number;
}

export interface LevelAcrossWorlds {
  readonly band: SpeedBand;
  /** The network input's span, µs (events per metre use it). */
  readonly inputLengthUs: number;
  /** Worlds with at least MIN_WINDOWS_PER_WORLD windows in the band. */
  readonly worlds: readonly WorldLevel[];
  /** Worlds left out for too few windows in the band. */
  readonly worldsLeftOut: readonly string[];
  /** Across worlds: Pearson r of the truth's level with the input's events per metre, and with the prediction's level. */
  readonly pearsonEventsPerM: number;
  readonly pearsonPredicted: number;
  /** Across worlds: standard deviation of the truth's level, and of what a straight-line fit on events per metre leaves, 1/m. */
  readonly levelSdPerM: number;
  readonly residualSdAfterEventsPerM: number;
  /** Over every window in the band, pooled: Pearson r of (mean true ν) / V_z with input events per metre. */
  readonly perWindowPearsonEventsPerM: number;
}

/** What `levelWindow` reads of a compact sample (CompactSample has it). */
export interface LevelSample {
  readonly motion: { readonly axialSpeedMS: number | null };
  /** Non-zero input counts (any order). */
  readonly inputValue: Uint16Array;
  /** True ν (1/s) and depth (m) per network pixel; absent = no truth. */
  readonly truthNu?: Float32Array;
  readonly truthDepth?: Float32Array;
}

/** One window's figures from a compact sample with its truth (and the model's ν map, if any); null without truth, speed or usable pixel. */
export function levelWindow(s: LevelSample, predicted: Float32Array | null): LevelWindow | null {
  const v = s.motion.axialSpeedMS;
  if (v === null || !s.truthNu || !s.truthDepth) return null;
  let truth = 0;
  let pred = 0;
  let k = 0;
  for (let i = 0; i < s.truthNu.length; i++) {
    const nu = s.truthNu[i]!;
    if (!usableTruthPixel(nu, s.truthDepth[i]!)) continue;
    truth += nu;
    if (predicted) pred += predicted[i]!;
    k++;
  }
  if (k === 0) return null;
  let events = 0;
  for (let j = 0; j < s.inputValue.length; j++) events += s.inputValue[j]!;
  return { axialSpeedMS: v, truthMeanNuPerS: truth / k, predictedMeanNuPerS: predicted ? pred / k : NaN, inputEvents: events };
}

const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const sd = (v: readonly number[]): number => {
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
};

/** What a least-squares line y ≈ a + b·x leaves: the residuals' standard deviation (population). */
export function residualSdOfLine(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length) throw new RangeError(`residualSdOfLine: ${xs.length} vs ${ys.length} values`);
  if (xs.length < 3) return NaN;
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  return sd(ys.map((y, i) => y - (my + slope * (xs[i]! - mx))));
}

/** The across-world figures from each world's windows (pure: the simulation is `levelAcrossWorlds`). */
export function summariseLevels(
  worlds: readonly { readonly label: string; readonly windows: readonly LevelWindow[] }[],
  band: SpeedBand,
  inputLengthUs: number,
): LevelAcrossWorlds {
  if (!(inputLengthUs > 0)) throw new RangeError(`inputLengthUs must be > 0, got ${inputLengthUs}`);
  const maxMS = band.maxMS ?? Number.POSITIVE_INFINITY;
  if (!(band.minMS > 0 && maxMS >= band.minMS)) throw new RangeError(`speed band must have 0 < min ≤ max, got ${band.minMS}–${band.maxMS}`);
  const inputS = inputLengthUs / 1e6;
  const kept: WorldLevel[] = [];
  const left: string[] = [];
  const pooledLevel: number[] = [];
  const pooledEvents: number[] = [];
  for (const w of worlds) {
    const inBand = w.windows.filter((x) => x.axialSpeedMS >= band.minMS && x.axialSpeedMS <= maxMS);
    if (inBand.length < MIN_WINDOWS_PER_WORLD) {
      left.push(w.label);
      continue;
    }
    const level = inBand.map((x) => x.truthMeanNuPerS / x.axialSpeedMS);
    const perM = inBand.map((x) => x.inputEvents / (x.axialSpeedMS * inputS));
    pooledLevel.push(...level);
    pooledEvents.push(...perM);
    kept.push({
      label: w.label,
      windows: inBand.length,
      meanAxialSpeedMS: mean(inBand.map((x) => x.axialSpeedMS)),
      truthLevelPerM: mean(level),
      predictedLevelPerM: mean(inBand.map((x) => x.predictedMeanNuPerS / x.axialSpeedMS)),
      inputEventsPerM: mean(perM),
    });
  }
  const truth = kept.map((w) => w.truthLevelPerM);
  const events = kept.map((w) => w.inputEventsPerM);
  return {
    band,
    inputLengthUs,
    worlds: kept,
    worldsLeftOut: left,
    pearsonEventsPerM: pearson(truth, events),
    pearsonPredicted: pearson(truth, kept.map((w) => w.predictedLevelPerM)),
    levelSdPerM: kept.length > 0 ? sd(truth) : NaN,
    residualSdAfterEventsPerM: residualSdOfLine(events, truth),
    perWindowPearsonEventsPerM: pearson(pooledLevel, pooledEvents),
  };
}

/** The network whose level is compared with the truth's (its output read as its manifest says). */
export interface LevelModel {
  readonly forward: ForwardModel;
  readonly weights: Float32Array;
  readonly speedScaling: SpeedScaling | undefined;
}

export interface LevelAcrossWorldsOptions {
  readonly worlds: readonly ClipSpec[];
  /** Windows as the weights were pretrained on (the input's span and filter); `inputLengthUs` must be set. */
  readonly clip: Omit<ClipOptions, 'truthEvery'>;
  readonly sampleEvery: number;
  /** Simulator worker threads (0 = this thread); the worlds are simulated this many at a time. */
  readonly workers: number;
  readonly bands: readonly SpeedBand[];
  readonly model?: LevelModel;
  readonly onProgress?: (worldsDone: number, worlds: number) => void;
}

/** Flies every world, reduces its windows (with the model's prediction), and summarises them per band. */
export async function levelAcrossWorlds(o: LevelAcrossWorldsOptions): Promise<LevelAcrossWorlds[]> {
  const inputLengthUs = o.clip.inputLengthUs;
  if (inputLengthUs === undefined) throw new RangeError('levelAcrossWorlds: the clip options need the input span (inputLengthUs)');
  const perWorld: { label: string; windows: LevelWindow[] }[] = [];
  // A few worlds at a time: a world's samples with their truth hold ~25 MB.
  const batch = Math.max(1, o.workers);
  for (let k = 0; k < o.worlds.length; k += batch) {
    const specs = o.worlds.slice(k, k + batch);
    const clips = await runClipJobs(specs.map((spec) => ({ spec, options: o.clip, sampleEvery: o.sampleEvery, keepTruth: true })), o.workers);
    for (let c = 0; c < clips.length; c++) {
      const spec = specs[c]!;
      const expander = o.model ? new SampleExpander(o.model.forward.sizes.input, 1) : null;
      const windows: LevelWindow[] = [];
      for (const s of clips[c]!.samples) {
        const v = s.motion.axialSpeedMS;
        const predicted = o.model && expander && v !== null ? await o.model.forward.run(expander.expandInput(s), o.model.weights, outputToNuScale(v, o.model.speedScaling)) : null;
        const w = levelWindow(s, predicted);
        if (w) windows.push(w);
      }
      perWorld.push({ label: `${spec.scenario}-${spec.domain}-${spec.seed}`, windows });
    }
    o.onProgress?.(Math.min(k + batch, o.worlds.length), o.worlds.length);
  }
  return o.bands.map((band) => summariseLevels(perWorld, band, inputLengthUs));
}
