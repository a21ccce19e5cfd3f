import { describe, expect, it } from 'vitest';
import { Prng } from '../../sim/world/prng.js';
import { ObstacleSet } from '../../sim/world/obstacles.js';
import { MipTexture, sampleTrilinear } from '../../sim/world/texture.js';
import { buildScenario, SCENARIO_NAMES, DOMAIN_A, DOMAIN_B } from '../../sim/scenarios/index.js';
import { SURFACE } from './helpers.js';

describe('Prng', () => {
  it('repeats its sequence for the same seed and differs for another', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const sa = Array.from({ length: 100 }, () => a.nextU32());
    const sb = Array.from({ length: 100 }, () => b.nextU32());
    const sc = Array.from({ length: 100 }, () => c.nextU32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });

  it('derived streams do not depend on draws from the parent', () => {
    const p1 = new Prng(7);
    const p2 = new Prng(7);
    p2.next();
    p2.normal();
    expect(p1.derive('x').nextU32()).toBe(p2.derive('x').nextU32());
    expect(p1.derive('x').nextU32()).not.toBe(p1.derive('y').nextU32());
  });

  it('draws uniforms in [0, 1) with the right mean and normals with unit variance', () => {
    const p = new Prng(1);
    let sum = 0;
    let sum2 = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const u = p.next();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      sum += u;
      const z = p.normal();
      sum2 += z * z;
    }
    expect(sum / n).toBeCloseTo(0.5, 1);
    expect(sum2 / n).toBeCloseTo(1, 1);
  });

  it('draws Poisson counts with the requested mean', () => {
    const p = new Prng(3);
    for (const lambda of [0.3, 4, 80]) {
      let s = 0;
      for (let i = 0; i < 5000; i++) s += p.poisson(lambda);
      expect(s / 5000).toBeGreaterThan(lambda * 0.93);
      expect(s / 5000).toBeLessThan(lambda * 1.07);
    }
  });
});

describe('MipTexture', () => {
  it('averages levels so the coarsest is the mean, and trilinear sampling is continuous in lod', () => {
    const p = new Prng(5);
    const size = 32;
    const img = new Float32Array(size * size).map(() => p.normal());
    const tex = new MipTexture(img, size);
    const mean = img.reduce((a, b) => a + b, 0) / img.length;
    expect(tex.meanLog).toBeCloseTo(mean, 5);
    // Across an integer lod the trilinear blend meets the next level: no jump.
    const below = sampleTrilinear(tex, 10.3, 7.7, 2 - 1e-6);
    const above = sampleTrilinear(tex, 10.3, 7.7, 2 + 1e-6);
    expect(Math.abs(below - above)).toBeLessThan(1e-3);
  });
});

describe('ObstacleSet', () => {
  const set = new ObstacleSet([
    { kind: 'pole', centerNorthM: 10, centerEastM: 0, radiusM: 0.5, heightM: 5, ...SURFACE },
    { kind: 'wall', startNorthM: 0, startEastM: 5, endNorthM: 10, endEastM: 5, thicknessM: 0.2, heightM: 3, ...SURFACE },
  ]);

  it('intersects a ray with a pole at the analytic distance', () => {
    const hit = { t: 0, uM: 0, normalNorth: 0, normalEast: 0 };
    expect(set.intersect(0, 0, 0, 1, 0, hit)).toBe(true);
    expect(hit.t).toBeCloseTo(9.5, 9);
    expect(hit.normalNorth).toBeCloseTo(-1, 9);
    expect(set.intersect(0, 0, 0, 0, 1, hit)).toBe(false);
  });

  it('intersects a ray with a wall face at the analytic distance', () => {
    const hit = { t: 0, uM: 0, normalNorth: 0, normalEast: 0 };
    expect(set.intersect(1, 5, 0, 0, 1, hit)).toBe(true);
    expect(hit.t).toBeCloseTo(4.9, 9);
    expect(hit.normalEast).toBeCloseTo(-1, 9);
  });

  it('gives signed distances: positive outside, negative inside, over the top', () => {
    expect(set.signedDistance(0, 10, 2, 1)).toBeCloseTo(1.5, 9);
    expect(set.signedDistance(0, 10, 0.2, 1)).toBeCloseTo(-0.3, 9);
    expect(set.signedDistance(0, 10, 0, 7)).toBeCloseTo(2, 9);
    expect(set.signedDistance(1, 5, 4, 1)).toBeCloseTo(0.9, 9);
  });
});

describe('scenarios', () => {
  it.each(SCENARIO_NAMES)('%s is reproducible from its seed and changes with it', (name) => {
    const a = buildScenario(name, { seed: 11, domain: DOMAIN_A });
    const b = buildScenario(name, { seed: 11, domain: DOMAIN_A });
    const c = buildScenario(name, { seed: 12, domain: DOMAIN_A });
    expect(a.world.obstacles.specs).toEqual(b.world.obstacles.specs);
    expect(a.world.atlas.data).toEqual(b.world.atlas.data);
    expect(a.world.obstacles.specs).not.toEqual(c.world.obstacles.specs);
    expect(a.world.obstacles.count).toBeGreaterThan(0);
    expect(Number.isFinite(a.goalYawRad)).toBe(true);
  });

  it('forest density scales the obstacle count', () => {
    const sparse = buildScenario('forest', { seed: 1, domain: DOMAIN_A, params: { density: 2 } });
    const dense = buildScenario('forest', { seed: 1, domain: DOMAIN_A, params: { density: 8 } });
    expect(dense.world.obstacles.count).toBeGreaterThan(3 * sparse.world.obstacles.count);
    expect(() => buildScenario('forest', { seed: 1, domain: DOMAIN_A, params: { nope: 1 } })).toThrow(/no parameter/);
  });

  it('domains A and B differ in texture contrast, brightness and obstacle shapes', () => {
    const a = buildScenario('forest', { seed: 1, domain: DOMAIN_A });
    const b = buildScenario('forest', { seed: 1, domain: DOMAIN_B });
    const std = (t: MipTexture): number => {
      const l0 = t.level(0);
      const m = l0.reduce((x, y) => x + y, 0) / l0.length;
      return Math.sqrt(l0.reduce((x, y) => x + (y - m) ** 2, 0) / l0.length);
    };
    expect(std(a.world.textures[0]!.texture)).toBeGreaterThan(1.3 * std(b.world.textures[0]!.texture));
    expect(a.world.groundShadeLog).toBeGreaterThan(b.world.groundShadeLog + 1);
    const boxesA = a.world.obstacles.specs.filter((s) => s.kind === 'box').length;
    const boxesB = b.world.obstacles.specs.filter((s) => s.kind === 'box').length;
    expect(boxesA).toBe(0);
    expect(boxesB).toBeGreaterThan(0);
  });
});
