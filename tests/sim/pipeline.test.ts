import { describe, expect, it } from 'vitest';
import { EventBuffer } from '../../src/formats/evt/eventBuffer.js';
import { levelCameraRotation } from '../../sim/camera/pinhole.js';
import { Renderer } from '../../sim/camera/renderer.js';
import { DvsModel } from '../../sim/events/dvsModel.js';
import { DVS_CLEAN } from '../../sim/events/dvsParams.js';
import { Simulation } from '../../sim/runner/simulation.js';
import { buildScenario, DOMAIN_A } from '../../sim/scenarios/index.js';
import { Prng } from '../../sim/world/prng.js';
import { camera, SURFACE, uniformWorld } from './helpers.js';

describe('camera + event model', () => {
  it('a wall edge swept across the view gives floor(Δlog I / C) OFF events per pixel it darkens', () => {
    // Sky at log 0, wall at log 0.5: Δ = 0.693, so 3 events per pixel with ideal 0.2 thresholds.
    const world = uniformWorld([
      { kind: 'wall', startNorthM: 10, startEastM: 0, endNorthM: 10, endEastM: 2000, thicknessM: 0.2, heightM: 500, ...SURFACE },
    ]);
    const cam = camera(64, 48);
    const r = new Renderer(cam);
    const dvs = new DvsModel({ widthPx: 64, heightPx: 48 }, { ...DVS_CLEAN, thresholdSigma: 0, refractoryUs: 0 }, new Prng(1));
    const out = new EventBuffer();
    const R = levelCameraRotation(-1.2);
    const pose = { northM: 0, eastM: 0, altitudeM: 1, worldFromCamera: R };
    r.render(world, pose);
    dvs.reset(r.logI, 0);
    // Yaw right at 0.5 rad/s for 4 s (view from bearings [−2.0, −0.4] to [0.01, 1.59] rad), sampled at
    // 1 kHz: the wall's western edge (bearing 0) sweeps the whole image.
    for (let k = 1; k <= 4000; k++) {
      levelCameraRotation(-1.2 + 0.5 * k * 1e-3, R);
      r.render(world, pose);
      dvs.step(r.logI, k * 1000, out);
    }
    const off = new Int32Array(64 * 48);
    const on = new Int32Array(64 * 48);
    for (let k = 0; k < out.length; k++) (out.p[k] ? on : off)[out.y[k]! * 64 + out.x[k]!]!++;
    // Rows well above the horizon saw sky, then wall: every pixel there got exactly 3 OFF events and no
    // ON event. (Below the horizon the darker ground gives way to the wall: ON events there.)
    for (let row = 0; row < 15; row++) {
      // (The last columns end up looking along the wall, past its end or over its top a km away.)
      for (let c = 0; c < 60; c++) {
        expect(off[row * 64 + c]).toBe(3);
        expect(on[row * 64 + c]).toBe(0);
      }
    }
    expect(on.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('a hovering vehicle in a static world produces no events without noise', () => {
    const scenario = buildScenario('forest', { seed: 1, domain: DOMAIN_A });
    const sim = new Simulation({ scenario, eventPreset: 'clean' });
    const out = new EventBuffer();
    for (let k = 1; k <= 50; k++) {
      sim.vehicle.setVelocitySetpoint({ x: 0, y: 0, z: 0 }, 0);
      sim.advanceTo(k * 10_000, out);
    }
    expect(out.length).toBe(0);
    // …and does once it moves.
    for (let k = 51; k <= 60; k++) {
      sim.vehicle.setVelocitySetpoint({ x: 2, y: 0, z: 0 }, 0.5);
      sim.advanceTo(k * 10_000, out);
    }
    expect(out.length).toBeGreaterThan(1000);
  });

  it('samples at 1 kHz or more while the image moves fast, and slower when it does not', () => {
    const scenario = buildScenario('slalom', { seed: 2, domain: DOMAIN_A });
    const sim = new Simulation({ scenario });
    const out = new EventBuffer();
    sim.advanceTo(200_000, out);
    const still = sim.stats.samples;
    expect(still).toBeLessThan(200 * 0.5);
    for (let k = 1; k <= 50; k++) {
      sim.vehicle.setVelocitySetpoint({ x: 2.5, y: 0, z: 0 }, 0.8);
      sim.advanceTo(200_000 + k * 10_000, out);
    }
    const moving = sim.stats.samples - still;
    expect(moving).toBeGreaterThanOrEqual(480);
  });
});
