/**
 * The ground-floor prior: the plane it forms from the FC's attitude, velocity and height equals an
 * independent ray–ground intersection (rotation matrices written out here, not the code's helpers); the
 * penalty is zero above the bound, one-sided below it, honours the margin and the horizon threshold, skips
 * letterbox bars; its gradient matches central finite differences, alone and inside the contrast loss; the
 * loss without a plane (or with the prior off) is unchanged.
 */
import { describe, expect, it } from 'vitest';
import type { CameraIntrinsics } from '../../../src/contracts/cameraIntrinsics.js';
import type { SensorGeometry } from '../../../src/contracts/sensorGeometry.js';
import { groundFloorFromAttitude } from '../../../src/learning/cameraMotion.js';
import {
  ContrastMaximizationLoss,
  DEFAULT_GROUND_FLOOR,
  NetworkRays,
  checkGroundFloorSettings,
  groundFloorPenalty,
  groundFloorPlane,
  type GroundFloorPlane,
} from '../../../src/learning/loss/index.js';
import { mulberry32 } from '../../helpers/random.js';
import { finiteDifferenceCheck, mappingFor, randomEvents, randomNuMap } from './helpers.js';

type M3 = number[][];
const mul = (a: M3, b: M3): M3 => a.map((r) => [0, 1, 2].map((j) => r[0]! * b[0]![j]! + r[1]! * b[1]![j]! + r[2]! * b[2]![j]!));
const apply = (a: M3, v: number[]): number[] => a.map((r) => r[0]! * v[0]! + r[1]! * v[1]! + r[2]! * v[2]!);
const transpose = (a: M3): M3 => [0, 1, 2].map((i) => [0, 1, 2].map((j) => a[j]![i]!));

/** NED-from-body for ZYX Euler angles: R = Rz(ψ)·Ry(θ)·Rx(φ). */
function nedFromBody(roll: number, pitch: number, yaw: number): M3 {
  const [cr, sr, cp, sp, cy, sy] = [Math.cos(roll), Math.sin(roll), Math.cos(pitch), Math.sin(pitch), Math.cos(yaw), Math.sin(yaw)];
  const rz = [[cy, -sy, 0], [sy, cy, 0], [0, 0, 1]];
  const ry = [[cp, 0, sp], [0, 1, 0], [-sp, 0, cp]];
  const rx = [[1, 0, 0], [0, cr, -sr], [0, sr, cr]];
  return mul(mul(rz, ry), rx);
}

/** Body-from-camera for a camera pitched up by θ: columns are the camera axes in body FRD (cameraFrames.ts). */
function bodyFromCamera(mountUp: number): M3 {
  const s = Math.sin(mountUp);
  const c = Math.cos(mountUp);
  const xCam = [0, 1, 0];
  const yCam = [s, 0, c];
  const zCam = [c, 0, -s];
  return [0, 1, 2].map((i) => [xCam[i]!, yCam[i]!, zCam[i]!]);
}

const evalPlane = (p: GroundFloorPlane, x: number, y: number): number => p.perXPerS * x + p.perYPerS * y + p.atAxisPerS;

