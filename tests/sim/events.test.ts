import { describe, expect, it } from 'vitest';
import { EventBuffer } from '../../src/formats/evt/eventBuffer.js';
import { DvsModel } from '../../sim/events/dvsModel.js';
import { DVS_CLEAN, DVS_NOISY, type DvsParams } from '../../sim/events/dvsParams.js';
import { Prng } from '../../sim/world/prng.js';

const IDEAL: DvsParams = { ...DVS_CLEAN, thresholdSigma: 0, refractoryUs: 0 };

/** A W×H image with a vertical edge at column `edgeX` (sub-pixel, box-filtered): left dark, right bright. */
function edgeImage(W: number, H: number, edgeX: number, lo: number, hi: number, out: Float32Array): Float32Array {
  // Intensities mix linearly by pixel coverage (what a real pixel integrates), then go to log.
  for (let x = 0; x < W; x++) {
    const cover = Math.min(1, Math.max(0, x + 1 - edgeX));
    const v = Math.log((1 - cover) * Math.exp(lo) + cover * Math.exp(hi));
    for (let y = 0; y < H; y++) out[y * W + x] = v;
  }
  return out;
}

/** Sweeps a dark→bright edge leftwards across the image (so every pixel brightens) and counts ON/OFF per pixel. */
function sweepEdge(params: DvsParams, seed = 1, dark = Math.log(0.2), bright = Math.log(0.8)): { on: Int32Array; off: Int32Array; events: EventBuffer } {
  const W = 32;
  const H = 4;
  const model = new DvsModel({ widthPx: W, heightPx: H }, params, new Prng(seed));
  const img = new Float32Array(W * H);
  const out = new EventBuffer();
  // Edge starts right of the image (all dark) and ends left of it (all bright): 0.1 px per 1 ms sample.
  model.reset(edgeImage(W, H, W + 1, dark, bright, img), 0);
  let t = 0;
  for (let e = W + 1; e >= -1; e -= 0.1) {
    t += 1000;
    model.step(edgeImage(W, H, e, dark, bright, img), t, out);
  }
  const on = new Int32Array(W * H);
  const off = new Int32Array(W * H);
  for (let k = 0; k < out.length; k++) (out.p[k] ? on : off)[out.y[k]! * W + out.x[k]!]!++;
  return { on, off, events: out };
}

