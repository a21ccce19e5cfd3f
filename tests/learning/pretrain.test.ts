/**
 * Pretraining and the adaptation run end to end, at seconds-long sizes (`--quick`):
 * - `npm run pretrain -- --quick` (the CLI's main) writes weights and a manifest the runtime's reader
 *   accepts, with the pretraining metadata (geometry, normalisation, data, updates, history);
 * - pretraining is deterministic for a seed: the same weights, bit for bit, from a second run in this
 *   process (and different ones from another seed);
 * - the clips come back in job order through the worker pool, identical to the in-thread run;
 * - the adaptation run leaves the frozen weights (and the caller's array) untouched while the online
 *   weights change; its bins cover the flight.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWeightsManifest } from '../../src/contracts/networkWeights.js';
import { runAdaptation } from '../../src/learning/evaluation/adaptation.js';
import { scaleOracles } from '../../src/learning/evaluation/scaleOracles.js';
import { DEFAULT_ONLINE_TRAINER } from '../../src/learning/evaluation/cli.js';
import { main as pretrainMain } from '../../src/learning/pretrain/cli.js';
import { runClipJobs } from '../../src/learning/pretrain/clipPool.js';
import { runPretraining, type PretrainMetadata } from '../../src/learning/pretrain/pretrain.js';
import { quickConfig, validatePretrainConfig } from '../../src/learning/pretrain/pretrainConfig.js';
import { readWeightsFile } from '../../src/platform/weightsFile.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evpilot-pretrain-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bitsEqual = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('pretraining --quick', () => {
  it('writes weights and a manifest with the metadata, and repeats bit for bit for a seed', async () => {
    // A 10 ms input (not the default 5 ms), an input noise filter of 4 ms / 1 neighbour and a 60 ms loss window
    // show --input-ms, --input-noise-filter and --loss-ms reaching the clips and the manifest.
    await pretrainMain(['node', 'pretrain', '--quick', '--input-ms', '10', '--input-noise-filter', '4:1', '--loss-ms', '60', '--out', dir, '--no-progress']);
    const { manifest, data } = await readWeightsFile(join(dir, 'proximity-net.pretrained'));
    const raw = JSON.parse(await readFile(join(dir, 'proximity-net.pretrained.weights.json'), 'utf8')) as { pretraining: PretrainMetadata & { date: string; wallSeconds: number } };
    expect(parseWeightsManifest(raw).totalLength).toBe(61_073);
    const m = raw.pretraining;
    expect(m.seed).toBe(1);
    expect(m.domain).toBe('A');
    expect(m.geometry.input).toEqual([1, 2, 120, 160]);
    expect(m.geometry.sensor).toEqual({ widthPx: 160, heightPx: 120 });
    expect(m.normalisation).toMatch(/counts/);
    expect(m.data.clips).toHaveLength(1);
    expect(m.data.clips[0]!.seed).toBe(1000);
    expect(m.data.samples).toBeGreaterThan(10);
    expect(m.updates).toBeGreaterThan(3);
    expect(manifest.version).toBe(m.updates);
    expect(manifest.origin).toMatch(/pretrained/);
    // The output's speed scaling and the loss's ground-floor prior are part of what the weights mean.
    expect(manifest.speedScaling).toEqual({ referenceSpeedMS: 2, minSpeedMS: 0.5 });
    // … and so is the span the input counts: the runtime counts the same (app/perceptionWindows.ts).
    expect(m.windows.inputLengthUs).toBe(10_000);
    expect(manifest.inputLengthUs).toBe(10_000);
    expect(m.windows.inputNoiseFilter).toEqual({ supportUs: 4000, minNeighbours: 1 });
    expect(m.windows.lossLengthUs).toBe(60_000);
    expect(manifest.inputNoiseFilter).toEqual({ supportUs: 4000, minNeighbours: 1 });
    // Trained on the simulator's 160 × 120 camera = the network's geometry: a finer camera is read a pixel per network pixel.
    expect(manifest.inputSampling).toBe('decimate');
    expect(m.loss.groundFloor).toEqual({ weight: 0.3, margin: 0.1, minFloorPerS: 0.05 });
    expect(m.history.length).toBeGreaterThanOrEqual(2);
    expect(m.history[0]!.update).toBe(0);
    expect(Number.isFinite(m.finalTrainLoss)).toBe(true);
    expect(m.history[0]!.trainLoss).toBeNull();
    expect(m.forwardGraphSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Number.isNaN(Date.parse(m.date))).toBe(false);
    const init = await readWeightsFile('models/proximity-net.init');
    expect(bitsEqual(data, init.data)).toBe(false);

    // Same seed again, in this process: identical weights and history.
    const quick10 = { ...quickConfig(), clip: { ...quickConfig().clip, inputLengthUs: 10_000, inputNoiseFilter: { supportUs: 4000, minNeighbours: 1 }, lossLengthUs: 60_000 } };
    const again = await runPretraining(quick10);
    expect(bitsEqual(again.weights, data)).toBe(true);
    expect(again.metadata.history).toEqual(m.history);
    // Another seed: other weights.
    const other = await runPretraining({ ...quick10, seed: 2 });
    expect(bitsEqual(other.weights, data)).toBe(false);
  }, 120_000);

  it('refuses seeds that would reach the evaluation clips', () => {
    expect(() => validatePretrainConfig({ ...quickConfig(), seed: 9 })).toThrow(/reserved/);
    expect(() => validatePretrainConfig({ ...quickConfig(), seed: 0 })).toThrow(RangeError);
  });

  it('the worker pool returns the clips in order, identical to the in-thread run', async () => {
    const c = quickConfig();
    const jobs = [
      { spec: { scenario: 'slalom', domain: 'A' as const, seed: 3, seconds: 0.3 }, options: c.clip, sampleEvery: 4, keepTruth: true },
      { spec: { scenario: 'forest', domain: 'A' as const, seed: 4, seconds: 0.2 }, options: c.clip, sampleEvery: 4, keepTruth: false },
    ];
    const inThread = await runClipJobs(jobs, 0);
    const pooled = await runClipJobs(jobs, 2);
    expect(pooled.map((r) => r.summary.spec.seed)).toEqual([3, 4]);
    for (let k = 0; k < 2; k++) {
      expect(pooled[k]!.samples.length).toBe(inThread[k]!.samples.length);
      expect(pooled[k]!.samples.length).toBeGreaterThan(0);
      const a = pooled[k]!.samples.at(-1)!;
      const b = inThread[k]!.samples.at(-1)!;
      expect(Array.from(a.dtUs)).toEqual(Array.from(b.dtUs));
      expect(Array.from(a.inputValue)).toEqual(Array.from(b.inputValue));
      expect(a.truthNu === undefined).toBe(k === 1);
    }
  }, 60_000);
});

describe('scale diagnostic (eval part o)', () => {
  it('with a model, reports its level per bin: a map of one number at 2 m/s reads as that number / 2 per m/s', async () => {
    const c = quickConfig();
    const scales: number[] = [];
    const out = new Float32Array(160 * 120);
    // Test double: every pixel's output is 0.8 (ν at 2 m/s), times the scale the diagnostic passes.
    const forward = {
      sizes: { input: 2 * 160 * 120, output: out.length },
      run: async (_input: Float32Array, _w: Float32Array, scale = 1) => {
        scales.push(scale);
        return out.fill(0.8 * scale);
      },
    };
    const speedScaling = { referenceSpeedMS: 2, minSpeedMS: 0.5 };
    const r = await scaleOracles({ scenario: 'forest', domain: 'B', seed: 6001, seconds: 1 }, c.clip, 4, 0.5, { name: 'double', forward, weights: new Float32Array(1), speedScaling });
    expect(r.model).toBe('double');
    expect(scales).toHaveLength(r.windows);
    for (const b of r.bins) {
      expect(b.meanPredictedOverSpeedPerM).toBeCloseTo(0.4, 5);
      expect(b.meanPredictedNuPerS).toBeCloseTo(0.4 * b.meanAxialSpeedMS, 5);
      expect(b.meanInputEvents).toBeGreaterThan(50);
    }
    // The loss along α · ν̂: a constant map's scan, and the α matching its mean to the truth's.
    const ls = r.levelScan!;
    expect(ls.lossPredicted).toHaveLength(ls.alphas.length);
    expect(ls.lossTruth.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    const meanTruth = r.bins.reduce((a, b) => a + b.meanNuPerS * b.windows, 0) / r.windows;
    const meanPred = r.bins.reduce((a, b) => a + b.meanPredictedNuPerS * b.windows, 0) / r.windows;
    expect(ls.matchingAlpha).toBeCloseTo(meanTruth / meanPred, 1);
    // MAE of α · ν̂ is convex in α, with its minimum near the matching α (a constant map).
    const best = ls.alphas[ls.maePredicted.indexOf(Math.min(...ls.maePredicted))]!;
    expect(Math.abs(best - ls.matchingAlpha)).toBeLessThan(0.5);
    const plain = await scaleOracles({ scenario: 'forest', domain: 'B', seed: 6001, seconds: 1 }, c.clip, 4, 0.5);
    expect(plain.model).toBeNull();
    expect(plain.levelScan).toBeNull();
    expect(plain.bins.every((b) => Number.isNaN(b.meanPredictedNuPerS))).toBe(true);
    expect(plain.bins.map((b) => b.meanInputEvents)).toEqual(r.bins.map((b) => b.meanInputEvents));
  }, 60_000);


  it('bins the flight by time with the axial speed, and reports oracle errors and the ground bound as shares', async () => {
    const c = quickConfig();
    const r = await scaleOracles({ scenario: 'forest', domain: 'B', seed: 6001, seconds: 1 }, c.clip, 4, 0.5);
    expect(r.windows).toBeGreaterThan(20);
    expect(r.bins).toHaveLength(2);
    for (const b of r.bins) {
      expect(b.meanAxialSpeedMS).toBeGreaterThan(0.2);
      expect(b.meanNuOverSpeedPerM).toBeCloseTo(b.meanNuPerS / b.meanAxialSpeedMS, 0);
    }
    for (const v of Object.values(r.oracleMae)) expect(v).toBeGreaterThan(0);
    // Fitted per pixel on the clip itself, the profile oracles cannot lose to one constant by much.
    expect(r.oracleMae.perPixelNu).toBeLessThan(r.oracleMae.constant * 1.05);
    expect(r.ground.windowsWithPlane).toBe(r.windows);
    expect(r.ground.onGround).toBeGreaterThan(0.02);
    expect(r.ground.onGround).toBeLessThan(1);
    expect(r.ground.belowMargin).toBeLessThan(r.ground.onGround);
  }, 60_000);
});

describe('adaptation run', () => {
  /** A 1 s domain-B flight from the init weights, 2 bins, every 4th window scored. */
  async function quickAdaptation(extra: Partial<Parameters<typeof runAdaptation>[0]> = {}) {
    const { manifest, data } = await readWeightsFile('models/proximity-net.init');
    const before = Float32Array.from(data);
    const c = quickConfig();
    const r = await runAdaptation({
      spec: { scenario: 'forest', domain: 'B', seed: 7001, seconds: 1 },
      clip: c.clip,
      sampleEvery: 4,
      binSeconds: 0.5,
      loss: c.loss,
      trainer: { ...DEFAULT_ONLINE_TRAINER, windowsPerUpdate: 2 },
      modelDir: 'models',
      manifest,
      pretrained: data,
      ...extra,
    });
    return { r, data, before };
  }

  it('leaves the frozen weights untouched and changes the online ones', async () => {
    const { r, data, before } = await quickAdaptation();
    expect(r.frozenUnchanged).toBe(true);
    expect(bitsEqual(data, before)).toBe(true);
    expect(r.onlineChanged).toBe(true);
    expect(r.updates).toBeGreaterThan(5);
    expect(r.bins).toHaveLength(2);
    expect(r.bins.reduce((s, b) => s + b.windows, 0)).toBe(r.windowsOffered);
    // Before the first update both runs predict with the same weights: identical first figures.
    expect(r.bins[0]!.online.nu.all.pixels).toBe(r.bins[0]!.frozen.nu.all.pixels);
    expect(r.bins[1]!.online.nu.all.maePerS).not.toBe(r.bins[1]!.frozen.nu.all.maePerS);
    // The last-10-s figure pools both bins (a 1 s flight) by pixels.
    const pool = (k: 'online' | 'frozen') =>
      r.bins.reduce((s, b) => s + b[k].nu.all.maePerS * b[k].nu.all.pixels, 0) / r.bins.reduce((s, b) => s + b[k].nu.all.pixels, 0);
    expect(r.last10sOnlineVsFrozen.all).toBeCloseTo(pool('online') / pool('frozen') - 1, 12);
    // Pixels with and without events split the usable ones, and their errors pool back to the whole.
    for (const b of r.bins) {
      for (const nu of [b.online.nu, b.frozen.nu]) {
        expect(nu.events.pixels + nu.noEvents.pixels).toBe(nu.all.pixels);
        expect(nu.events.maePerS * nu.events.pixels + nu.noEvents.maePerS * nu.noEvents.pixels).toBeCloseTo(nu.all.maePerS * nu.all.pixels, 6);
      }
    }
    const poolNoEvents = (k: 'online' | 'frozen') =>
      r.bins.reduce((s, b) => s + b[k].nu.noEvents.maePerS * b[k].nu.noEvents.pixels, 0) / r.bins.reduce((s, b) => s + b[k].nu.noEvents.pixels, 0);
    expect(r.last10sOnlineVsFrozen.noEvents).toBeCloseTo(poolNoEvents('online') / poolNoEvents('frozen') - 1, 12);
  }, 60_000);

  it('scores the online weights at every bin on the same held-out windows: first point = pretrained, last = after the flight; trains on more windows than it scores', async () => {
    const { r } = await quickAdaptation({ heldOut: { scenario: 'forest', domain: 'B', seed: 7101, seconds: 0.4 }, offerEvery: 2 });
    // Every 2nd window offered, every 4th scored.
    const scored = r.bins.reduce((s, b) => s + b.windows, 0);
    expect(r.windowsOffered).toBeGreaterThanOrEqual(2 * scored - 2);
    expect(r.windowsOffered).toBeLessThanOrEqual(2 * scored + 2);
    expect(r.heldOutCurve.map((p) => p.atS)).toEqual([0, 0.5, 1]);
    expect(r.heldOutCurve.map((p) => p.updates)).toEqual([0, r.bins[0]!.updates, r.bins[1]!.updates]);
    const [online, frozen] = r.heldOut!.scores;
    expect(r.heldOutCurve[0]!.nu).toEqual(frozen!.nu);
    expect(r.heldOutCurve[0]!.loss).toBe(frozen!.loss);
    expect(r.heldOutCurve[2]!.nu).toEqual(online!.nu);
    expect(r.heldOutCurve[2]!.nu.all.maePerS).not.toBe(r.heldOutCurve[0]!.nu.all.maePerS);
    expect(r.heldOutChange.all).toBeCloseTo(online!.nu.all.maePerS / frozen!.nu.all.maePerS - 1, 12);
    expect(r.heldOutChange.noEvents).toBeCloseTo(online!.nu.noEvents.maePerS / frozen!.nu.noEvents.maePerS - 1, 12);
  }, 60_000);

  it('with replay, trains on an earlier window in place of every n-th one (same windows offered, other weights)', async () => {
    const plain = await quickAdaptation({ offerEvery: 2 });
    const replayed = await quickAdaptation({ offerEvery: 2, replay: { capacity: 8, every: 2 } });
    expect(plain.r.windowsReplayed).toBe(0);
    expect(replayed.r.windowsOffered).toBe(plain.r.windowsOffered);
    expect(replayed.r.windowsReplayed).toBe(Math.floor(replayed.r.windowsOffered / 2));
    expect(replayed.r.updates).toBe(plain.r.updates);
    // The frozen run does not see replay: identical figures; the online run trained on other windows.
    expect(replayed.r.total.frozen.nu).toEqual(plain.r.total.frozen.nu);
    expect(replayed.r.total.online.nu.all.maePerS).not.toBe(plain.r.total.online.nu.all.maePerS);
  }, 90_000);
});

