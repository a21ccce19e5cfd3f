import { describe, expect, it } from 'vitest';
import { Renderer } from '../../sim/camera/renderer.js';
import { levelCameraRotation } from '../../sim/camera/pinhole.js';
import { mat3, rotationFromEulerZyx } from '../../sim/world/frames.js';
import { buildScenario, DOMAIN_A } from '../../sim/scenarios/index.js';
import { camera, SURFACE, uniformWorld } from './helpers.js';

describe('Renderer', () => {
  it('sees a wall facing the camera at one depth (camera z) everywhere it covers', () => {
    const world = uniformWorld([
      { kind: 'wall', startNorthM: 10, startEastM: -50, endNorthM: 10, endEastM: 50, thicknessM: 0.2, heightM: 100, ...SURFACE },
    ]);
    const cam = camera();
    const r = new Renderer(cam);
    r.render(world, { northM: 0, eastM: 0, altitudeM: 1.5, worldFromCamera: levelCameraRotation(0) });
    // The wall's near face is at 9.9 m; every pixel above the horizon row sees it.
    for (let row = 0; row < 55; row++) {
      for (const col of [0, 40, 80, 159]) expect(r.depthM[row * 160 + col]).toBeCloseTo(9.9, 3);
    }
    expect(r.logI[10 * 160 + 80]).toBeCloseTo(Math.log(0.5), 5);
  });

  it('puts the ground at depth h·fy / (row − cy) for a level camera', () => {
    const world = uniformWorld([]);
    const cam = camera();
    const r = new Renderer(cam);
    const h = 1.5;
    r.render(world, { northM: 3, eastM: -2, altitudeM: h, worldFromCamera: levelCameraRotation(0.7) });
    for (const row of [70, 90, 119]) {
      const expected = (h * cam.fyPx) / (row - cam.cyPx);
      expect(r.depthM[row * 160 + 33]).toBeCloseTo(expected, 4);
      expect(r.logI[row * 160 + 33]).toBeCloseTo(Math.log(0.2), 5);
    }
    expect(r.depthM[10 * 160]).toBe(Number.POSITIVE_INFINITY);
    expect(r.minDepthM).toBeCloseTo((h * cam.fyPx) / (119 - cam.cyPx), 4);
  });

  it('draws a pole in the column its centre projects to, and not above its top', () => {
    const world = uniformWorld([{ kind: 'pole', centerNorthM: 10, centerEastM: 2, radiusM: 0.3, heightM: 2, ...SURFACE }]);
    const cam = camera();
    const r = new Renderer(cam);
    r.render(world, { northM: 0, eastM: 0, altitudeM: 1, worldFromCamera: levelCameraRotation(0) });
    const col = Math.round(cam.cxPx + (cam.fxPx * 2) / 10);
    const horizon = Math.round(cam.cyPx);
    const d = r.depthM[horizon * 160 + col]!;
    expect(d).toBeGreaterThan(9.6);
    expect(d).toBeLessThan(10);
    // Top at 2 m: 1 m above the camera at ~9.7 m → about fy/9.7 rows above the horizon.
    const topRow = Math.floor(cam.cyPx - cam.fyPx / 9.8) - 2;
    expect(r.depthM[topRow * 160 + col]).toBe(Number.POSITIVE_INFINITY);
    // Beside the pole the ray goes on to the ground far away.
    expect(r.depthM[horizon * 160 + col + 15]).toBeGreaterThan(100);
  });

  it('moves the horizon by fy·tan(pitch) when the mount tilts the camera up', () => {
    const world = uniformWorld([]);
    const pitch = 0.2;
    const cam = camera(160, 120, pitch);
    const r = new Renderer(cam);
    const m = mat3();
    r.render(world, cam.poseFromBody(0, 0, -2, rotationFromEulerZyx(0, 0, 0, mat3()), m));
    const horizonRow = cam.cyPx + cam.fyPx * Math.tan(pitch);
    const above = Math.floor(horizonRow) - 1;
    const below = Math.ceil(horizonRow) + 1;
    expect(r.depthM[above * 160 + 80]).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isFinite(r.depthM[below * 160 + 80]!)).toBe(true);
  });

  it('renders bit-identical frames for identical poses, and works at 320×240 and 640×480', () => {
    const s = buildScenario('forest', { seed: 2, domain: DOMAIN_A });
    for (const [w, h] of [
      [160, 120],
      [320, 240],
      [640, 480],
    ] as const) {
      const cam = camera(w, h);
      const r1 = new Renderer(cam);
      const r2 = new Renderer(cam);
      const R = rotationFromEulerZyx(0.1, -0.15, 0.3, mat3());
      const pose = cam.poseFromBody(1, 0.5, -1.5, R, mat3());
      r1.render(s.world, pose);
      r2.render(s.world, pose);
      expect(r1.logI).toEqual(r2.logI);
      expect(r1.depthM).toEqual(r2.depthM);
      const finite = r1.logI.every((v) => Number.isFinite(v));
      expect(finite).toBe(true);
    }
  });
});
