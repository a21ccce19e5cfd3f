/**
 * Shared pieces for building scenarios: textures of a domain, obstacle factories with randomised
 * surfaces, and point sampling with a minimum spacing.
 */
import type { Prng } from '../world/prng.js';
import { generateTexture } from '../world/textureGenerators.js';
import type { ObstacleSpec, PoleSpec, BoxSpec, WallSpec } from '../world/obstacles.js';
import type { WorldTexture } from '../world/world.js';
import type { DomainPreset } from './domains.js';

/** The domain's obstacle textures (indices 0..n−1) followed by its ground texture (index n). */
export function domainTextures(domain: DomainPreset, prng: Prng): { textures: WorldTexture[]; groundIndex: number } {
  const textures: WorldTexture[] = domain.obstacleTextures.map((spec, i) => ({
    texture: generateTexture(spec, domain.textureSizePx, prng.derive(`obstacle-texture-${i}`)),
    texelM: domain.obstacleTexelM,
  }));
  textures.push({ texture: generateTexture(domain.groundTexture, domain.textureSizePx, prng.derive('ground-texture')), texelM: domain.groundTexelM });
  return { textures, groundIndex: textures.length - 1 };
}

/** Random surface fields for an obstacle (texture choice, offsets, albedo). */
function surface(domain: DomainPreset, prng: Prng): Pick<PoleSpec, 'textureIndex' | 'textureOffsetUM' | 'textureOffsetVM' | 'albedoOffsetLog'> {
  const tile = domain.textureSizePx * domain.obstacleTexelM;
  return {
    textureIndex: prng.int(domain.obstacleTextures.length),
    textureOffsetUM: prng.uniform(0, tile),
    textureOffsetVM: prng.uniform(0, tile),
    albedoOffsetLog: domain.albedoSpreadLog * prng.normal(),
  };
}

export function pole(domain: DomainPreset, prng: Prng, northM: number, eastM: number, radiusM?: number, heightM?: number): PoleSpec {
  return {
    kind: 'pole',
    centerNorthM: northM,
    centerEastM: eastM,
    radiusM: radiusM ?? prng.uniform(domain.poleRadiusM[0], domain.poleRadiusM[1]),
    heightM: heightM ?? prng.uniform(domain.poleHeightM[0], domain.poleHeightM[1]),
    ...surface(domain, prng),
  };
}

export function pillar(domain: DomainPreset, prng: Prng, northM: number, eastM: number): BoxSpec {
  const half = prng.uniform(domain.pillarHalfSizeM[0], domain.pillarHalfSizeM[1]);
  return {
    kind: 'box',
    centerNorthM: northM,
    centerEastM: eastM,
    halfLengthM: half,
    halfWidthM: half * prng.uniform(0.7, 1.3),
    yawRad: prng.uniform(0, Math.PI),
    heightM: prng.uniform(domain.poleHeightM[0], domain.poleHeightM[1]),
    ...surface(domain, prng),
  };
}

/** A tree-like obstacle in the domain's style: a pole, or with `pillarFraction` probability a pillar. */
export function treeLike(domain: DomainPreset, prng: Prng, northM: number, eastM: number): ObstacleSpec {
  return prng.next() < domain.pillarFraction ? pillar(domain, prng, northM, eastM) : pole(domain, prng, northM, eastM);
}

export function wall(
  domain: DomainPreset,
  prng: Prng,
  startNorthM: number,
  startEastM: number,
  endNorthM: number,
  endEastM: number,
  heightM: number,
  thicknessM = 0.2,
): WallSpec {
  return { kind: 'wall', startNorthM, startEastM, endNorthM, endEastM, thicknessM, heightM, ...surface(domain, prng) };
}

export function box(
  domain: DomainPreset,
  prng: Prng,
  northM: number,
  eastM: number,
  halfLengthM: number,
  halfWidthM: number,
  yawRad: number,
  heightM: number,
): BoxSpec {
  return { kind: 'box', centerNorthM: northM, centerEastM: eastM, halfLengthM, halfWidthM, yawRad, heightM, ...surface(domain, prng) };
}

/**
 * Up to `count` points uniform in the rectangle, at least `minSpacingM` apart and outside the keep-out
 * discs (dart throwing with a bounded number of tries, so it always terminates).
 */
export function scatter(
  prng: Prng,
  count: number,
  northMin: number,
  northMax: number,
  eastMin: number,
  eastMax: number,
  minSpacingM: number,
  keepOut: readonly { northM: number; eastM: number; radiusM: number }[] = [],
): { northM: number; eastM: number }[] {
  const pts: { northM: number; eastM: number }[] = [];
  const min2 = minSpacingM * minSpacingM;
  const maxTries = count * 30;
  for (let tries = 0; pts.length < count && tries < maxTries; tries++) {
    const n = prng.uniform(northMin, northMax);
    const e = prng.uniform(eastMin, eastMax);
    if (keepOut.some((k) => (n - k.northM) ** 2 + (e - k.eastM) ** 2 < k.radiusM ** 2)) continue;
    if (pts.some((p) => (n - p.northM) ** 2 + (e - p.eastM) ** 2 < min2)) continue;
    pts.push({ northM: n, eastM: e });
  }
  return pts;
}

/** Reads a numeric scenario parameter with a default and bounds; rejects unknown keys. */
export function readParams(
  given: Readonly<Record<string, number>> | undefined,
  defaults: Readonly<Record<string, { value: number; min: number; max: number }>>,
  scenario: string,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(given ?? {})) {
    if (!(key in defaults)) throw new Error(`scenario '${scenario}' has no parameter '${key}' (known: ${Object.keys(defaults).join(', ') || 'none'})`);
  }
  for (const [key, d] of Object.entries(defaults)) {
    const v = given?.[key] ?? d.value;
    if (!(Number.isFinite(v) && v >= d.min && v <= d.max)) throw new Error(`scenario '${scenario}': ${key} = ${v} outside [${d.min}, ${d.max}]`);
    out[key] = v;
  }
  return out;
}
