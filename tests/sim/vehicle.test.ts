import { describe, expect, it } from 'vitest';
import type { EmulatedVehicle } from '../../firmware-bridge/emulator/emulatedVehicle.js';
import { Multirotor, GRAVITY_MS2 } from '../../sim/vehicle/multirotor.js';
import { Prng } from '../../sim/world/prng.js';
import { SURFACE, uniformWorld } from './helpers.js';

const START = { northM: 0, eastM: 0, altitudeM: 1.5, yawRad: 0 };

function vehicle(seed = 1, extra: Partial<ConstructorParameters<typeof Multirotor>[0]> = {}): Multirotor {
  return new Multirotor({ world: uniformWorld([]), prng: new Prng(seed), start: START, ...extra });
}

/** Streams a setpoint at 50 Hz for `seconds`, calling `each` after every control period. */
function fly(v: Multirotor, seconds: number, sp: { x: number; y: number; z: number }, yawRate = 0, each?: (t: number) => void): void {
  for (let t = 0.02; t <= seconds + 1e-9; t += 0.02) {
    v.setVelocitySetpoint(sp, yawRate);
    v.step(0.02);
    each?.(t);
  }
}

describe('Multirotor (PX4-like offboard velocity control)', () => {
  it('tracks a forward velocity step with PX4-like response time and nose-down tilt', () => {
    const v = vehicle();
    let t63 = Number.NaN;
    let minPitch = 0;
    fly(v, 4, { x: 2, y: 0, z: 0 }, 0, (t) => {
      const s = v.state();
      if (Number.isNaN(t63) && s.velocityNedMS.northMS >= 0.63 * 2) t63 = t;
      minPitch = Math.min(minPitch, s.attitude.pitchRad);
    });
    let s = v.state();
    // P brings it within drag/P of the setpoint quickly, the slow integrator (I = 0.4) removes the rest.
    expect(s.velocityNedMS.northMS).toBeGreaterThan(1.85);
    expect(Math.abs(s.velocityNedMS.eastMS)).toBeLessThan(0.01);
    expect(t63).toBeGreaterThan(0.35);
    expect(t63).toBeLessThan(1.0);
    expect(minPitch).toBeLessThan(-0.1);
    expect(minPitch).toBeGreaterThan(-Math.PI / 4);
    expect(Math.abs(s.positionNedM.downM + 1.5)).toBeLessThan(0.05);
    fly(v, 16, { x: 2, y: 0, z: 0 });
    s = v.state();
    expect(s.velocityNedMS.northMS).toBeCloseTo(2, 2);
  });

  it('limits tilt and horizontal acceleration on a large step', () => {
    const v = vehicle();
    let maxTilt = 0;
    let maxAcc = 0;
    fly(v, 3, { x: 12, y: 0, z: 0 }, 0, () => {
      const s = v.state();
      maxTilt = Math.max(maxTilt, Math.hypot(s.attitude.rollRad, s.attitude.pitchRad));
      maxAcc = Math.max(maxAcc, Math.hypot(s.accelerationNedMS2.x, s.accelerationNedMS2.y));
    });
    expect(maxTilt).toBeLessThanOrEqual(Math.PI / 4 + 1e-6);
    expect(maxAcc).toBeLessThan(v.params.accHorMaxMS2 + 0.5);
  });

  it('tracks yaw rate and interprets body setpoints about the current heading', () => {
    const v = vehicle();
    fly(v, 1, { x: 0, y: 0, z: 0 }, 0.5);
    expect(v.state().bodyRatesRadS.yawRadS).toBeCloseTo(0.5, 2);
    // Now facing ~east-ish; hold heading and fly "forward": motion follows the heading.
    const yaw = v.state().attitude.yawRad;
    fly(v, 4, { x: 1.5, y: 0, z: 0 }, 0);
    const s = v.state();
    const heading = Math.atan2(s.velocityNedMS.eastMS, s.velocityNedMS.northMS);
    expect(Math.abs(heading - s.attitude.yawRad)).toBeLessThan(0.05);
    expect(s.attitude.yawRad).toBeGreaterThan(yaw);
  });

  it('holds altitude and position in hover without wind', () => {
    const v = vehicle();
    fly(v, 5, { x: 0, y: 0, z: 0 });
    const s = v.state();
    expect(Math.abs(s.positionNedM.northM)).toBeLessThan(1e-6);
    expect(Math.abs(s.positionNedM.downM + 1.5)).toBeLessThan(1e-3);
  });

  it('brakes to a hover when setpoints stop for longer than the offboard timeout', () => {
    const v = vehicle();
    fly(v, 3, { x: 2, y: 0, z: 0 });
    for (let k = 0; k < 250; k++) v.step(0.02);
    expect(Math.hypot(v.state().velocityNedMS.northMS, v.state().velocityNedMS.eastMS)).toBeLessThan(0.05);
  });

  it('is pushed by wind gusts, reproducibly for one seed', () => {
    const wind = { meanNorthMS: 0, meanEastMS: 2, meanDownMS: 0, gustSigmaMS: 0.8, gustTauS: 1 };
    const a = vehicle(3, { wind });
    const b = vehicle(3, { wind });
    const c = vehicle(4, { wind });
    fly(a, 5, { x: 0, y: 0, z: 0 });
    fly(b, 5, { x: 0, y: 0, z: 0 });
    fly(c, 5, { x: 0, y: 0, z: 0 });
    expect(a.state()).toEqual(b.state());
    expect(a.state().positionNedM).not.toEqual(c.state().positionNedM);
    expect(Math.hypot(a.state().positionNedM.northM, a.state().positionNedM.eastM)).toBeGreaterThan(0.01);
  });

  it('has an IMU that measures −g on body z in hover, with noise of the configured density', () => {
    const v = vehicle(5);
    const zs: number[] = [];
    const gx: number[] = [];
    for (let k = 0; k < 4000; k++) {
      v.setVelocitySetpoint({ x: 0, y: 0, z: 0 }, 0);
      v.step(0.001);
      zs.push(v.imu().accelBodyMS2.z);
      gx.push(v.imu().gyroBodyRadS.x);
    }
    const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
    const std = (a: number[]): number => Math.sqrt(mean(a.map((x) => (x - mean(a)) ** 2)));
    expect(mean(zs)).toBeCloseTo(-GRAVITY_MS2, 0);
    // White noise at 1 kHz: σ = density / √dt.
    expect(std(gx)).toBeGreaterThan(0.8 * 3.394e-4 * Math.sqrt(1000));
    expect(std(gx)).toBeLessThan(1.2 * 3.394e-4 * Math.sqrt(1000));
    // The reported rates are filtered and nearly bias-free: much quieter than the raw gyro.
    expect(Math.abs(v.reported().bodyRatesRadS.rollRadS)).toBeLessThan(0.01);
  });

  it('detects a collision with a pole where the sphere first touches it', () => {
    const world = uniformWorld([{ kind: 'pole', centerNorthM: 10, centerEastM: 0, radiusM: 0.3, heightM: 5, ...SURFACE }]);
    const v = new Multirotor({ world, prng: new Prng(1), start: START });
    fly(v, 12, { x: 2, y: 0, z: 0 });
    expect(v.collisions.length).toBe(1);
    const hit = v.collisions[0]!;
    expect(hit.obstacleIndex).toBe(0);
    // Contact when centre-to-axis distance = 0.3 + 0.25, detected at the first 1 ms sub-step past it
    // (≤ 2.1 mm at ≤ 2.1 m/s).
    expect(hit.positionNedM.northM).toBeGreaterThanOrEqual(10 - 0.55);
    expect(hit.positionNedM.northM).toBeLessThan(10 - 0.55 + 0.0021);
    expect(v.state().crashed).toBe(true);
    expect(v.state().velocityNedMS.northMS).toBe(0);
  });

  it('tracks clearance when passing an obstacle without touching it', () => {
    const world = uniformWorld([{ kind: 'pole', centerNorthM: 10, centerEastM: 1.0, radiusM: 0.3, heightM: 5, ...SURFACE }]);
    const v = new Multirotor({ world, prng: new Prng(1), start: START });
    fly(v, 12, { x: 2, y: 0, z: 0 });
    expect(v.collisions.length).toBe(0);
    const min = v.state().minClearanceM;
    expect(min).toBeGreaterThan(1.0 - 0.3 - 0.25 - 1e-6);
    expect(min).toBeLessThan((1.0 - 0.3 - 0.25) * 1.25);
  });

  it('records a ground strike when commanded into the ground', () => {
    const v = vehicle();
    fly(v, 4, { x: 0, y: 0, z: 1.5 });
    expect(v.collisions.length).toBe(1);
    expect(v.collisions[0]!.obstacleIndex).toBe(-1);
  });

  it('fits the firmware bridge emulator interface', () => {
    const drive: EmulatedVehicle = vehicle();
    drive.setVelocitySetpoint({ x: 1, y: 0, z: 0 }, 0);
    drive.step(0.5);
    expect(drive.state().velocityNedMS.northMS).toBeGreaterThan(0);
  });
});
