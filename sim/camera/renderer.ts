/**
 * Renders log intensity and depth for a pinhole camera in a `World`.
 *
 * Per frame:
 * 1. one per-column cast against the vertical obstacles (ColumnCaster), then a per-slot preparation of
 *    everything a hit's shading needs that does not depend on the pixel's row (mip levels and blend
 *    weight, texel columns and horizontal weights: a vertical surface's u is fixed per column);
 * 2. one pass over the pixels: each pixel's ray is an affine function of its column and row, so the
 *    pass only adds increments; per pixel it finds what the ray sees (strip lookup: the first layer
 *    hit below the obstacle's top and before the ground, else the ground, else the sky), writes depth,
 *    and shades it at once: trilinear mip-mapped texture sample, lighting and fog.
 *    The pass writes no intermediate per-pixel arrays, and the hot loop reads only locals and typed
 *    arrays (imported bindings and module constants used inside are copied to locals first: V8
 *    re-checks those on every use).
 * The arithmetic is the same, term by term and with the same float32 roundings, as that of the former
 * two-pass renderer (geometry into per-pixel arrays, then shading), so frames are bit-identical to it.
 *
 * No allocation per frame: outputs live in preallocated typed arrays owned by the renderer and are
 * overwritten by the next `render`.
 *
 * Outputs:
 * - `logI[r·W + c]`: natural-log intensity (relative units, see World).
 * - `depthM[r·W + c]`: depth along the optical axis (camera-frame z), metres; +∞ for sky.
 * - `minDepthM`: the smallest finite depth of the frame (drives adaptive sampling).
 */
import type { World } from '../world/world.js';
import { COORD_OFFSET } from '../world/texture.js';
import { ColumnCaster } from './columnCaster.js';
import type { CameraPose, PinholeCamera } from './pinhole.js';

export interface RendererOptions {
  /** Strip columns per image pixel at the image centre (≥ 1; 2 keeps edges sub-pixel accurate). */
  readonly oversample: number;
  /** Hits kept per strip column (see ColumnCaster). */
  readonly layers: number;
  /** Obstacles beyond this horizontal range are not drawn (fog has hidden them), metres. */
  readonly maxRangeM: number;
  /** false: compute depth only (ground truth at network geometry), skipping textures. */
  readonly shade: boolean;
}

export const DEFAULT_RENDERER_OPTIONS: RendererOptions = { oversample: 2, layers: 3, maxRangeM: 80, shade: true };

/** Rays whose forward (heading-axis) component is below this are treated as looking straight down/up. */
const MIN_FORWARD = 0.05;
/** Strip tangents are clipped to ±this (80°): wider rays are near-vertical and see ground or sky. */
const MAX_TAN = 5.7;
const FOG_LUT_STEP_M = 0.05;
/** Frame parameters (`fp`). */
const P_FA = 0;
const P_FB = 1;
const P_FC = 2;
const P_SA = 3;
const P_SB = 4;
const P_SC = 5;
const P_NA = 6;
const P_NB = 7;
const P_NC = 8;
const P_EA = 9;
const P_EB = 10;
const P_EC = 11;
const P_DA = 12;
const P_DB = 13;
const P_DC = 14;
const P_ALT = 15;
const P_CAMN = 16;
const P_CAME = 17;
const P_COLUMNS = 18;
/**
 * Per-slot shading record: SLOT_STRIDE entries of `slots.f64` and of `slots.i32` (the same index, two
 * typed arrays). i32: mode, then per level (4 entries each, level 1 at +4): texel columns (atlas
 * offsets of the level plus x0, x1), mask, size. f64: per level (2 each, level 1 at +2): fx, scale;
 * then frac, add, fog, invTexel, vOff, the constant result.
 */
const SLOT_STRIDE = 16;
const S_MODE = 8;
const S_COL0 = 0;
const S_COL1 = 1;
const S_MASK = 2;
const S_SIZE = 3;
const S_FX = 0;
const S_SCALE = 1;
const S_FRAC = 4;
const S_ADD = 5;
const S_FOG = 6;
const S_INV_TEXEL = 7;
const S_V_OFF = 8;
const S_CONST = 9;
const MODE_ONE_LEVEL = 0;
const MODE_TWO_LEVELS = 1;
const MODE_CONSTANT = 2;
/** 2^−e, for the inlined fast log2 of the ground's mip level. */
const INV_POW2 = Float64Array.from({ length: 32 }, (_, e) => 2 ** -e);

