/**
 * The flow equations of flowModel.ts against the projection of 3-D points: numerically differentiated
 * x(t) = X(t)/Z(t) for a static point seen by a rotating camera (rotation from mathjs' matrix
 * exponential, independent of the closed form under test) and by a translating camera; and the
 * body FRD → camera conversions of cameraFrames.ts.
 */
import { describe, expect, it } from 'vitest';
import { expm, matrix, type Matrix } from 'mathjs';
import {
  flowXPerS,
  flowYPerS,
  rotationalFlowXPerS,
  rotationalFlowYPerS,
} from '../../../src/learning/loss/flowModel.js';
import { bodyFrdToCamera, bodyRatesFrdToCameraRadS, focusOfExpansionFromVelocity } from '../../../src/learning/loss/cameraFrames.js';
import { mulberry32 } from '../../helpers/random.js';

type V3 = [number, number, number];

/** Camera-to-world rotation after rotating at ω (camera frame, rad/s) for t seconds: expm(t·[ω]×). */
function rotationAfter(w: V3, t: number): number[][] {
  const skew = [
    [0, -w[2] * t, w[1] * t],
    [w[2] * t, 0, -w[0] * t],
    [-w[1] * t, w[0] * t, 0],
  ];
  return (expm(matrix(skew)) as Matrix).toArray() as number[][];
}

/** A static world point seen from the camera at time t: P_c = Rᵀ(t) (P − V t); returns its projection. */
function project(P: V3, w: V3, V: V3, t: number): [number, number] {
  const R = rotationAfter(w, t);
  const d: V3 = [P[0] - V[0] * t, P[1] - V[1] * t, P[2] - V[2] * t];
  const pc = [0, 1, 2].map((j) => R[0]![j]! * d[0] + R[1]![j]! * d[1] + R[2]![j]! * d[2]);
  return [pc[0]! / pc[2]!, pc[1]! / pc[2]!];
}

/** Image velocity (1/s) by central differences of the projection at t = 0. */
function numericFlow(P: V3, w: V3, V: V3): [number, number] {
  const h = 1e-5;
  const a = project(P, w, V, h);
  const b = project(P, w, V, -h);
  return [(a[0] - b[0]) / (2 * h), (a[1] - b[1]) / (2 * h)];
}

describe('flow model against projected 3-D points', () => {
  const rand = mulberry32(11);

  it('rotational flow equals the differentiated projection under pure camera rotation', () => {
    for (let k = 0; k < 50; k++) {
      const w: V3 = [(rand() - 0.5) * 6, (rand() - 0.5) * 6, (rand() - 0.5) * 6];
      const Z = 0.5 + rand() * 20;
      const x = (rand() - 0.5) * 1.6;
      const y = (rand() - 0.5) * 1.2;
      const [ux, uy] = numericFlow([x * Z, y * Z, Z], w, [0, 0, 0]);
      const wc = { x: w[0], y: w[1], z: w[2] };
      expect(rotationalFlowXPerS(x, y, wc)).toBeCloseTo(ux, 6);
      expect(rotationalFlowYPerS(x, y, wc)).toBeCloseTo(uy, 6);
      // Rotational flow does not depend on depth: ν plays no part when the camera does not translate.
      expect(flowXPerS(0, x, y, { x: 0.3, y: -0.2 }, wc)).toBeCloseTo(ux, 6);
    }
  });

  it('pure yaw right (camera +y rate) moves the image left; roll about the axis rotates it', () => {
    expect(rotationalFlowXPerS(0, 0, { x: 0, y: 1, z: 0 })).toBe(-1);
    // Rotation about the optical axis at +z: a point right of centre moves up (−y), a point below moves right.
    expect(rotationalFlowYPerS(0.5, 0, { x: 0, y: 0, z: 1 })).toBeCloseTo(-0.5, 12);
    expect(rotationalFlowXPerS(0, 0.5, { x: 0, y: 0, z: 1 })).toBeCloseTo(0.5, 12);
  });

  it('translational flow is (V_z / Z)(x − x_foe) with x_foe = V_x / V_z', () => {
    for (let k = 0; k < 50; k++) {
      const V: V3 = [(rand() - 0.5) * 2, (rand() - 0.5) * 2, 0.5 + rand() * 5];
      const Z = 0.5 + rand() * 20;
      const x = (rand() - 0.5) * 1.6;
      const y = (rand() - 0.5) * 1.2;
      const [ux, uy] = numericFlow([x * Z, y * Z, Z], [0, 0, 0], V);
      const nu = V[2] / Z;
      const foe = { x: V[0] / V[2], y: V[1] / V[2] };
      const none = { x: 0, y: 0, z: 0 };
      expect(flowXPerS(nu, x, y, foe, none)).toBeCloseTo(ux, 6);
      expect(flowYPerS(nu, x, y, foe, none)).toBeCloseTo(uy, 6);
    }
  });

  it('translation and rotation together add (instantaneous flow)', () => {
    for (let k = 0; k < 20; k++) {
      const V: V3 = [(rand() - 0.5), (rand() - 0.5), 1 + rand() * 3];
      const w: V3 = [(rand() - 0.5) * 4, (rand() - 0.5) * 4, (rand() - 0.5) * 4];
      const Z = 1 + rand() * 10;
      const x = (rand() - 0.5) * 1.2;
      const y = (rand() - 0.5) * 0.9;
      const [ux, uy] = numericFlow([x * Z, y * Z, Z], w, V);
      const foe = { x: V[0] / V[2], y: V[1] / V[2] };
      const wc = { x: w[0], y: w[1], z: w[2] };
      expect(flowXPerS(V[2] / Z, x, y, foe, wc)).toBeCloseTo(ux, 5);
      expect(flowYPerS(V[2] / Z, x, y, foe, wc)).toBeCloseTo(uy, 5);
    }
  });

  it('a point at the focus of expansion does not move under translation', () => {
    const V: V3 = [0.4, -0.3, 2];
    const Z = 3;
    const P: V3 = [(V[0] / V[2]) * Z, (V[1] / V[2]) * Z, Z];
    const [ux, uy] = numericFlow(P, [0, 0, 0], V);
    expect(Math.abs(ux)).toBeLessThan(1e-9);
    expect(Math.abs(uy)).toBeLessThan(1e-9);
  });
});

