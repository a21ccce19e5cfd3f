/**
 * Domain presets: two visibly different "looks" of the same scenarios, for pretraining in A and
 * adapting in B (the runtime's online learning is judged on the shift from A to B).
 *
 * What differs (A → B):
 * - texture statistics: tall bark-like dead-leaves rectangles and round leaf litter (A) → bricks and
 *   horizontal planks / gravel (B);
 * - contrast: log-albedo spread 0.5 (A) → 0.3 (B);
 * - lighting: high sun, bright sky (A, midday) → low sun, dim ambient, dark sky and closer fog (B, dusk);
 * - obstacle shapes and spacing: round trunks 0.10–0.30 m (A) → thin posts 0.05–0.15 m and square
 *   pillars, 35 % wider spacing (B);
 * - sensor: v2e `clean`, thresholds 0.2/0.2 (A) → v2e `noisy` (shot noise, leak), thresholds ON 0.3 /
 *   OFF 0.25, σ 0.05, photoreceptor bandwidth 300 Hz at full intensity (10–30 Hz in B's dim light) (B).
 */
import type { TextureSpec } from '../world/textureGenerators.js';
import type { Lighting } from '../world/world.js';
import type { DvsParams, DvsPresetName } from '../events/dvsParams.js';

export type DomainName = 'A' | 'B';
export const DOMAIN_NAMES: readonly DomainName[] = ['A', 'B'];

export interface DomainPreset {
  readonly name: DomainName;
  readonly description: string;
  /** Textures for obstacle surfaces (each obstacle picks one) and for the ground. */
  readonly obstacleTextures: readonly TextureSpec[];
  readonly groundTexture: TextureSpec;
  /** Metres per texel for obstacle and ground textures. */
  readonly obstacleTexelM: number;
  readonly groundTexelM: number;
  /** Texture tile size in texels (power of two). */
  readonly textureSizePx: number;
  readonly lighting: Lighting;
  /** Pole radius and height ranges, metres. */
  readonly poleRadiusM: readonly [number, number];
  readonly poleHeightM: readonly [number, number];
  /** Share of "tree" obstacles that are square pillars instead of poles. */
  readonly pillarFraction: number;
  readonly pillarHalfSizeM: readonly [number, number];
  /** Multiplies every scenario's obstacle spacing (1 = as designed). */
  readonly spacingScale: number;
  /** Per-obstacle spread of albedo (log units) around the texture's mean. */
  readonly albedoSpreadLog: number;
  /** Sensor: a DVS preset and overrides applied on top of it. */
  readonly eventPreset: DvsPresetName;
  readonly eventOverrides: Partial<DvsParams>;
}

const LN = Math.log;

export const DOMAIN_A: DomainPreset = {
  name: 'A',
  description: 'summer forest at midday: bark and leaf-litter textures, high contrast, high sun, clean sensor',
  obstacleTextures: [
    { kind: 'deadLeaves', shape: 'rect', minRadiusTx: 1.5, maxRadiusTx: 24, aspectMin: 3, aspectMax: 8, meanLog: LN(0.25), sigmaLog: 0.5, fineSigmaLog: 0.06, count: 2500 },
    { kind: 'deadLeaves', shape: 'rect', minRadiusTx: 2, maxRadiusTx: 32, aspectMin: 2, aspectMax: 5, meanLog: LN(0.3), sigmaLog: 0.45, fineSigmaLog: 0.06, count: 2000 },
    { kind: 'deadLeaves', shape: 'disc', minRadiusTx: 2, maxRadiusTx: 40, aspectMin: 1, aspectMax: 1, meanLog: LN(0.22), sigmaLog: 0.55, fineSigmaLog: 0.06, count: 2500 },
  ],
  groundTexture: { kind: 'deadLeaves', shape: 'disc', minRadiusTx: 1.5, maxRadiusTx: 32, aspectMin: 1, aspectMax: 1, meanLog: LN(0.18), sigmaLog: 0.45, fineSigmaLog: 0.05, count: 4000 },
  obstacleTexelM: 0.025,
  groundTexelM: 0.05,
  textureSizePx: 256,
  lighting: {
    sunAzimuthRad: (140 * Math.PI) / 180,
    sunElevationRad: (55 * Math.PI) / 180,
    ambient: 0.35,
    sunStrength: 0.8,
    skyLog: LN(1.0),
    skyGradientLog: 0.15,
    fogDistanceM: 45,
    fogLog: LN(0.6),
  },
  poleRadiusM: [0.1, 0.3],
  poleHeightM: [6, 14],
  pillarFraction: 0,
  pillarHalfSizeM: [0.15, 0.3],
  spacingScale: 1,
  albedoSpreadLog: 0.25,
  eventPreset: 'clean',
  eventOverrides: {},
};

export const DOMAIN_B: DomainPreset = {
  name: 'B',
  description: 'industrial yard at dusk: bricks and planks, low contrast, low sun and dim light, noisy sensor',
  obstacleTextures: [
    { kind: 'bricks', brickWidthTx: 24, brickHeightTx: 8, mortarTx: 1.5, meanLog: LN(0.3), sigmaLog: 0.25, mortarOffsetLog: -0.5, fineSigmaLog: 0.04 },
    { kind: 'deadLeaves', shape: 'rect', minRadiusTx: 3, maxRadiusTx: 48, aspectMin: 0.15, aspectMax: 0.4, meanLog: LN(0.35), sigmaLog: 0.3, fineSigmaLog: 0.04, count: 1500 },
    { kind: 'bricks', brickWidthTx: 40, brickHeightTx: 20, mortarTx: 2, meanLog: LN(0.4), sigmaLog: 0.2, mortarOffsetLog: -0.35, fineSigmaLog: 0.04 },
  ],
  groundTexture: { kind: 'deadLeaves', shape: 'rect', minRadiusTx: 1, maxRadiusTx: 12, aspectMin: 0.7, aspectMax: 1.4, meanLog: LN(0.25), sigmaLog: 0.25, fineSigmaLog: 0.04, count: 6000 },
  obstacleTexelM: 0.03,
  groundTexelM: 0.06,
  textureSizePx: 256,
  lighting: {
    sunAzimuthRad: (260 * Math.PI) / 180,
    sunElevationRad: (10 * Math.PI) / 180,
    ambient: 0.08,
    sunStrength: 0.25,
    skyLog: LN(0.3),
    skyGradientLog: -0.2,
    fogDistanceM: 25,
    fogLog: LN(0.12),
  },
  poleRadiusM: [0.05, 0.15],
  poleHeightM: [3, 8],
  pillarFraction: 0.5,
  pillarHalfSizeM: [0.15, 0.45],
  spacingScale: 1.35,
  albedoSpreadLog: 0.15,
  eventPreset: 'noisy',
  // cutoffHz: v2e's default 300 Hz rather than `noisy`'s 30 Hz. The model scales the cutoff by absolute
  // intensity, and B's dusk light is already dim (3–10 % of full scale), so 30 Hz gave 1–3 Hz pixels
  // (events lagging the scene by 50–150 ms): ten times slower than v2e's `noisy` preset, which scales by a
  // frame's normalised luma, would make them for the same scene. 300 Hz gives 10–30 Hz at dusk.
  eventOverrides: { onThreshold: 0.3, offThreshold: 0.25, thresholdSigma: 0.05, cutoffHz: 300 },
};

export function domainPreset(name: string): DomainPreset {
  if (name === 'A' || name === 'a') return DOMAIN_A;
  if (name === 'B' || name === 'b') return DOMAIN_B;
  throw new Error(`unknown domain '${name}' (known: ${DOMAIN_NAMES.join(', ')})`);
}