export class Renderer {
  readonly camera: PinholeCamera;
  readonly options: RendererOptions;
  readonly logI: Float32Array;
  readonly depthM: Float32Array;
  minDepthM = Number.POSITIVE_INFINITY;
  private readonly caster: ColumnCaster;
  /** |d| of each pixel's camera-frame ray (x, y, 1): range = depth · |d|. */
  private readonly rayLen: Float32Array;
  /** (column, row) pairs of the image border, where the strip's extreme tangents lie. */
  private readonly borderPx: Int32Array;
  /** Frame parameters shared by the passes (see P_*). */
  private readonly fp = new Float64Array(19);
  /** Atlas offsets of the ground texture's levels (per frame: the world may change). */
  private readonly groundLevelOffset = new Int32Array(32);
  /** Per strip slot: what its pixels' shading needs (see SLOT_STRIDE). */
  private readonly slots: { readonly i32: Int32Array; readonly f64: Float64Array };
  private fogLut = new Float32Array(0);
  private fogLutWorld: World | undefined;

  constructor(camera: PinholeCamera, options: Partial<RendererOptions> = {}) {
    this.camera = camera;
    this.options = { ...DEFAULT_RENDERER_OPTIONS, ...options };
    const W = camera.widthPx;
    const H = camera.heightPx;
    const n = W * H;
    this.logI = new Float32Array(n);
    this.depthM = new Float32Array(n);
    this.rayLen = new Float32Array(n);
    for (let r = 0; r < H; r++) {
      const yn = (r - camera.cyPx) / camera.fyPx;
      for (let c = 0; c < W; c++) {
        const xn = (c - camera.cxPx) / camera.fxPx;
        this.rayLen[r * W + c] = Math.sqrt(xn * xn + yn * yn + 1);
      }
    }
    const border: number[] = [];
    for (let c = 0; c < W; c++) border.push(c, 0, c, H - 1);
    for (let r = 1; r < H - 1; r++) border.push(0, r, W - 1, r);
    this.borderPx = Int32Array.from(border);
    // Enough strip columns for the widest strip a tilted camera can need.
    this.caster = new ColumnCaster(Math.ceil(2 * MAX_TAN * camera.fxPx * this.options.oversample) + 2, this.options.layers);
    const slotCount = this.caster.maxColumns * this.options.layers;
    this.slots = { i32: new Int32Array(slotCount * SLOT_STRIDE), f64: new Float64Array(slotCount * SLOT_STRIDE) };
  }

  render(world: World, pose: CameraPose): void {
    this.setupFrame(world, pose);
    if (this.options.shade) {
      this.prepareSlots(world);
      this.shadedPass(world);
    } else this.depthPass();
  }

