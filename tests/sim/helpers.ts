/** Small worlds and cameras for the simulator tests. */
import { expect } from 'vitest';
import { PinholeCamera } from '../../sim/camera/pinhole.js';
import { buildScenario, type DomainPreset } from '../../sim/scenarios/index.js';
import { mat3, rotationFromEulerZyx } from '../../sim/world/frames.js';
import type { Prng } from '../../sim/world/prng.js';
import { ObstacleSet, type ObstacleSpec } from '../../sim/world/obstacles.js';
import { MipTexture } from '../../sim/world/texture.js';
import { World, type Lighting } from '../../sim/world/world.js';

export const FLAT_LIGHT: Lighting = {
  sunAzimuthRad: 0,
  sunElevationRad: Math.PI / 2,
  ambient: 1,
  sunStrength: 0,
  skyLog: 0,
  skyGradientLog: 0,
  fogDistanceM: 1e9,
  fogLog: 0,
};

/** A texture of one constant log albedo (no edges at all). */
export function constantTexture(logAlbedo: number, size = 16): MipTexture {
  return new MipTexture(new Float32Array(size * size).fill(logAlbedo), size);
}

/** A world whose ground (texture 1) and obstacles (texture 0) are uniform grey, flat-lit, without fog. */
export function uniformWorld(obstacles: ObstacleSpec[], obstacleLog = Math.log(0.5), groundLog = Math.log(0.2)): World {
  return new World({
    obstacles: new ObstacleSet(obstacles),
    textures: [
      { texture: constantTexture(obstacleLog), texelM: 0.01 },
      { texture: constantTexture(groundLog), texelM: 0.01 },
    ],
    groundTextureIndex: 1,
    lighting: FLAT_LIGHT,
  });
}

export const SURFACE = { textureIndex: 0, textureOffsetUM: 0, textureOffsetVM: 0, albedoOffsetLog: 0 } as const;

export function camera(widthPx = 160, heightPx = 120, mountPitchRad = 0): PinholeCamera {
  return new PinholeCamera({ geometry: { widthPx, heightPx }, horizontalFovRad: Math.PI / 2, mountPitchRad });
}

/**
 * Camera poses that reach the renderer's rare paths: straight down, straight up over every obstacle, strong
 * roll, looking up past short obstacles to the layers behind (plus `extra` attitudes), then 12 random
 * attitudes; each at 0.4, 1.5 and 6 m above the ground, at random places of the scenario's first 60 m.
 * Attitudes are [roll, pitch, yaw], rad. The pose object is reused: render it before taking the next.
 */
export function* rarePoses(cam: PinholeCamera, rng: Prng, extra: ReadonlyArray<readonly [number, number, number]> = []) {
  const R = mat3();
  const attitudes: Array<readonly [number, number, number]> = [
    [0, 0, 0.3],
    [0, -1.45, 1.0], // straight down
    [0, 1.4, -0.5], // straight up, over every obstacle
    [0.9, 0.2, 2.0], // strong roll
    [-0.5, 0.6, -2.5], // looking up: rays pass over short obstacles to the layers behind
    ...extra,
  ];
  for (let k = 0; k < 12; k++) attitudes.push([rng.uniform(-0.7, 0.7), rng.uniform(-0.8, 0.8), rng.uniform(-Math.PI, Math.PI)]);
  for (const [roll, pitch, yaw] of attitudes) {
    for (const altitude of [0.4, 1.5, 6]) {
      const pose = cam.poseFromBody(rng.uniform(2, 60), rng.uniform(-8, 8), -altitude, rotationFromEulerZyx(roll, pitch, yaw, R), mat3());
      yield { pose, label: `${cam.widthPx}x${cam.heightPx} roll ${roll} pitch ${pitch} yaw ${yaw} alt ${altitude}` };
    }
  }
}

/** Camera geometries of the rare-path tests: width, height (px) and mount pitch (rad). */
export const RARE_GEOMETRIES: ReadonlyArray<readonly [number, number, number]> = [
  [160, 120, 0],
  [64, 48, 0.3],
  [320, 240, -0.2],
];

/** Every (world, camera) pair of the given scenarios (seed 5) and camera geometries (90° FOV). */
export function rareCases(
  scenarios: ReadonlyArray<readonly [string, DomainPreset]>,
  geometries: ReadonlyArray<readonly [number, number, number]> = RARE_GEOMETRIES,
): { world: World; cam: PinholeCamera }[] {
  const cases: { world: World; cam: PinholeCamera }[] = [];
  for (const [scenarioName, domain] of scenarios) {
    const world = buildScenario(scenarioName, { seed: 5, domain }).world;
    for (const [w, h, mount] of geometries) cases.push({ world, cam: camera(w, h, mount) });
  }
  return cases;
}

/** Number of entries whose bits differ (NaN = NaN, +0 ≠ −0). */
export function bitDifferences(a: Float32Array, b: Float32Array): number {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let n = 0;
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) n++;
  return n;
}

/** What a rendered frame is compared by: log intensity, depth (bit for bit) and the minimum depth. */
export interface RenderedFrame {
  readonly logI: Float32Array;
  readonly depthM: Float32Array;
  readonly minDepthM: number;
}

/** Asserts two renderers' last frames are bit-identical (−0 and +0 differ, NaN equals NaN). */
export function expectSameFrame(a: RenderedFrame, b: RenderedFrame, what: string): void {
  expect(bitDifferences(a.logI, b.logI), `${what}: log intensity`).toBe(0);
  expect(bitDifferences(a.depthM, b.depthM), `${what}: depth`).toBe(0);
  expect(Object.is(a.minDepthM, b.minDepthM), `${what}: min depth ${a.minDepthM} vs ${b.minDepthM}`).toBe(true);
}