describe('ground-floor plane', () => {
  it('equals ν = v_z / Z of an independent ray–ground intersection, for tilted attitudes and mounts', () => {
    const rand = mulberry32(11);
    let compared = 0;
    for (let trial = 0; trial < 20; trial++) {
      const roll = (rand() - 0.5) * 0.6;
      const pitch = (rand() - 0.5) * 0.6;
      const yaw = (rand() - 0.5) * 6;
      const mount = rand() * 0.5;
      const heightM = 0.8 + rand() * 3;
      const R = mul(nedFromBody(roll, pitch, yaw), bodyFromCamera(mount)); // NED from camera
      // A velocity with a clear forward component along the optical axis.
      const velCam = [(rand() - 0.5) * 1.5, (rand() - 0.5) * 0.8, 1 + rand() * 3];
      const velNed = apply(R, velCam);
      // Through the code: NED velocity → body (by the attitude) → camera, then the plane.
      const velBody = apply(transpose(nedFromBody(roll, pitch, yaw)), velNed);
      const velCamCode = apply(transpose(bodyFromCamera(mount)), velBody);
      const plane = groundFloorFromAttitude({ rollRad: roll, pitchRad: pitch, yawRad: yaw }, { x: velCamCode[0]!, y: velCamCode[1]!, z: velCamCode[2]! }, heightM, mount);
      expect(plane).not.toBeNull();
      for (let k = 0; k < 40; k++) {
        const x = (rand() - 0.5) * 2;
        const y = (rand() - 0.5) * 1.5;
        const rayNed = apply(R, [x, y, 1]);
        if (rayNed[2]! <= 1e-3) {
          // Above the horizon: the plane must not claim a positive bound.
          expect(evalPlane(plane!, x, y)).toBeLessThanOrEqual(1e-9);
          continue;
        }
        // The camera is heightM above the ground (NED down = +heightM from it): hit at t·ray, depth Z = t.
        const t = heightM / rayNed[2]!;
        const nuTrue = velCam[2]! / t;
        expect(evalPlane(plane!, x, y)).toBeCloseTo(nuTrue, 9);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(200);
  });

  it('gives no plane when too low, not moving forward, or given non-finite values', () => {
    const down = { x: 0, y: 1, z: 0 };
    expect(groundFloorPlane(down, { x: 0, y: 0, z: 2 }, 1.5)).toEqual({ perXPerS: 0, perYPerS: 2 / 1.5, atAxisPerS: 0 });
    expect(groundFloorPlane(down, { x: 0, y: 0, z: 2 }, 0.29)).toBeNull();
    expect(groundFloorPlane(down, { x: 0, y: 0, z: 0.1 }, 1.5)).toBeNull();
    expect(groundFloorPlane(down, { x: 0, y: 0, z: -2 }, 1.5)).toBeNull();
    expect(groundFloorPlane(down, { x: 0, y: 0, z: 2 }, Number.NaN)).toBeNull();
    expect(groundFloorPlane({ x: Number.NaN, y: 1, z: 0 }, { x: 0, y: 0, z: 2 }, 1.5)).toBeNull();
  });

  it('rejects bad settings', () => {
    expect(() => checkGroundFloorSettings({ ...DEFAULT_GROUND_FLOOR, weight: -1 })).toThrow(/weight/);
    expect(() => checkGroundFloorSettings({ ...DEFAULT_GROUND_FLOOR, margin: 1 })).toThrow(/margin/);
    expect(() => checkGroundFloorSettings({ ...DEFAULT_GROUND_FLOOR, minFloorPerS: Number.NaN })).toThrow(/minFloorPerS/);
  });
});

const SENSOR: SensorGeometry = { widthPx: 64, heightPx: 48 };
const NETWORK: SensorGeometry = { widthPx: 32, heightPx: 24 };
const INTRINSICS: CameraIntrinsics = { fxPx: 60, fyPx: 58, cxPx: 31.5, cyPx: 23.5 };
// Level camera at 1.5 m moving forward at 3 m/s, slightly yawing: g = 2·y + 0.1·x + 0.05.
const PLANE: GroundFloorPlane = { perXPerS: 0.1, perYPerS: 2, atAxisPerS: 0.05 };

describe('ground-floor penalty', () => {
  const rays = new NetworkRays(NETWORK, SENSOR, INTRINSICS);
  rays.update(mappingFor(SENSOR, NETWORK, 'letterbox'));

  it('network rays are the normalised coordinates of the pixel centres', () => {
    // Scale 0.5: network pixel c covers sensor pixels 2c, 2c+1, centre 2c + 0.5.
    expect(rays.xNorm[0]).toBeCloseTo((0.5 - 31.5) / 60, 12);
    expect(rays.yNorm[23]).toBeCloseTo((46.5 - 23.5) / 58, 12);
  });

  it('is zero when ν is at or above the bound, and only counts the pixels below it', () => {
    const n = NETWORK.widthPx * NETWORK.heightPx;
    const above = new Float64Array(n);
    for (let r = 0; r < NETWORK.heightPx; r++) for (let c = 0; c < NETWORK.widthPx; c++) above[r * NETWORK.widthPx + c] = Math.max(0, evalPlane(PLANE, rays.xNorm[c]!, rays.yNorm[r]!)) * 1.01;
    const grad = new Float64Array(n);
    const counts = { boundedPixels: 0, violatingPixels: 0 };
    expect(groundFloorPenalty(above, PLANE, rays, DEFAULT_GROUND_FLOOR, grad, counts)).toBe(0);
    expect(grad.every((g) => g === 0)).toBe(true);
    expect(counts.violatingPixels).toBe(0);
    // Bounded = pixels whose g ≥ minFloorPerS: the lower half of the image, by the plane's y slope.
    let expectBounded = 0;
    for (let r = 0; r < NETWORK.heightPx; r++) for (let c = 0; c < NETWORK.widthPx; c++) if (evalPlane(PLANE, rays.xNorm[c]!, rays.yNorm[r]!) >= DEFAULT_GROUND_FLOOR.minFloorPerS) expectBounded++;
    expect(counts.boundedPixels).toBe(expectBounded);
    expect(expectBounded).toBeGreaterThan(n / 4);
    expect(expectBounded).toBeLessThan(n);
    // ν = 0 everywhere: every bounded pixel violates; P is the mean of ((1 − margin)·g)² over the map.
    const zero = new Float64Array(n);
    let want = 0;
    for (let r = 0; r < NETWORK.heightPx; r++) {
      for (let c = 0; c < NETWORK.widthPx; c++) {
        const g = evalPlane(PLANE, rays.xNorm[c]!, rays.yNorm[r]!);
        if (g >= DEFAULT_GROUND_FLOOR.minFloorPerS) want += (0.9 * g) ** 2;
      }
    }
    expect(groundFloorPenalty(zero, PLANE, rays, DEFAULT_GROUND_FLOOR, grad.fill(0), counts)).toBeCloseTo(want / n, 12);
    expect(counts.violatingPixels).toBe(expectBounded);
    // Within the margin: 95 % of g costs nothing with a 10 % margin, and does with none.
    const near = above.map((v) => v * 0.95 / 1.01);
    expect(groundFloorPenalty(near, PLANE, rays, DEFAULT_GROUND_FLOOR, grad.fill(0), counts)).toBe(0);
    expect(groundFloorPenalty(near, PLANE, rays, { ...DEFAULT_GROUND_FLOOR, margin: 0 }, grad.fill(0), counts)).toBeGreaterThan(0);
  });

  it('skips the letterbox bars', () => {
    const wide: SensorGeometry = { widthPx: 64, heightPx: 24 }; // 8:3 into 4:3: bars above and below
    const r2 = new NetworkRays(NETWORK, wide, { fxPx: 60, fyPx: 60, cxPx: 31.5, cyPx: 11.5 });
    r2.update(mappingFor(wide, NETWORK, 'letterbox'));
    const bars = Array.from(r2.yNorm).filter((v) => Number.isNaN(v)).length;
    expect(bars).toBe(12); // 24 rows, 12 of them image
    const grad = new Float64Array(NETWORK.widthPx * NETWORK.heightPx);
    const counts = { boundedPixels: 0, violatingPixels: 0 };
    groundFloorPenalty(new Float64Array(grad.length), PLANE, r2, DEFAULT_GROUND_FLOOR, grad, counts);
    for (let r = 0; r < NETWORK.heightPx; r++) {
      if (!Number.isNaN(r2.yNorm[r]!)) continue;
      for (let c = 0; c < NETWORK.widthPx; c++) expect(grad[r * NETWORK.widthPx + c]).toBe(0);
    }
  });

  it('inside the contrast loss: adds weight · P, and its gradient matches finite differences', () => {
    const rand = mulberry32(5);
    const opts = { sensor: SENSOR, network: NETWORK, intrinsics: INTRINSICS, objective: 'avg-timestamps' as const, smoothnessWeight: 0.01, splatScale: 1, maxEvents: 4096 };
    const plain = new ContrastMaximizationLoss(opts);
    const withFloor = new ContrastMaximizationLoss({ ...opts, groundFloor: { ...DEFAULT_GROUND_FLOOR, weight: 0.7 } });
    const events = randomEvents(rand, 600, SENSOR, 0, 20_000);
    const map = randomNuMap(rand, NETWORK, 0, 2);
    const input = {
      events,
      tStartUs: 0,
      tEndUs: 20_000,
      mapping: mappingFor(SENSOR, NETWORK, 'letterbox'),
      focusOfExpansionNorm: { x: 0.05, y: -0.1 },
      bodyRatesCamRadS: { x: 0.2, y: -0.3, z: 0.1 },
      invTtcPerS: map,
      groundFloor: PLANE,
    };
    const g0 = new Float64Array(map.length);
    const base = plain.evaluate(input, g0).loss;
    const r = withFloor.evaluate(input, new Float64Array(map.length));
    expect(r.groundFloorLoss).toBeGreaterThan(0);
    expect(r.groundViolatingPixels).toBeGreaterThan(10);
    expect(r.loss).toBeCloseTo(base + 0.7 * r.groundFloorLoss, 12);
    // Every map pixel: the bounded lower half and the unbounded upper half alike.
    const { report } = finiteDifferenceCheck(withFloor, input, Array.from(map.keys()));
    expect(report.checked).toBeGreaterThan(0.9 * map.length);
    expect(report.worstRelError).toBeLessThan(1e-4);
    // Without a plane, or with the prior off, the loss is the plain one.
    expect(withFloor.evaluate({ ...input, groundFloor: null }, new Float64Array(map.length)).loss).toBe(base);
    const off = new ContrastMaximizationLoss({ ...opts, groundFloor: { ...DEFAULT_GROUND_FLOOR, weight: 0 } });
    expect(off.evaluate(input, new Float64Array(map.length)).loss).toBe(base);
  });
});
