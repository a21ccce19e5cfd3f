import { describe, expect, it } from 'vitest';
import { EventBuffer } from '../../src/formats/evt/eventBuffer.js';
import { levelCameraRotation } from '../../sim/camera/pinhole.js';
import { computeFlowAndInvTtc, GroundTruthRenderer } from '../../sim/truth/groundTruth.js';
import { networkCamera } from '../../sim/truth/networkCamera.js';
import { Renderer } from '../../sim/camera/renderer.js';
import { Simulation } from '../../sim/runner/simulation.js';
import { buildScenario, DOMAIN_A } from '../../sim/scenarios/index.js';
import { mat3, mulMat3, mulMat3TVec, mulMat3Vec, rotationFromEulerZyx, vec3, type Mat3 } from '../../sim/world/frames.js';
import { camera, SURFACE, uniformWorld } from './helpers.js';

/** exp([ω]× t) by Rodrigues' formula. */
function expRot(w: ArrayLike<number>, t: number): Mat3 {
  const th = Math.hypot(w[0]!, w[1]!, w[2]!) * t;
  const out = mat3();
  if (th === 0) {
    out[0] = out[4] = out[8] = 1;
    return out;
  }
  const n = Math.hypot(w[0]!, w[1]!, w[2]!);
  const kx = w[0]! / n;
  const ky = w[1]! / n;
  const kz = w[2]! / n;
  const K = [0, -kz, ky, kz, 0, -kx, -ky, kx, 0];
  const K2 = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) K2[r * 3 + c]! += K[r * 3 + k]! * K[k * 3 + c]!;
  for (let i = 0; i < 9; i++) out[i] = (i % 4 === 0 ? 1 : 0) + Math.sin(th) * K[i]! + (1 - Math.cos(th)) * K2[i]!;
  return out;
}