  /**
   * Per frame: the affine ray coefficients, the strip and its cast, and the visibility bounds; stored in
   * `fp` for the pixel passes (a typed array: number fields that change representation deoptimise).
   */
  private setupFrame(world: World, pose: CameraPose): void {
    const cam = this.camera;
    const R = pose.worldFromCamera;
    const fx = cam.fxPx;
    const fy = cam.fyPx;
    const cx = cam.cxPx;
    const cy = cam.cyPx;
    const alt = Math.max(pose.altitudeM, 1e-3);

    // Heading of the strip: the optical axis projected on the ground (fallback: camera x rotated).
    let hN = R[2]!;
    let hE = R[5]!;
    let hl = Math.hypot(hN, hE);
    if (hl < 1e-6) {
      hN = -R[3]!;
      hE = R[0]!;
      hl = Math.hypot(hN, hE);
    }
    const cosH = hN / hl;
    const sinH = hE / hl;

    // World ray direction d = R·(xn, yn, 1), affine in (c, r): d = A·c + B·r + C per component.
    const nA = R[0]! / fx;
    const nB = R[1]! / fy;
    const nC = R[2]! - R[0]! * (cx / fx) - R[1]! * (cy / fy);
    const eA = R[3]! / fx;
    const eB = R[4]! / fy;
    const eC = R[5]! - R[3]! * (cx / fx) - R[4]! * (cy / fy);
    const dA = R[6]! / fx;
    const dB = R[7]! / fy;
    const dC = R[8]! - R[6]! * (cx / fx) - R[7]! * (cy / fy);
    // Heading-frame components: forward f, side s (up is −d).
    const fA = cosH * nA + sinH * eA;
    const fB = cosH * nB + sinH * eB;
    const fC = cosH * nC + sinH * eC;
    const sA = -sinH * nA + cosH * eA;
    const sB = -sinH * nB + cosH * eB;
    const sC = -sinH * nC + cosH * eC;

    // Strip extent: the extreme tangents lie on the image border (a = s/f is projective in c, r).
    let aMin = Number.POSITIVE_INFINITY;
    let aMax = Number.NEGATIVE_INFINITY;
    const border = this.borderPx;
    for (let b = 0; b < border.length; b += 2) {
      const c = border[b]!;
      const r = border[b + 1]!;
      const f = fA * c + fB * r + fC;
      if (f <= MIN_FORWARD) continue;
      const a = (sA * c + sB * r + sC) / f;
      if (a < aMin) aMin = a;
      if (a > aMax) aMax = a;
    }
    const opts = this.options;
    const caster = this.caster;
    let columns = 0;
    if (aMax >= aMin) {
      // A fixed grid of column tangents about the heading, so that a column's ray does not move when
      // the strip's extent changes by rounding noise: a moving grid flips pixels at obstacle edges back
      // and forth (spurious events). Column centres sit at multiples of da, where the pixel centres of
      // a level camera fall (a = (c − cx)/fx), keeping those pixels off the column boundaries.
      const da = 1 / (fx * opts.oversample);
      const margin = 1 / fx;
      aMin = (Math.floor(Math.max(aMin - margin, -MAX_TAN) / da - 0.5) + 0.5) * da;
      aMax = Math.min(aMax + margin, MAX_TAN);
      columns = Math.max(1, Math.ceil((aMax - aMin) / da));
      caster.cast(world, pose.northM, pose.eastM, cosH, sinH, aMin, aMin + columns * da, columns, cam.pixelAngleRad, opts.maxRangeM);
      columns = caster.columns;
      caster.prepareVisibility(alt);
    }
    if (this.fogLutWorld !== world) this.buildFogLut(world);

    const fp = this.fp;
    fp[P_FA] = fA;
    fp[P_FB] = fB;
    fp[P_FC] = fC;
    fp[P_SA] = sA;
    fp[P_SB] = sB;
    fp[P_SC] = sC;
    fp[P_NA] = nA;
    fp[P_NB] = nB;
    fp[P_NC] = nC;
    fp[P_EA] = eA;
    fp[P_EB] = eB;
    fp[P_EC] = eC;
    fp[P_DA] = dA;
    fp[P_DB] = dB;
    fp[P_DC] = dC;
    fp[P_ALT] = alt;
    fp[P_CAMN] = pose.northM;
    fp[P_CAME] = pose.eastM;
    fp[P_COLUMNS] = columns;
  }

