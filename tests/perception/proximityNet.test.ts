/**
 * The inference stage on the committed artifacts (models/): they load, match a fresh build byte for byte,
 * give a non-negative finite ν map at network geometry, and new weights take effect on the next run of the
 * same session (weights are graph inputs).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildArtifacts } from '../../models/build.js';
import { NU_SCALE_PER_S } from '../../models/proximityNet.js';
import type { NetworkInput } from '../../src/contracts/eventWindow.js';
import { loadProximityNet, readWeights } from '../../src/perception/loadProximityNet.js';
import { mulberry32 } from '../helpers/random.js';

function input(seed: number): NetworkInput {
  const rand = mulberry32(seed);
  return {
    kind: 'counts',
    channels: 2,
    geometry: { widthPx: 160, heightPx: 120 },
    mapping: { fit: 'letterbox', scale: 0.25, offsetXPx: 0, offsetYPx: 0 },
    data: Float32Array.from({ length: 2 * 120 * 160 }, () => (rand() < 0.1 ? 1 + Math.floor(rand() * 3) : 0)),
  };
}

describe('ProximityNet (ORT)', () => {
  it('committed artifacts are what models:build produces now', () => {
    for (const [name, bytes] of buildArtifacts().files) {
      expect(Buffer.compare(readFileSync(`models/${name}`), Buffer.from(bytes)), `models/${name} is stale: run npm run models:build`).toBe(0);
    }
  });

  it('gives ν ≥ 0, finite, at 160 × 120, tagged with the weights version', async () => {
    const net = await loadProximityNet();
    const map = await net.infer(input(1), 5000);
    expect(map.geometry).toEqual({ widthPx: 160, heightPx: 120 });
    expect(map.invTtcPerS).toHaveLength(160 * 120);
    expect(map.invTtcPerS.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    expect(map.weightsVersion).toBe(0);
    expect(map.tUs).toBe(5000);
    await net.release();
  });

  it('with all-zero weights gives softplus(0) · NU_SCALE_PER_S everywhere (scaling and upsampling)', async () => {
    const net = await loadProximityNet();
    net.setWeights(1, new Float32Array(net.weightsManifest.totalLength));
    const map = await net.infer(input(2), 0);
    for (const v of map.invTtcPerS) expect(v).toBeCloseTo(Math.log(2) * NU_SCALE_PER_S, 6);
    await net.release();
  });

  it('multiplies the output by the window\'s ν scale (speed-scaled weights)', async () => {
    const net = await loadProximityNet();
    const plain = (await net.infer(input(3), 0)).invTtcPerS.slice();
    const scaled = (await net.infer(input(3), 0, 1.75)).invTtcPerS;
    for (let i = 0; i < plain.length; i += 37) expect(scaled[i]).toBeCloseTo(1.75 * plain[i]!, 5);
    await net.release();
  });

  it('swaps weights between runs of the same session, and back', async () => {
    const net = await loadProximityNet();
    const { data } = await readWeights('models/proximity-net.init');
    const x = input(3);
    const first = (await net.infer(x, 0)).invTtcPerS.slice();
    const changed = data.map((v) => v * 1.5);
    net.setWeights(7, changed);
    expect(net.weightsVersion).toBe(7);
    changed.fill(0); // the caller may reuse its buffer at once: the net copied it
    const second = await net.infer(x, 0);
    expect(second.weightsVersion).toBe(7);
    const diff = second.invTtcPerS.reduce((s, v, i) => s + Math.abs(v - first[i]!), 0) / first.length;
    expect(diff).toBeGreaterThan(1e-3);
    net.setWeights(8, data);
    const third = await net.infer(x, 0);
    expect(third.weightsVersion).toBe(8);
    expect(Array.from(third.invTtcPerS)).toEqual(Array.from(first));
    await net.release();
  });

  it('rejects an input of the wrong size and weights of the wrong length', async () => {
    const net = await loadProximityNet();
    await expect(net.infer({ ...input(4), data: new Float32Array(10) }, 0)).rejects.toThrow(/expects/);
    expect(() => net.setWeights(1, new Float32Array(3))).toThrow(/manifest needs/);
    await net.release();
  });
});
