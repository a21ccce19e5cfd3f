/**
 * A simulated world: a textured ground plane (altitude 0), vertical obstacles, a sky, sunlight and
 * distance fog. Immutable once built; built deterministically from a seed by a scenario.
 *
 * Radiometry is kept simple and in the log domain (what the event model needs):
 *   log I = log albedo (texture + per-obstacle offset) + log illumination (ambient + sun·cos),
 * then blended towards a fog level with distance (atmospheric perspective, which also hides the
 * popping of far obstacles entering the render range). Intensities are relative: 0 log ≈ white paper
 * in full sun.
 */
import { TextureAtlas, type MipTexture } from './texture.js';
import type { ObstacleSet } from './obstacles.js';

/** Light and atmosphere. Angles in radians; intensities relative (linear units, 1 = full sun on white). */
export interface Lighting {
  /** Azimuth of the sun, from north towards east (NED heading convention). */
  readonly sunAzimuthRad: number;
  /** Elevation of the sun above the horizon. */
  readonly sunElevationRad: number;
  /** Diffuse sky light reaching every surface. */
  readonly ambient: number;
  /** Direct sunlight on a surface facing the sun. */
  readonly sunStrength: number;
  /** Log intensity of the sky at the horizon, and its change per unit of tan(elevation). */
  readonly skyLog: number;
  readonly skyGradientLog: number;
  /** Fog: contrast falls as exp(−distance / fogDistanceM) towards `fogLog`. */
  readonly fogDistanceM: number;
  readonly fogLog: number;
}

/** One texture with its scale in the world. */
export interface WorldTexture {
  readonly texture: MipTexture;
  /** Metres per level-0 texel. */
  readonly texelM: number;
}

export interface WorldSpec {
  readonly obstacles: ObstacleSet;
  readonly textures: readonly WorldTexture[];
  /** Index into `textures` of the ground's texture. */
  readonly groundTextureIndex: number;
  readonly lighting: Lighting;
}

export class World {
  readonly obstacles: ObstacleSet;
  readonly textures: readonly WorldTexture[];
  readonly groundTextureIndex: number;
  readonly lighting: Lighting;
  /** Every texture in one array (same order as `textures`), for the renderer's shading loop. */
  readonly atlas: TextureAtlas;
  /** Log illumination of the (horizontal) ground. */
  readonly groundShadeLog: number;
  /**
   * Horizontal unit vector towards the sun and the sun's horizontal strength (for vertical faces):
   * [north, east, strength], read by `verticalShadeLog` and by the renderer's caster (which inlines it:
   * a call that V8 does not inline boxes its double arguments and result).
   */
  readonly sunHorizontal = new Float64Array(3);

  constructor(spec: WorldSpec) {
    this.obstacles = spec.obstacles;
    this.textures = spec.textures;
    this.groundTextureIndex = spec.groundTextureIndex;
    this.lighting = spec.lighting;
    this.atlas = new TextureAtlas(spec.textures.map((t) => t.texture));
    const l = spec.lighting;
    this.groundShadeLog = Math.log(l.ambient + l.sunStrength * Math.max(0, Math.sin(l.sunElevationRad)));
    this.sunHorizontal[0] = Math.cos(l.sunAzimuthRad);
    this.sunHorizontal[1] = Math.sin(l.sunAzimuthRad);
    this.sunHorizontal[2] = l.sunStrength * Math.max(0, Math.cos(l.sunElevationRad));
    for (let i = 0; i < spec.obstacles.count; i++) {
      const t = spec.obstacles.textureIndex[i]!;
      if (t < 0 || t >= spec.textures.length) throw new Error(`obstacle ${i} uses texture ${t}, world has ${spec.textures.length}`);
    }
  }

  /** Log illumination of a vertical surface with outward horizontal unit normal (north, east). */
  verticalShadeLog(normalNorth: number, normalEast: number): number {
    const sun = this.sunHorizontal;
    const cosSun = normalNorth * sun[0]! + normalEast * sun[1]!;
    return Math.log(this.lighting.ambient + sun[2]! * Math.max(0, cosSun));
  }

  /**
   * Smallest signed distance (metres) from a point (north, east, altitude) to any obstacle, and the
   * index of that obstacle (−1 when the world has none). The ground is not included.
   */
  nearestObstacle(northM: number, eastM: number, altitudeM: number, out: { distanceM: number; index: number }): void {
    let best = Number.POSITIVE_INFINITY;
    let bestI = -1;
    const obs = this.obstacles;
    for (let i = 0; i < obs.count; i++) {
      // Cheap bound first: the footprint's bounding circle.
      const dn = northM - obs.centerNorthM[i]!;
      const de = eastM - obs.centerEastM[i]!;
      const lower = Math.sqrt(dn * dn + de * de) - obs.boundRadiusM[i]!;
      if (lower >= best) continue;
      const d = obs.signedDistance(i, northM, eastM, altitudeM);
      if (d < best) {
        best = d;
        bestI = i;
      }
    }
    out.distanceM = best;
    out.index = bestI;
  }
}
