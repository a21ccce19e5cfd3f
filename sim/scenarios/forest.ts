/**
 * `forest`: trunks (and, in domain B, pillars) scattered over a 140 m × 50 m stand, the course running
 * north through it. Parameter `density` = obstacles per 100 m² (default 6, i.e. one per ~17 m²,
 * mean spacing ≈ 4 m); minimum spacing 1.6 m × the domain's spacing scale; the start is kept clear.
 */
import { Prng } from '../world/prng.js';
import { ObstacleSet } from '../world/obstacles.js';
import { World } from '../world/world.js';
import { domainTextures, readParams, scatter, treeLike } from './kit.js';
import type { Scenario, ScenarioOptions } from './scenario.js';

export function buildForest(opts: ScenarioOptions): Scenario {
  const params = readParams(opts.params, { density: { value: 6, min: 0, max: 30 } }, 'forest');
  const domain = opts.domain;
  const prng = new Prng(opts.seed).derive(`forest/${domain.name}`);
  const { textures, groundIndex } = domainTextures(domain, prng.derive('textures'));
  const spacing = domain.spacingScale;
  const northMin = -20;
  const northMax = 120;
  const eastHalf = 25;
  const areaM2 = (northMax - northMin) * 2 * eastHalf;
  const count = Math.round(((params.density! / 100) * areaM2) / (spacing * spacing));
  const layout = prng.derive('layout');
  const pts = scatter(layout, count, northMin, northMax, -eastHalf, eastHalf, 1.6 * spacing, [{ northM: 0, eastM: 0, radiusM: 4 }]);
  const specs = pts.map((p) => treeLike(domain, layout, p.northM, p.eastM));
  return {
    name: 'forest',
    seed: opts.seed,
    domain,
    world: new World({ obstacles: new ObstacleSet(specs), textures, groundTextureIndex: groundIndex, lighting: domain.lighting }),
    startNorthM: 0,
    startEastM: 0,
    startAltitudeM: 1.5,
    startYawRad: 0,
    goalYawRad: 0,
    courseLengthM: 110,
    cruiseSpeedMS: 2.5,
    params,
  };
}
