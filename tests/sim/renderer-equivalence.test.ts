/**
 * The throughput work on the renderer, the caster and the DVS model changed how they compute, not
 * what: frames and events must stay bit-identical to the reference implementations kept in
 * tests/sim/reference (the code as it was before). Compared here on flights through every scenario in
 * both domains, and on poses that reach the rare paths (layers behind the nearest obstacle, a camera
 * looking straight down or up, strong roll, other geometries and mount pitch).
 * The renderer's JS passes are compared explicitly (`kernel: 'js'`: the fallback when the native
 * kernels are not built), and the simulation's own renderer too (native where built; native against
 * JS bit for bit is tested at length in renderer-native.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { EventBuffer } from '../../src/formats/evt/eventBuffer.js';
import { PinholeCamera, type MutableCameraPose } from '../../sim/camera/pinhole.js';
import { Renderer } from '../../sim/camera/renderer.js';
import { dvsPreset } from '../../sim/events/dvsParams.js';
import { DvsModel } from '../../sim/events/dvsModel.js';
import { Simulation } from '../../sim/runner/simulation.js';
import { buildScenario, DOMAIN_A, DOMAIN_B, SCENARIO_NAMES, type DomainPreset } from '../../sim/scenarios/index.js';
import { mat3, rotationFromEulerZyx } from '../../sim/world/frames.js';
import { Prng } from '../../sim/world/prng.js';
import { ReferenceDvsModel } from './reference/dvsModel.js';
import { expectSameFrame, RARE_GEOMETRIES, rareCases, rarePoses } from './helpers.js';
import { ReferenceRenderer } from './reference/renderer.js';

function expectSameEvents(a: EventBuffer, b: EventBuffer, what: string): void {
  expect(a.length, `${what}: event count`).toBe(b.length);
  for (let k = 0; k < a.length; k++) {
    if (a.x[k] !== b.x[k] || a.y[k] !== b.y[k] || a.p[k] !== b.p[k] || a.tUs[k] !== b.tUs[k]) {
      expect({ k, x: a.x[k], y: a.y[k], p: a.p[k], t: a.tUs[k] }, what).toEqual({ k, x: b.x[k], y: b.y[k], p: b.p[k], t: b.tUs[k] });
    }
  }
}

/** Flies `scenario` with a fixed setpoint pattern and checks every sample against the references. */
function flyAndCompare(name: string, domain: DomainPreset, preset: 'clean' | 'noisy'): void {
  const scenario = buildScenario(name, { seed: 3, domain });
  const sim = new Simulation({ scenario, eventPreset: preset });
  const cam = sim.camera;
  const ref = new ReferenceRenderer(cam);
  const js = new Renderer(cam, { kernel: 'js' });
  const params = sim.dvsParams;
  const dvs = new DvsModel(cam.spec.geometry, params, new Prng(11).derive('dvs'));
  const refDvs = new ReferenceDvsModel(cam.spec.geometry, params, new Prng(11).derive('dvs'));
  const pose: MutableCameraPose = { northM: 0.5, eastM: 0.5, altitudeM: 0.5, worldFromCamera: mat3() };
  const v = sim.vehicle;
  const world = scenario.world;
  const out = new EventBuffer();
  const refOut = new EventBuffer();
  const ignored = new EventBuffer();
  let t = 0;
  let first = true;
  for (let k = 1; k <= 120; k++) {
    // Forward, turning and climbing by turns: rolls and pitches the camera.
    v.setVelocitySetpoint({ x: 2.5, y: k % 40 < 20 ? 0.8 : -0.8, z: k % 30 < 15 ? -0.4 : 0.3 }, k % 50 < 25 ? 0.9 : -0.9);
    t += 2000 + (k % 3) * 500;
    ignored.clear();
    sim.advanceTo(t, ignored);
    cam.writePose(v.positionNed[0]!, v.positionNed[1]!, v.positionNed[2]!, v.worldFromBody, pose);
    ref.render(world, pose);
    expectSameFrame(sim.renderer, ref, `${name}/${domain.name} sample ${k} (${sim.renderer.kernel})`);
    js.render(world, pose);
    expectSameFrame(js, ref, `${name}/${domain.name} sample ${k} (js)`);
    if (first) {
      dvs.reset(sim.renderer.logI, t);
      refDvs.reset(ref.logI, t);
      first = false;
      continue;
    }
    out.clear();
    refOut.clear();
    dvs.step(sim.renderer.logI, t, out);
    refDvs.step(ref.logI, t, refOut);
    expectSameEvents(out, refOut, `${name}/${domain.name}/${preset} events at ${t} µs`);
  }
  expect(dvs.counters).toEqual(refDvs.counters);
}