describe('ground truth', () => {
  it('flow agrees with numerically differentiated projections of the scene points', () => {
    const s = buildScenario('forest', { seed: 3, domain: DOMAIN_A });
    const cam = camera(160, 120, 0.1);
    const Rwb = rotationFromEulerZyx(0.08, -0.12, 0.4, mat3());
    const Rwc = mulMat3(Rwb, cam.bodyFromCamera, mat3());
    const p0 = vec3(2, 0.5, -1.6);
    const velCam = vec3(0.3, -0.2, 2.5);
    const omegaCam = vec3(0.4, -0.7, 0.5);
    const velWorld = mulMat3Vec(Rwc, velCam, vec3());
    const truth = new GroundTruthRenderer(cam);
    const f = truth.compute(s.world, { northM: p0[0]!, eastM: p0[1]!, altitudeM: -p0[2]!, worldFromCamera: Rwc }, velCam, omegaCam, 0);
    const project = (t: number, Pw: Float64Array): [number, number] => {
      const R = mulMat3(Rwc, expRot(omegaCam, t), mat3());
      const rel = vec3(Pw[0]! - (p0[0]! + velWorld[0]! * t), Pw[1]! - (p0[1]! + velWorld[1]! * t), Pw[2]! - (p0[2]! + velWorld[2]! * t));
      const Pc = mulMat3TVec(R, rel, vec3());
      return [cam.fxPx * (Pc[0]! / Pc[2]!) + cam.cxPx, cam.fyPx * (Pc[1]! / Pc[2]!) + cam.cyPx];
    };
    const dt = 1e-4;
    let checked = 0;
    for (let r = 5; r < 120; r += 13) {
      for (let c = 3; c < 160; c += 17) {
        const i = r * 160 + c;
        const Z = f.depthM[i]!;
        if (!Number.isFinite(Z)) continue;
        const x = (c - cam.cxPx) / cam.fxPx;
        const y = (r - cam.cyPx) / cam.fyPx;
        const Pw = mulMat3Vec(Rwc, vec3(x * Z, y * Z, Z), vec3());
        Pw[0] = Pw[0]! + p0[0]!;
        Pw[1] = Pw[1]! + p0[1]!;
        Pw[2] = Pw[2]! + p0[2]!;
        const [ax, ay] = project(dt, Pw);
        const [bx, by] = project(-dt, Pw);
        const numX = (ax - bx) / (2 * dt);
        const numY = (ay - by) / (2 * dt);
        // Depth is stored as float32: allow its relative rounding on the translational part.
        const tol = 1e-3 * (Math.abs(numX) + Math.abs(numY)) + 0.05;
        expect(Math.abs(f.flowXPxS[i]! - numX)).toBeLessThan(tol);
        expect(Math.abs(f.flowYPxS[i]! - numY)).toBeLessThan(tol);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('flow of a simulated flight matches the projection of the same points one step later', () => {
    const sc = buildScenario('forest', { seed: 4, domain: DOMAIN_A });
    const sim = new Simulation({ scenario: sc, eventPreset: 'clean' });
    const out = new EventBuffer();
    for (let k = 1; k <= 100; k++) {
      sim.vehicle.setVelocitySetpoint({ x: 2, y: 0.3, z: 0 }, 0.6);
      sim.advanceTo(k * 10_000, out);
    }
    const f = sim.truthNow();
    const cam = sim.truth.camera;
    const Rwc0 = mulMat3(sim.vehicle.worldFromBody, cam.bodyFromCamera, mat3());
    const p0 = Float64Array.from(sim.vehicle.positionNed);
    const pts: { i: number; Pw: Float64Array }[] = [];
    for (let i = 0; i < f.depthM.length; i += 97) {
      const Z = f.depthM[i]!;
      if (!Number.isFinite(Z) || Z > 30) continue;
      const x = ((i % 160) - cam.cxPx) / cam.fxPx;
      const y = (Math.floor(i / 160) - cam.cyPx) / cam.fyPx;
      const Pw = mulMat3Vec(Rwc0, vec3(x * Z, y * Z, Z), vec3());
      for (let k = 0; k < 3; k++) Pw[k] = Pw[k]! + p0[k]!;
      pts.push({ i, Pw });
    }
    const flowX = Float64Array.from(pts, (p) => f.flowXPxS[p.i]!);
    const flowY = Float64Array.from(pts, (p) => f.flowYPxS[p.i]!);
    const dtUs = 500;
    sim.advanceTo(sim.tUs + dtUs, out);
    const Rwc1 = mulMat3(sim.vehicle.worldFromBody, cam.bodyFromCamera, mat3());
    let worst = 0;
    pts.forEach((p, k) => {
      const rel = vec3(p.Pw[0]! - sim.vehicle.positionNed[0]!, p.Pw[1]! - sim.vehicle.positionNed[1]!, p.Pw[2]! - sim.vehicle.positionNed[2]!);
      const Pc = mulMat3TVec(Rwc1, rel, vec3());
      const u = cam.fxPx * (Pc[0]! / Pc[2]!) + cam.cxPx;
      const v = cam.fyPx * (Pc[1]! / Pc[2]!) + cam.cyPx;
      const c0 = p.i % 160;
      const r0 = Math.floor(p.i / 160);
      const numX = (u - c0) / (dtUs * 1e-6);
      const numY = (v - r0) / (dtUs * 1e-6);
      // Forward difference over 0.5 ms of a flight whose rates change: a few percent plus a little.
      const err = Math.hypot(flowX[k]! - numX, flowY[k]! - numY) / (Math.hypot(numX, numY) + 5);
      worst = Math.max(worst, err);
    });
    expect(pts.length).toBeGreaterThan(50);
    expect(worst).toBeLessThan(0.05);
  });

  it('gives ν = v_z / Z: a wall approached head-on at v has ν = v / d everywhere', () => {
    const world = uniformWorld([
      { kind: 'wall', startNorthM: 8, startEastM: -40, endNorthM: 8, endEastM: 40, thicknessM: 0.2, heightM: 50, ...SURFACE },
    ]);
    const cam = camera();
    const truth = new GroundTruthRenderer(cam);
    const f = truth.compute(world, { northM: 0, eastM: 0, altitudeM: 1.5, worldFromCamera: levelCameraRotation(0) }, [0, 0, 2], [0, 0, 0], 0);
    const d = 8 - 0.1;
    for (const i of [0, 500, 5000, 160 * 30 + 80]) expect(f.invTtcPerS[i]).toBeCloseTo(2 / d, 4);
    // Pure forward motion: flow points away from the centre (focus of expansion).
    const iRight = 20 * 160 + 150;
    expect(f.flowXPxS[iRight]!).toBeGreaterThan(0);
    expect(f.flowYPxS[iRight]!).toBeLessThan(0);
  });

  it('renders truth at network geometry aligned with the sensor → network binning', () => {
    const sensor = camera(320, 240);
    const net = networkCamera(sensor, { widthPx: 160, heightPx: 120 });
    // Network pixel (xn, yn) looks where the centre of its 2×2 sensor block looks.
    for (const [xn, yn] of [
      [0, 0],
      [79, 59],
      [159, 119],
    ] as const) {
      const xs = 2 * xn + 0.5;
      const ys = 2 * yn + 0.5;
      expect((xn - net.cxPx) / net.fxPx).toBeCloseTo((xs - sensor.cxPx) / sensor.fxPx, 12);
      expect((yn - net.cyPx) / net.fyPx).toBeCloseTo((ys - sensor.cyPx) / sensor.fyPx, 12);
    }
    // And its depth lies within the depths of its 2×2 sensor block (between rows for the ground).
    const world = uniformWorld([{ kind: 'pole', centerNorthM: 6, centerEastM: 0.5, radiusM: 0.4, heightM: 4, ...SURFACE }]);
    const pose = { northM: 0, eastM: 0, altitudeM: 1.5, worldFromCamera: levelCameraRotation(0) };
    const rs = new Renderer(sensor, { shade: false });
    const rn = new Renderer(net, { shade: false });
    rs.render(world, pose);
    rn.render(world, pose);
    let agree = 0;
    for (let yn = 0; yn < 120; yn++) {
      for (let xn = 0; xn < 160; xn++) {
        const zn = rn.depthM[yn * 160 + xn]!;
        const i = 2 * yn * 320 + 2 * xn;
        const block = [rs.depthM[i]!, rs.depthM[i + 1]!, rs.depthM[i + 320]!, rs.depthM[i + 321]!];
        const lo = Math.min(...block);
        const hi = Math.max(...block);
        if ((zn >= lo * (1 - 1e-4) && zn <= hi * (1 + 1e-4)) || (zn === lo && zn === hi)) agree++;
      }
    }
    expect(agree / (160 * 120)).toBeGreaterThan(0.99);
  });

  it('computes flow from depth alone for a pure rotation (depth-independent)', () => {
    const cam = camera();
    const depth = new Float32Array(160 * 120).map((_, i) => (i % 7) + 1);
    const nu = new Float32Array(depth.length);
    const fx = new Float32Array(depth.length);
    const fy = new Float32Array(depth.length);
    computeFlowAndInvTtc(cam, depth, [0, 0, 0], [0, 0.5, 0], nu, fx, fy);
    // Yaw of the camera (about its y axis) moves the centre pixel by −ω_y·fx.
    const centre = 59 * 160 + 79;
    expect(fx[centre]).toBeCloseTo(-0.5 * cam.fxPx * (1 + ((79 - cam.cxPx) / cam.fxPx) ** 2), 3);
    expect(nu.every((v) => v === 0)).toBe(true);
  });
});