describe('body FRD → camera frame', () => {
  const out = { x: 0, y: 0, z: 0 };

  it('level forward camera: body forward → camera z, right → x, down → y', () => {
    expect({ ...bodyFrdToCamera({ x: 1, y: 0, z: 0 }, 0, out) }).toEqual({ x: 0, y: 0, z: 1 });
    expect({ ...bodyFrdToCamera({ x: 0, y: 1, z: 0 }, 0, out) }).toEqual({ x: 1, y: 0, z: 0 });
    expect({ ...bodyFrdToCamera({ x: 0, y: 0, z: 1 }, 0, out) }).toEqual({ x: 0, y: 1, z: 0 });
  });

  it('yaw right (body +z rate) becomes camera +y rate, so the image moves left', () => {
    const w = bodyRatesFrdToCameraRadS({ x: 0, y: 0, z: 0.5 }, 0, out);
    expect(w.y).toBeCloseTo(0.5, 12);
    expect(rotationalFlowXPerS(0, 0, w)).toBeLessThan(0);
  });

  it('pitch nose up (body +y rate) becomes camera +x rate, so the image moves down (+y)', () => {
    const w = bodyRatesFrdToCameraRadS({ x: 0, y: 0.5, z: 0 }, 0.3, out);
    expect(w.x).toBeCloseTo(0.5, 12);
    expect(rotationalFlowYPerS(0, 0, w)).toBeGreaterThan(0);
  });

  it('an up-tilted camera sees forward flight below its centre (FOE y = tan θ) and is a rotation', () => {
    const theta = 0.35;
    const v = bodyFrdToCamera({ x: 3, y: 0, z: 0 }, theta, { x: 0, y: 0, z: 0 });
    const foe = { x: 0, y: 0 };
    expect(focusOfExpansionFromVelocity(v, foe)).toBe(true);
    expect(foe.x).toBeCloseTo(0, 12);
    expect(foe.y).toBeCloseTo(Math.tan(theta), 12);
    // The camera's optical axis in body coordinates points up (−z) by θ: body (cos θ, 0, −sin θ) → camera (0, 0, 1).
    const axis = bodyFrdToCamera({ x: Math.cos(theta), y: 0, z: -Math.sin(theta) }, theta, { x: 0, y: 0, z: 0 });
    expect(axis.x).toBeCloseTo(0, 12);
    expect(axis.y).toBeCloseTo(0, 12);
    expect(axis.z).toBeCloseTo(1, 12);
    // Lengths are kept (orthonormal).
    const r = bodyFrdToCamera({ x: 0.3, y: -1.2, z: 2 }, theta, { x: 0, y: 0, z: 0 });
    expect(Math.hypot(r.x, r.y, r.z)).toBeCloseTo(Math.hypot(0.3, -1.2, 2), 12);
  });

  it('the FOE falls back to the optical axis without a usable forward velocity', () => {
    const foe = { x: 9, y: 9 };
    expect(focusOfExpansionFromVelocity(undefined, foe)).toBe(false);
    expect(foe).toEqual({ x: 0, y: 0 });
    expect(focusOfExpansionFromVelocity({ x: 0.01, y: 0, z: 0.05 }, foe)).toBe(false); // hovering
    expect(focusOfExpansionFromVelocity({ x: 2, y: 0, z: 0.5 }, foe)).toBe(false); // mostly sideways
    expect(focusOfExpansionFromVelocity({ x: 0, y: 0, z: -2 }, foe)).toBe(false); // backwards
    expect(focusOfExpansionFromVelocity({ x: Number.NaN, y: 0, z: 2 }, foe)).toBe(false);
    expect(foe).toEqual({ x: 0, y: 0 });
    expect(focusOfExpansionFromVelocity({ x: 0.5, y: -0.25, z: 2 }, foe)).toBe(true);
    expect(foe.x).toBeCloseTo(0.25, 12);
    expect(foe.y).toBeCloseTo(-0.125, 12);
  });
});