describe('optimised renderer and DVS model against the reference implementations', () => {
  for (const name of SCENARIO_NAMES) {
    it(`${name}: bit-identical frames and events in flight (domain A clean, domain B noisy)`, () => {
      flyAndCompare(name, DOMAIN_A, 'clean');
      flyAndCompare(name, DOMAIN_B, 'noisy');
    });
  }

  it('bit-identical frames on rare paths: over short obstacles, straight down and up, strong roll, other geometries', () => {
    const cases = rareCases([
      ['forest', DOMAIN_B],
      ['wall-gap', DOMAIN_A],
      ['corridor', DOMAIN_A],
    ]);
    const rng = new Prng(7);
    for (const { world, cam } of cases) {
      const r = new Renderer(cam, { kernel: 'js' });
      const ref = new ReferenceRenderer(cam);
      for (const { pose, label } of rarePoses(cam, rng)) {
        r.render(world, pose);
        ref.render(world, pose);
        expectSameFrame(r, ref, label);
      }
    }
  });

  it('the elevation bound that lets the renderer skip records of layers behind bounds every pixel ray', () => {
    // Renderer.maxElevationRatio: when it is below a column's nearest-obstacle top ratio, the layers
    // behind that column get no shading record, so it must be ≥ the q = up / f of every pixel whose ray
    // meets the strip (f > 0.05), as the pixel pass computes it (by increments along the row).
    const world = buildScenario('forest', { seed: 5, domain: DOMAIN_A }).world;
    const rng = new Prng(8);
    let skipping = 0;
    for (const [w, h, mount] of RARE_GEOMETRIES) {
      const cam = new PinholeCamera({ geometry: { widthPx: w, heightPx: h }, horizontalFovRad: Math.PI / 2, mountPitchRad: mount });
      const r = new Renderer(cam, { kernel: 'js' });
      const internals = r as unknown as { fp: Float64Array; maxElevationRatio(): number };
      for (let k = 0; k < 40; k++) {
        const R = rotationFromEulerZyx(rng.uniform(-0.9, 0.9), rng.uniform(-1.2, 1.2), rng.uniform(-Math.PI, Math.PI), mat3());
        const pose = cam.poseFromBody(rng.uniform(2, 60), rng.uniform(-8, 8), -rng.uniform(0.4, 6), R, mat3());
        r.render(world, pose);
        const bound = internals.maxElevationRatio();
        const fp = internals.fp;
        // fp layout (renderer.ts `P`): FA FB FC SA SB SC NA NB NC EA EB EC DA DB DC.
        const [fA, fB, fC, dA, dB, dC] = [fp[0]!, fp[1]!, fp[2]!, fp[12]!, fp[13]!, fp[14]!];
        let qMax = Number.NEGATIVE_INFINITY;
        let anyRay = false;
        for (let row = 0; row < h; row++) {
          let f = fB * row + fC;
          let up = -(dB * row + dC);
          for (let c = 0; c < w; c++, f += fA, up -= dA) {
            if (!(f > 0.05)) continue;
            anyRay = true;
            qMax = Math.max(qMax, up * (1 / f));
          }
        }
        if (anyRay) expect(bound, `${w}x${h} pose ${k}`).toBeGreaterThanOrEqual(qMax);
        if (Number.isFinite(bound)) skipping++;
      }
    }
    // The bound is finite (skipping possible) for most attitudes, not only in level flight.
    expect(skipping).toBeGreaterThan(40);
  });

  it('bit-identical events for noisy input with every optional stage (low-pass, leak, shot noise, refractory)', () => {
    const geometry = { widthPx: 48, heightPx: 32 };
    const params = { ...dvsPreset('noisy'), shotNoiseRateHz: 50, leakRateHz: 1, refractoryUs: 300 };
    const dvs = new DvsModel(geometry, params, new Prng(21));
    const ref = new ReferenceDvsModel(geometry, params, new Prng(21));
    const img = new Float32Array(geometry.widthPx * geometry.heightPx);
    const rng = new Prng(22);
    for (let i = 0; i < img.length; i++) img[i] = rng.uniform(-3, 0);
    dvs.reset(img, 0);
    ref.reset(img, 0);
    const a = new EventBuffer();
    const b = new EventBuffer();
    let t = 0;
    for (let k = 0; k < 300; k++) {
      for (let i = 0; i < img.length; i++) img[i] = img[i]! + rng.normal() * 0.15 + (k % 20 < 10 ? 0.02 : -0.02);
      t += 500 + (k % 5) * 211;
      dvs.step(img, t, a);
      ref.step(img, t, b);
    }
    expect(a.length).toBeGreaterThan(1000);
    expectSameEvents(a, b, 'noisy stream');
    expect(dvs.counters).toEqual(ref.counters);
  });
});
