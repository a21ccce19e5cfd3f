/**
 * `corridor`: two parallel walls running north, `width` metres apart (default drawn in 2.6–4 m), 3.5 m
 * high (the sky shows above), with pillars jutting out of the walls at random intervals so the vehicle
 * must weave. Parameter `width` (metres) overrides the random width.
 */
import { Prng } from '../world/prng.js';
import { ObstacleSet, type ObstacleSpec } from '../world/obstacles.js';
import { World } from '../world/world.js';
import { box, domainTextures, readParams, wall } from './kit.js';
import type { Scenario, ScenarioOptions } from './scenario.js';

export function buildCorridor(opts: ScenarioOptions): Scenario {
  const raw = readParams(opts.params, { width: { value: 0, min: 0, max: 20 } }, 'corridor');
  const domain = opts.domain;
  const prng = new Prng(opts.seed).derive(`corridor/${domain.name}`);
  const { textures, groundIndex } = domainTextures(domain, prng.derive('textures'));
  const layout = prng.derive('layout');
  const width = raw.width! > 0 ? raw.width! : layout.uniform(2.6, 4) * Math.min(domain.spacingScale, 1.2);
  const half = width / 2;
  const length = 90;
  const height = 3.5;
  const specs: ObstacleSpec[] = [
    wall(domain, layout, -10, -half - 0.1, length, -half - 0.1, height),
    wall(domain, layout, -10, half + 0.1, length, half + 0.1, height),
    // Closed behind the start, so looking back is not into the void.
    wall(domain, layout, -10, -half - 0.1, -10, half + 0.1, height),
  ];
  // Pillars jutting 0.3–0.6 m out of alternating walls, 6–12 m apart.
  for (let n = 8; n < length - 5; n += layout.uniform(6, 12) * domain.spacingScale) {
    const side = layout.next() < 0.5 ? -1 : 1;
    const depth = layout.uniform(0.3, Math.min(0.6, width / 4));
    specs.push(box(domain, layout, n, side * (half - depth / 2), layout.uniform(0.2, 0.5), depth / 2, 0, height));
  }
  return {
    name: 'corridor',
    seed: opts.seed,
    domain,
    world: new World({ obstacles: new ObstacleSet(specs), textures, groundTextureIndex: groundIndex, lighting: domain.lighting }),
    startNorthM: 0,
    startEastM: 0,
    startAltitudeM: 1.5,
    startYawRad: 0,
    goalYawRad: 0,
    courseLengthM: length - 10,
    cruiseSpeedMS: 2,
    params: { width },
  };
}
