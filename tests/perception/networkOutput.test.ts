/** The network output's speed scaling: ν = output · max(V_z, min) / V_ref, 1 without scaling or velocity. */
import { describe, expect, it } from 'vitest';
import { outputToNuScale } from '../../src/contracts/networkOutput.js';

describe('outputToNuScale', () => {
  const s = { referenceSpeedMS: 2, minSpeedMS: 0.5 };
  it('scales by the axial speed over the reference speed, floored at the minimum', () => {
    expect(outputToNuScale(3, s)).toBe(1.5);
    expect(outputToNuScale(2, s)).toBe(1);
    expect(outputToNuScale(0.1, s)).toBe(0.25);
    expect(outputToNuScale(-1, s)).toBe(0.25); // backing away: as at the floor, never negative
  });
  it('is 1 without a scaling, or without a usable velocity', () => {
    expect(outputToNuScale(3, undefined)).toBe(1);
    expect(outputToNuScale(3, null)).toBe(1);
    expect(outputToNuScale(null, s)).toBe(1);
    expect(outputToNuScale(Number.NaN, s)).toBe(1);
  });
});
