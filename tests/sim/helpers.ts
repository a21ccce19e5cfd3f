/** Small worlds and cameras for the simulator tests. */
import { PinholeCamera } from '../../sim/camera/pinhole.js';
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
