import { describe, expect, it } from 'vitest';
import { SectorSteering } from '../../src/avoidance/sectorSteering.js';
import { selectKth } from '../../src/avoidance/quickselect.js';
import type { ProximityMap } from '../../src/contracts/proximityMap.js';
import { mulberry32 } from '../helpers/random.js';

const W = 160;
const H = 120;

/** A ν map: `background` everywhere, `nu` inside columns [c0, c1) of the horizon band, ground rows high. */
function map(tUs: number, background: number, blocks: { c0: number; c1: number; nu: number }[] = []): ProximityMap {
  const v = new Float32Array(W * H).fill(background);
  for (let r = 0; r < H; r++) {
    for (const b of blocks) for (let c = b.c0; c < b.c1; c++) v[r * W + c] = b.nu;
    // the ground close below the camera approaches fast: must not count
    if (r >= 0.75 * H) for (let c = 0; c < W; c++) v[r * W + c] = 10;
  }
  return { tUs, geometry: { widthPx: W, heightPx: H }, invTtcPerS: v, weightsVersion: 0 };
}

describe('quickselect', () => {
  it('finds the k-th smallest like a sort does', () => {
    const rnd = mulberry32(5);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + Math.floor(rnd() * 500);
      const a = Float32Array.from({ length: n }, () => Math.floor(rnd() * 20)); // many ties
      const sorted = Float32Array.from(a).sort();
      const k = Math.floor(rnd() * n);
      expect(selectKth(a, n, k)).toBe(sorted[k]);
    }
  });
});

describe('SectorSteering', () => {
  it('flies straight at cruise speed when the way is clear and the goal ahead', () => {
    const law = new SectorSteering({ steeringTauS: 0, speedUpTauS: 0 });
    const d = law.step(map(0, 0.05), 0, 1);
    expect(d.reason).toBe('cruise');
    expect(d.setpoint.velForwardMS).toBe(0.5);
    expect(Math.abs(d.setpoint.yawRateRadS)).toBeLessThan(0.1);
    expect(d.setpoint.velDownMS).toBe(0);
    expect(d.setpoint.tUs).toBe(1);
  });

  it('turns away from an obstacle: right when the left is blocked, left when the right is', () => {
    const left = new SectorSteering({ steeringTauS: 0, speedUpTauS: 0 }).step(map(0, 0.05, [{ c0: 0, c1: 90, nu: 3 }]), 0, 0);
    expect(left.setpoint.yawRateRadS).toBeGreaterThan(0.1);
    const right = new SectorSteering({ steeringTauS: 0, speedUpTauS: 0 }).step(map(0, 0.05, [{ c0: 70, c1: 160, nu: 3 }]), 0, 0);
    expect(right.setpoint.yawRateRadS).toBeLessThan(-0.1);
  });

  it('brakes when the surface ahead is closer than the braking time to contact, slows in between', () => {
    const law = new SectorSteering({ steeringTauS: 0, speedUpTauS: 0 });
    const brake = law.step(map(0, 2.0), 0, 0); // ν 2 → 0.5 s < 0.8 s
    expect(brake.reason).toBe('brake');
    expect(brake.setpoint.velForwardMS).toBe(0);
    const slow = law.step(map(10_000, 1 / 1.65), 0, 0); // TTC 1.65 s, halfway between 0.8 and 2.5
    expect(slow.reason).toBe('slow');
    expect(slow.setpoint.velForwardMS).toBeCloseTo(0.25, 2);
  });

  it('is biased toward the goal when several ways are clear', () => {
    const law = new SectorSteering({ steeringTauS: 0, speedUpTauS: 0 });
    const d = law.step(map(0, 0.05), 0.6, 0);
    expect(d.setpoint.yawRateRadS).toBeGreaterThan(0.1);
    expect(d.chosenSector).toBeGreaterThan(4);
  });

  it('ignores the ground below the row band and a few hot pixels (percentile)', () => {
    const m = map(0, 0.05);
    for (let r = 30; r < 32; r++) m.invTtcPerS[r * W + 80] = 50; // two hot pixels in the middle sector
    const d = new SectorSteering({ steeringTauS: 0, speedUpTauS: 0 }).step(m, 0, 0);
    expect(d.reason).toBe('cruise');
  });

  it('keeps the yaw rate within its clip', () => {
    const d = new SectorSteering({ steeringTauS: 0, yawGainPerS: 100 }).step(map(0, 0.05, [{ c0: 0, c1: 140, nu: 5 }]), 0, 0);
    expect(Math.abs(d.setpoint.yawRateRadS)).toBeCloseTo(0.5, 6);
  });

  it('brakes with a distrusted map (non-finite values) or goal', () => {
    const m = map(0, 0.05);
    for (let i = 0; i < W * H; i += 3) m.invTtcPerS[i] = Number.NaN;
    const d = new SectorSteering().step(m, 0, 0);
    expect(d.reason).toBe('distrusted');
    expect(d.setpoint).toMatchObject({ velForwardMS: 0, yawRateRadS: 0 });
    expect(new SectorSteering().step(map(0, 0.05), Number.NaN, 0).reason).toBe('distrusted');
  });

  it('low-passes the steering angle over sensor time', () => {
    const law = new SectorSteering({ steeringTauS: 0.1 });
    law.step(map(0, 0.05), 0, 0);
    const blocked = map(5_000, 0.05, [{ c0: 0, c1: 90, nu: 3 }]);
    const first = law.step(blocked, 0, 0).setpoint.yawRateRadS;
    let later = first;
    for (let k = 2; k < 100; k++) later = law.step({ ...blocked, tUs: k * 5_000 }, 0, 0).setpoint.yawRateRadS;
    expect(first).toBeGreaterThan(0);
    expect(later).toBeGreaterThan(first * 3);
  });

  it('speeds up smoothly over sensor time but brakes at once', () => {
    const law = new SectorSteering({ steeringTauS: 0, speedUpTauS: 0.3 });
    const speeds: number[] = [];
    for (let k = 0; k <= 60; k++) speeds.push(law.step(map(k * 5_000, 0.05), 0, 0).setpoint.velForwardMS);
    expect(speeds[0]).toBe(0);
    for (let k = 1; k < speeds.length; k++) expect(speeds[k]!).toBeGreaterThanOrEqual(speeds[k - 1]!);
    // after 0.3 s (one time constant) about 63 % of cruise
    expect(speeds[60]! / 0.5).toBeCloseTo(1 - Math.exp(-1), 2);
    const brake = law.step(map(61 * 5_000, 2.0), 0, 0);
    expect(brake.setpoint.velForwardMS).toBe(0);
  });

  it('rejects inconsistent parameters', () => {
    expect(() => new SectorSteering({ brakeTtcS: 3, slowTtcS: 2 })).toThrow(/slowTtcS/);
    expect(() => new SectorSteering({ rowBandTop: 0.7, rowBandBottom: 0.5 })).toThrow(/rowBandBottom/);
  });
});
