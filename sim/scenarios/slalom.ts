/**
 * `slalom`: a line of poles on the course (every `spacing` metres, default 7 m × the domain's spacing
 * scale), alternately 0.3 m left and right of the centre line so that flying straight hits them and the
 * vehicle has to weave; background trees 8–25 m to the sides.
 */
import { Prng } from '../world/prng.js';
import { ObstacleSet, type ObstacleSpec } from '../world/obstacles.js';
import { World } from '../world/world.js';
import { domainTextures, pole, readParams, scatter, treeLike } from './kit.js';
import type { Scenario, ScenarioOptions } from './scenario.js';

export function buildSlalom(opts: ScenarioOptions): Scenario {
  const raw = readParams(opts.params, { spacing: { value: 7, min: 3, max: 30 } }, 'slalom');
  const domain = opts.domain;
  const prng = new Prng(opts.seed).derive(`slalom/${domain.name}`);
  const { textures, groundIndex } = domainTextures(domain, prng.derive('textures'));
  const layout = prng.derive('layout');
  const spacing = raw.spacing! * domain.spacingScale;
  const gates = 10;
  const specs: ObstacleSpec[] = [];
  for (let i = 0; i < gates; i++) {
    const side = i % 2 === 0 ? 1 : -1;
    specs.push(pole(domain, layout, 8 + i * spacing, side * 0.3, layout.uniform(0.15, 0.3), layout.uniform(4, 8)));
  }
  const end = 8 + gates * spacing;
  const keepOut = [{ northM: 0, eastM: 0, radiusM: 6 }];
  const bg = scatter(layout, 60, -15, end + 20, -25, 25, 3 * domain.spacingScale, keepOut).filter((p) => Math.abs(p.eastM) > 8);
  for (const p of bg) specs.push(treeLike(domain, layout, p.northM, p.eastM));
  return {
    name: 'slalom',
    seed: opts.seed,
    domain,
    world: new World({ obstacles: new ObstacleSet(specs), textures, groundTextureIndex: groundIndex, lighting: domain.lighting }),
    startNorthM: 0,
    startEastM: 0,
    startAltitudeM: 1.5,
    startYawRad: 0,
    goalYawRad: 0,
    courseLengthM: end,
    cruiseSpeedMS: 2,
    params: { spacing },
  };
}