describe('DvsModel', () => {
  it('a moving edge gives floor(Δlog I / C) events per pixel with ideal thresholds', () => {
    const dL = Math.log(0.8) - Math.log(0.2);
    const { on, off } = sweepEdge(IDEAL);
    expect(off.every((n) => n === 0)).toBe(true);
    expect(on.every((n) => n === Math.floor(dL / 0.2))).toBe(true);
  });

  it('a moving edge gives ≈ Δlog I / C events per pixel with threshold spread and refractory period', () => {
    const dL = Math.log(0.8) - Math.log(0.2);
    const { on } = sweepEdge(DVS_CLEAN);
    const mean = on.reduce((a, b) => a + b, 0) / on.length;
    // Each pixel keeps the remainder below its last threshold: E[count] ≈ ΔL/C − 1/2.
    expect(mean).toBeGreaterThan(dL / 0.2 - 1);
    expect(mean).toBeLessThan(dL / 0.2 + 0.25);
  });

  it('a darkening edge gives OFF events', () => {
    const { on, off } = sweepEdge(IDEAL, 1, Math.log(0.8), Math.log(0.2));
    expect(on.every((n) => n === 0)).toBe(true);
    expect(off.every((n) => n === Math.floor((Math.log(0.8) - Math.log(0.2)) / 0.2))).toBe(true);
  });

  it('emits nothing for a static scene without noise', () => {
    const model = new DvsModel({ widthPx: 40, heightPx: 30 }, DVS_CLEAN, new Prng(2));
    const p = new Prng(9);
    const img = new Float32Array(1200).map(() => p.uniform(-4, 0));
    const out = new EventBuffer();
    model.reset(img, 0);
    for (let t = 1000; t <= 2_000_000; t += 1000) model.step(img, t, out);
    expect(out.length).toBe(0);
  });

  it('interpolates timestamps where the input crosses each level', () => {
    const model = new DvsModel({ widthPx: 1, heightPx: 1 }, IDEAL, new Prng(1));
    const out = new EventBuffer();
    model.reset(Float32Array.of(0), 0);
    model.step(Float32Array.of(1.0), 1000, out);
    expect(Array.from(out.tUs.subarray(0, out.length))).toEqual([200, 400, 600, 800, 1000]);
    expect(Array.from(out.p.subarray(0, out.length))).toEqual([1, 1, 1, 1, 1]);
  });

  it('holds crossings during the refractory period without losing them', () => {
    const model = new DvsModel({ widthPx: 1, heightPx: 1 }, { ...IDEAL, refractoryUs: 300 }, new Prng(1));
    const out = new EventBuffer();
    model.reset(Float32Array.of(0), 0);
    model.step(Float32Array.of(1.0), 1000, out);
    expect(Array.from(out.tUs.subarray(0, out.length))).toEqual([200, 500, 800]);
    model.step(Float32Array.of(1.0), 2000, out);
    expect(Array.from(out.tUs.subarray(0, out.length))).toEqual([200, 500, 800, 1100, 1400]);
    expect(model.counters.refractoryDelays).toBeGreaterThan(0);
  });

  it('delays and spreads events with a limited photoreceptor bandwidth', () => {
    const fast = new DvsModel({ widthPx: 1, heightPx: 1 }, IDEAL, new Prng(1));
    const slow = new DvsModel({ widthPx: 1, heightPx: 1 }, { ...IDEAL, cutoffHz: 30 }, new Prng(1));
    const a = new EventBuffer();
    const b = new EventBuffer();
    fast.reset(Float32Array.of(-1), 0);
    slow.reset(Float32Array.of(-1), 0);
    for (let t = 1000; t <= 100_000; t += 1000) {
      fast.step(Float32Array.of(0), t, a);
      slow.step(Float32Array.of(0), t, b);
    }
    expect(a.length).toBe(5);
    expect(b.length).toBe(5);
    expect(b.tUs[4]!).toBeGreaterThan(a.tUs[4]! + 10_000);
  });

  it('produces shot noise at the configured rate in the dark and leak events in the light', () => {
    const W = 64;
    const H = 48;
    const dark = new DvsModel({ widthPx: W, heightPx: H }, { ...DVS_CLEAN, shotNoiseRateHz: 5 }, new Prng(3));
    const light = new DvsModel({ widthPx: W, heightPx: H }, { ...DVS_CLEAN, leakRateHz: 0.5 }, new Prng(3));
    const darkImg = new Float32Array(W * H).fill(-9);
    const lightImg = new Float32Array(W * H).fill(0);
    const a = new EventBuffer();
    const b = new EventBuffer();
    dark.reset(darkImg, 0);
    light.reset(lightImg, 0);
    const seconds = 4;
    for (let t = 1000; t <= seconds * 1e6; t += 1000) {
      dark.step(darkImg, t, a);
      light.step(lightImg, t, b);
      a.clear();
      b.clear();
    }
    const shotRate = dark.counters.shotEvents / (W * H * seconds);
    expect(shotRate).toBeGreaterThan(4.5);
    expect(shotRate).toBeLessThan(5.5);
    const leakRate = light.counters.onEvents / (W * H * seconds);
    expect(light.counters.offEvents).toBe(0);
    expect(leakRate).toBeGreaterThan(0.4);
    expect(leakRate).toBeLessThan(0.6);
  });

  it('outputs time-ordered events, identical for identical seeds', () => {
    const run = (seed: number): EventBuffer => sweepEdge(DVS_NOISY, seed).events;
    const a = run(5);
    const b = run(5);
    const c = run(6);
    for (let k = 1; k < a.length; k++) expect(a.tUs[k]!).toBeGreaterThanOrEqual(a.tUs[k - 1]!);
    expect(a.length).toBe(b.length);
    expect(a.tUs.subarray(0, a.length)).toEqual(b.tUs.subarray(0, b.length));
    expect(a.x.subarray(0, a.length)).toEqual(b.x.subarray(0, b.length));
    expect(a.p.subarray(0, a.length)).toEqual(b.p.subarray(0, b.length));
    expect(c.length === a.length && c.x.subarray(0, c.length).every((v, k) => v === a.x[k])).toBe(false);
  });
});
