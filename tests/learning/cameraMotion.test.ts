/**
 * The learner's camera motion from the FC state (runtime path): the ground-floor plane comes from the
 * reported height, attitude and velocity, and is absent without a height (Betaflight) or when the camera is
 * not moving forward.
 */
import { describe, expect, it } from 'vitest';
import { axialSpeedFromVehicle, cameraMotionFromVehicle } from '../../src/learning/cameraMotion.js';
import { vehicleAt } from './learnerFixtures.js';

const OPTS = { mountPitchUpRad: 0, maxRatesAgeUs: 50_000 };

describe('camera motion from the vehicle state', () => {
  it('a level drone 1.5 m up flying north at 3 m/s: the ground ν is 2·y (1/s) over normalised image y', () => {
    const m = cameraMotionFromVehicle(vehicleAt(1_000_000), 1_000_000, OPTS);
    if (typeof m === 'string') throw new Error(m);
    // Camera z = body x = north (3 m/s); NED down = camera y; height 1.5 m → g = 3 · y / 1.5.
    expect(m.groundFloor!.perXPerS).toBeCloseTo(0, 12);
    expect(m.groundFloor!.perYPerS).toBeCloseTo(2, 12);
    expect(m.groundFloor!.atAxisPerS).toBeCloseTo(0, 12);
  });

  it('no height, or flying backwards: no plane (the rest of the motion is unchanged)', () => {
    const noHeight = cameraMotionFromVehicle({ ...vehicleAt(1_000_000), heightAboveHomeM: null }, 1_000_000, OPTS);
    if (typeof noHeight === 'string') throw new Error(noHeight);
    expect(noHeight.groundFloor).toBeNull();
    expect(noHeight.foeFromVelocity).toBe(true);
    const back = cameraMotionFromVehicle({ ...vehicleAt(1_000_000), velNedMS: { northMS: -2, eastMS: 0, downMS: 0 } }, 1_000_000, OPTS);
    if (typeof back === 'string') throw new Error(back);
    expect(back.groundFloor).toBeNull();
  });

  it('the axial speed is the velocity along the optical axis, also with a mount up-tilt; null without a velocity', () => {
    const v = vehicleAt(1_000_000); // level, north at 3 m/s, 0.1 m/s up
    expect(axialSpeedFromVehicle(v, 0)).toBeCloseTo(3, 12);
    // Camera z in body FRD for up-tilt θ: (cos θ, 0, −sin θ); body velocity (3, 0.3, −0.1).
    const t = 0.3;
    expect(axialSpeedFromVehicle(v, t)).toBeCloseTo(3 * Math.cos(t) + 0.1 * Math.sin(t), 12);
    expect(axialSpeedFromVehicle({ ...v, velNedMS: null }, 0)).toBeNull();
    const m = cameraMotionFromVehicle(v, 1_000_000, OPTS);
    if (typeof m === 'string') throw new Error(m);
    expect(m.axialSpeedMS).toBeCloseTo(3, 12);
  });
});