  /**
   * What the shading needs per strip slot (column · layers + layer), computed once per frame instead
   * of once per pixel: the mip levels and blend weight from the slot's level of detail, and the
   * horizontal half of the bilinear lookups (the slot's u is fixed: texel columns and weight), so a
   * pixel only computes its row. The arithmetic is the sampler's (bilinearAt), term by term.
   */
  private prepareSlots(world: World): void {
    const caster = this.caster;
    const K = caster.layers;
    const n = (this.fp[P_COLUMNS]! | 0) * K;
    const atlas = world.atlas;
    const data = atlas.data;
    const levelOffset = atlas.levelOffset;
    const levelSize = atlas.levelSize;
    const levelScale = atlas.levelScale;
    const maxLod = atlas.maxLod;
    const qLo = atlas.quantLo;
    const qStep = atlas.quantStep;
    const fogLog = world.lighting.fogLog;
    const topOffset = levelOffset[maxLod]!;
    const zfArr = caster.zf;
    const uArr = caster.uTx;
    const baseArr = caster.texBase;
    const lodArr = caster.lod;
    const shadeArr = caster.shadeLog;
    const fogArr = caster.fogW;
    const sl = this.slots;
    for (let slot = 0; slot < n; slot++) {
      if (!(zfArr[slot]! < Number.POSITIVE_INFINITY)) continue;
      const b = baseArr[slot]!;
      const lod = lodArr[slot]!;
      const u = uArr[slot]!;
      const add = shadeArr[slot]!;
      const fog = fogArr[slot]!;
      const o = slot * SLOT_STRIDE;
      sl.f64[o + S_ADD] = add;
      sl.f64[o + S_FOG] = fog;
      sl.f64[o + S_INV_TEXEL] = caster.invTexel[slot]!;
      sl.f64[o + S_V_OFF] = caster.vOffTx[slot]!;
      if (lod >= maxLod && !(lod <= 0)) {
        const lit = qLo + qStep * data[b + topOffset]! + add;
        sl.i32[o + S_MODE] = MODE_CONSTANT;
        sl.f64[o + S_CONST] = Math.fround(lit + (fogLog - lit) * fog);
        continue;
      }
      let l0 = 0;
      let frac = 0;
      if (lod > 0) {
        l0 = lod | 0;
        frac = lod - l0;
      }
      this.slotLevel(o, 0, b + levelOffset[l0]!, levelSize[l0]!, l0 === 0 ? 1 : levelScale[l0]!, u);
      if (frac >= 1 / 64) {
        const l1 = l0 + 1;
        this.slotLevel(o, 1, b + levelOffset[l1]!, levelSize[l1]!, levelScale[l1]!, u);
        sl.i32[o + S_MODE] = MODE_TWO_LEVELS;
        sl.f64[o + S_FRAC] = frac;
      } else sl.i32[o + S_MODE] = MODE_ONE_LEVEL;
    }
  }

  /** The horizontal half of a bilinear lookup at u in one level (see bilinearAt). */
  private slotLevel(o: number, level: number, off: number, size: number, scale: number, u: number): void {
    const sl = this.slots;
    const x = u * scale + COORD_OFFSET;
    const xi = x | 0;
    const mask = size - 1;
    const li = o + level * 4;
    sl.i32[li + S_COL0] = off + (xi & mask);
    sl.i32[li + S_COL1] = off + ((xi + 1) & mask);
    sl.i32[li + S_MASK] = mask;
    sl.i32[li + S_SIZE] = size;
    const lf = o + level * 2;
    sl.f64[lf + S_FX] = x - xi;
    sl.f64[lf + S_SCALE] = scale;
  }

  /** Depth only (no textures): the ground-truth camera. */
  private depthPass(): void {
    const cam = this.camera;
    const W = cam.widthPx;
    const H = cam.heightPx;
    const fp = this.fp;
    const fA = fp[P_FA]!;
    const fB = fp[P_FB]!;
    const fC = fp[P_FC]!;
    const sA = fp[P_SA]!;
    const sB = fp[P_SB]!;
    const sC = fp[P_SC]!;
    const dA = fp[P_DA]!;
    const dB = fp[P_DB]!;
    const dC = fp[P_DC]!;
    const alt = fp[P_ALT]!;
    const columns = fp[P_COLUMNS]! | 0;
    const caster = this.caster;
    const K = caster.layers;
    const zfArr = caster.zf;
    const topArr = caster.top;
    const q0Lo = caster.q0Lo;
    const q0Hi = caster.q0Hi;
    const stripMin = caster.strip[0]!;
    const invDa = caster.strip[2]!;
    const depth = this.depthM;
    let minDepth = Number.POSITIVE_INFINITY;
    for (let r = 0; r < H; r++) {
      let f = fB * r + fC;
      let s = sB * r + sC;
      let up = -(dB * r + dC);
      const rowBase = r * W;
      for (let c = 0; c < W; c++, f += fA, s += sA, up -= dA) {
        const i = rowBase + c;
        const down = -up;
        if (f > MIN_FORWARD) {
          const invf = 1 / f;
          const x = (s * invf - stripMin) * invDa;
          if (x >= 0 && x < columns) {
            const q = up * invf;
            const j = x | 0;
            let slot = -1;
            if (q > q0Lo[j]!) {
              if (q <= q0Hi[j]!) slot = j * K;
              else {
                const base = j * K;
                for (let k = 1; k < K; k++) {
                  const zf = zfArr[base + k]!;
                  if (!(zf < Number.POSITIVE_INFINITY) || (down > 0 && zf * down >= alt * f)) break;
                  if (alt + zf * q <= topArr[base + k]!) {
                    slot = base + k;
                    break;
                  }
                }
              }
            }
            if (slot >= 0) {
              const tHit = zfArr[slot]! * invf;
              depth[i] = tHit;
              if (tHit < minDepth) minDepth = tHit;
              continue;
            }
          }
        }
        if (down > 1e-9) {
          const tGround = alt / down;
          depth[i] = tGround;
          if (tGround < minDepth) minDepth = tGround;
          continue;
        }
        depth[i] = Number.POSITIVE_INFINITY;
      }
    }
    this.minDepthM = minDepth;
  }

