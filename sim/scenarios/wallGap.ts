/**
 * `wall-gap`: a 6 m high wall across the course at 15–22 m, with one gap of `gap` metres (default drawn
 * in 1.6–3 m) at a random lateral offset within ±4 m; sparse trees on both sides of the wall give the
 * camera texture before and after the gap. Parameter `gap` (metres) overrides the random width.
 */
import { Prng } from '../world/prng.js';
import { ObstacleSet, type ObstacleSpec } from '../world/obstacles.js';
import { World } from '../world/world.js';
import { domainTextures, readParams, scatter, treeLike, wall } from './kit.js';
import type { Scenario, ScenarioOptions } from './scenario.js';

export function buildWallGap(opts: ScenarioOptions): Scenario {
  const raw = readParams(opts.params, { gap: { value: 0, min: 0, max: 20 } }, 'wall-gap');
  const domain = opts.domain;
  const prng = new Prng(opts.seed).derive(`wall-gap/${domain.name}`);
  const { textures, groundIndex } = domainTextures(domain, prng.derive('textures'));
  const layout = prng.derive('layout');
  const gap = raw.gap! > 0 ? raw.gap! : layout.uniform(1.6, 3);
  const wallNorth = layout.uniform(15, 22);
  const gapCentre = layout.uniform(-4, 4);
  const height = 6;
  const specs: ObstacleSpec[] = [
    wall(domain, layout, wallNorth, -40, wallNorth, gapCentre - gap / 2, height, 0.3),
    wall(domain, layout, wallNorth, gapCentre + gap / 2, wallNorth, 40, height, 0.3),
  ];
  const spacing = 3 * domain.spacingScale;
  const keepOut = [
    { northM: 0, eastM: 0, radiusM: 5 },
    { northM: wallNorth, eastM: gapCentre, radiusM: 6 },
  ];
  const before = scatter(layout, 25, -15, wallNorth - 3, -20, 20, spacing, keepOut).filter((p) => Math.abs(p.eastM) > 6);
  const after = scatter(layout, 40, wallNorth + 3, wallNorth + 60, -20, 20, spacing, keepOut);
  for (const p of [...before, ...after]) specs.push(treeLike(domain, layout, p.northM, p.eastM));
  return {
    name: 'wall-gap',
    seed: opts.seed,
    domain,
    world: new World({ obstacles: new ObstacleSet(specs), textures, groundTextureIndex: groundIndex, lighting: domain.lighting }),
    startNorthM: 0,
    startEastM: 0,
    startAltitudeM: 1.5,
    startYawRad: 0,
    goalYawRad: 0,
    courseLengthM: wallNorth + 20,
    cruiseSpeedMS: 2,
    params: { gap, wallNorthM: wallNorth, gapCentreEastM: gapCentre },
  };
}