  /**
   * Geometry and shading in one pass: per pixel, the first layer of its strip column that the ray
   * meets below the obstacle's top and before the ground, else the ground, else the sky; then the
   * trilinear texture sample, lighting and fog.
   */
  private shadedPass(world: World): void {
    const cam = this.camera;
    const W = cam.widthPx;
    const H = cam.heightPx;
    const fp = this.fp;
    const fA = fp[P_FA]!;
    const fB = fp[P_FB]!;
    const fC = fp[P_FC]!;
    const sA = fp[P_SA]!;
    const sB = fp[P_SB]!;
    const sC = fp[P_SC]!;
    const nA = fp[P_NA]!;
    const nB = fp[P_NB]!;
    const nC = fp[P_NC]!;
    const eA = fp[P_EA]!;
    const eB = fp[P_EB]!;
    const eC = fp[P_EC]!;
    const dA = fp[P_DA]!;
    const dB = fp[P_DB]!;
    const dC = fp[P_DC]!;
    const alt = fp[P_ALT]!;
    const camN = fp[P_CAMN]!;
    const camE = fp[P_CAME]!;
    const columns = fp[P_COLUMNS]! | 0;

    const fogLut = this.fogLut;
    const fogLutLast = fogLut.length - 1;
    const light = world.lighting;
    const skyLog = light.skyLog;
    const skyGrad = light.skyGradientLog;
    const fogLog = light.fogLog;
    const atlas = world.atlas;
    const data = atlas.data;
    const levelOffset = atlas.levelOffset;
    const maxLod = atlas.maxLod;
    const qLo = atlas.quantLo;
    const qStep = atlas.quantStep;
    const groundTex = world.textures[world.groundTextureIndex]!;
    const groundBase = world.atlas.base[world.groundTextureIndex]!;
    const groundTop = data[groundBase + levelOffset[maxLod]!]!;
    const groundInvTexel = 1 / groundTex.texelM;
    const groundShade = Math.fround(world.groundShadeLog);
    const groundSize = atlas.size;
    const gOff = this.groundLevelOffset;
    for (let l = 0; l <= maxLod; l++) gOff[l] = groundBase + levelOffset[l]!;
    const pow2 = INV_POW2;
    const OFF = COORD_OFFSET;
    const pixAngle = cam.pixelAngleRad;
    const footScaleNear = (pixAngle * groundInvTexel) / alt;
    const footScaleFar = 10 * pixAngle * groundInvTexel;
    const caster = this.caster;
    const K = caster.layers;
    const zfArr = caster.zf;
    const topArr = caster.top;
    const q0Lo = caster.q0Lo;
    const q0Hi = caster.q0Hi;
    const stripMin = caster.strip[0]!;
    const invDa = caster.strip[2]!;
    const slI = this.slots.i32;
    const slF = this.slots.f64;
    const depth = this.depthM;
    const rayLen = this.rayLen;
    const logI = this.logI;
    let minDepth = Number.POSITIVE_INFINITY;

    for (let r = 0; r < H; r++) {
      let f = fB * r + fC;
      let s = sB * r + sC;
      let dn = nB * r + nC;
      let de = eB * r + eC;
      let up = -(dB * r + dC);
      const rowBase = r * W;
      for (let c = 0; c < W; c++, f += fA, s += sA, dn += nA, de += eA, up -= dA) {
        const i = rowBase + c;
        // The ray meets the ground at camera depth alt / −up when it points down; comparisons against
        // it are done multiplied out (zf·(−up) < alt·f), so obstacle pixels need no extra division.
        const down = -up;
        // Obstacles: the first layer of this pixel's strip column that the ray meets below the
        // obstacle's top and before the ground.
        if (f > MIN_FORWARD) {
          const invf = 1 / f;
          const x = (s * invf - stripMin) * invDa;
          if (x >= 0 && x < columns) {
            const q = up * invf;
            const j = x | 0;
            let slot = -1;
            if (q > q0Lo[j]!) {
              if (q <= q0Hi[j]!) slot = j * K;
              else {
                // Over the nearest obstacle's top: try the layers behind it (rare).
                const base = j * K;
                for (let k = 1; k < K; k++) {
                  const zf = zfArr[base + k]!;
                  if (!(zf < Number.POSITIVE_INFINITY) || (down > 0 && zf * down >= alt * f)) break;
                  if (alt + zf * q <= topArr[base + k]!) {
                    slot = base + k;
                    break;
                  }
                }
              }
            }
            if (slot >= 0) {
              const zHit = zfArr[slot]!;
              const tHit = zHit * invf;
              depth[i] = tHit;
              if (tHit < minDepth) minDepth = tHit;
              const o = slot * SLOT_STRIDE;
              const mode = slI[o + S_MODE]!;
              if (mode === MODE_CONSTANT) {
                logI[i] = slF[o + S_CONST]!;
                continue;
              }
              const v = Math.fround((alt + zHit * q) * slF[o + S_INV_TEXEL]! + slF[o + S_V_OFF]!);
              // Level l0 (row half of the bilinear lookup; the column half is the slot's).
              const y = v * slF[o + S_SCALE]! + COORD_OFFSET;
              const yi = y | 0;
              const fy = y - yi;
              const mask = slI[o + S_MASK]!;
              const size = slI[o + S_SIZE]!;
              const r0 = (yi & mask) * size;
              const r1 = ((yi + 1) & mask) * size;
              const p0 = slI[o + S_COL0]!;
              const p1 = slI[o + S_COL1]!;
              const fx = slF[o + S_FX]!;
              const a = data[r0 + p0]!;
              const top = a + (data[r0 + p1]! - a) * fx;
              const cc = data[r1 + p0]!;
              let albedo = top + (cc + (data[r1 + p1]! - cc) * fx - top) * fy;
              if (mode === MODE_TWO_LEVELS) {
                const y1 = v * slF[o + 2 + S_SCALE]! + COORD_OFFSET;
                const yi1 = y1 | 0;
                const fy1 = y1 - yi1;
                const mask1 = slI[o + 4 + S_MASK]!;
                const size1 = slI[o + 4 + S_SIZE]!;
                const s0 = (yi1 & mask1) * size1;
                const s1 = ((yi1 + 1) & mask1) * size1;
                const q0 = slI[o + 4 + S_COL0]!;
                const q1 = slI[o + 4 + S_COL1]!;
                const fx1 = slF[o + 2 + S_FX]!;
                const a1 = data[s0 + q0]!;
                const top1 = a1 + (data[s0 + q1]! - a1) * fx1;
                const c1 = data[s1 + q0]!;
                albedo += (top1 + (c1 + (data[s1 + q1]! - c1) * fx1 - top1) * fy1 - albedo) * slF[o + S_FRAC]!;
              }
              const lit = qLo + qStep * albedo + slF[o + S_ADD]!;
              logI[i] = lit + (fogLog - lit) * slF[o + S_FOG]!;
              continue;
            }
          }
        }
        if (down > 1e-9) {
          const tGround = alt / down;
          depth[i] = tGround;
          if (tGround < minDepth) minDepth = tGround;
          const range = tGround * rayLen[i]!;
          // Footprint of the pixel on the ground in texels: pixAngle·range / sin(grazing angle), with
          // sin = alt / range, the stretch capped at 10× near the horizon.
          const footTx = range < 10 * alt ? range * range * footScaleNear : range * footScaleFar;
          let lod = 0;
          if (footTx > 1) {
            // log2, exact at powers of two and linear in between (continuous: no mip popping).
            const xi = footTx < 1073741824 ? footTx | 0 : 1073741824;
            const e = 31 - Math.clz32(xi);
            lod = Math.fround(e + footTx * pow2[e]! - 1);
          }
          const u = Math.fround((camE + tGround * de) * groundInvTexel);
          const v = Math.fround((camN + tGround * dn) * groundInvTexel);
          let albedo: number;
          if (lod >= maxLod) albedo = groundTop;
          else {
            // Trilinear (bilinearAt inlined, level tables as locals: see the file comment).
            let l0 = 0;
            let frac = 0;
            if (lod > 0) {
              l0 = lod | 0;
              frac = lod - l0;
            }
            let scale = pow2[l0]!;
            let size = groundSize >> l0;
            let mask = size - 1;
            let off = gOff[l0]!;
            let x = u * scale + OFF;
            let y = v * scale + OFF;
            let xi = x | 0;
            let yi = y | 0;
            let fx = x - xi;
            let x0 = xi & mask;
            let x1 = (xi + 1) & mask;
            let r0 = (off + (yi & mask) * size) | 0;
            let r1 = (off + ((yi + 1) & mask) * size) | 0;
            let a = data[(r0 + x0) | 0]!;
            let top = a + (data[(r0 + x1) | 0]! - a) * fx;
            let cc = data[(r1 + x0) | 0]!;
            albedo = top + (cc + (data[(r1 + x1) | 0]! - cc) * fx - top) * (y - yi);
            if (frac >= 1 / 64) {
              const l1 = l0 + 1;
              scale = pow2[l1]!;
              size = groundSize >> l1;
              mask = size - 1;
              off = gOff[l1]!;
              x = u * scale + OFF;
              y = v * scale + OFF;
              xi = x | 0;
              yi = y | 0;
              fx = x - xi;
              x0 = xi & mask;
              x1 = (xi + 1) & mask;
              r0 = (off + (yi & mask) * size) | 0;
              r1 = (off + ((yi + 1) & mask) * size) | 0;
              a = data[(r0 + x0) | 0]!;
              top = a + (data[(r0 + x1) | 0]! - a) * fx;
              cc = data[(r1 + x0) | 0]!;
              albedo += (top + (cc + (data[(r1 + x1) | 0]! - cc) * fx - top) * (y - yi) - albedo) * frac;
            }
          }
          const li = (range * (1 / FOG_LUT_STEP_M)) | 0;
          const lit = qLo + qStep * albedo + groundShade;
          logI[i] = lit + (fogLog - lit) * fogLut[li < fogLutLast ? li : fogLutLast]!;
          continue;
        }
        depth[i] = Number.POSITIVE_INFINITY;
        const q = f > MIN_FORWARD ? up / f : 3;
        logI[i] = Math.fround(skyLog + skyGrad * (q < 3 ? q : 3));
      }
    }
    this.minDepthM = minDepth;
  }

  /**
   * Fog weights 1 − exp(−range / fogDistance) sampled every 5 cm out to 10 fog distances (where the
   * weight is 1 to 5 decimals) or 1 km, whichever is nearer; ranges beyond use the last entry.
   */
  private buildFogLut(world: World): void {
    const dist = world.lighting.fogDistanceM;
    const reachM = Math.min(10 * dist, 1000);
    const n = Math.ceil(reachM / FOG_LUT_STEP_M) + 1;
    const lut = new Float32Array(n);
    for (let i = 0; i < n; i++) lut[i] = 1 - Math.exp(-(i * FOG_LUT_STEP_M) / dist);
    if (reachM >= 10 * dist) lut[n - 1] = 1;
    this.fogLut = lut;
    this.fogLutWorld = world;
  }
}
