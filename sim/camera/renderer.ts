/**
 * Renders log intensity and depth for a pinhole camera in a `World`.
 *
 * Per frame:
 * 1. one per-column cast against the vertical obstacles (ColumnCaster), then a per-slot preparation of
 *    everything a hit's shading needs that does not depend on the pixel's row (mip levels and blend
 *    weight, texel columns and horizontal weights: a vertical surface's u is fixed per column) — for
 *    the layers behind the nearest only where some ray of the frame can pass over the nearest's top;
 * 2. one pass over the pixels: each pixel's ray is an affine function of its column and row, so the
 *    pass only adds increments; per pixel it finds what the ray sees (strip lookup: the first layer
 *    hit below the obstacle's top and before the ground, else the ground, else the sky) and writes
 *    depth; obstacle and sky pixels are shaded at once (trilinear mip-mapped texture sample from the
 *    slot's record, lighting, fog); ground pixels go to a list with their texture coordinates;
 * 3. two passes over the ground list: mip levels, then trilinear samples, lighting and fog.
 *
 * Why this shape (measured on the 2-vCPU development machine): the work per pixel is a long chain of
 * dependent steps (division, strip lookup, float↔int conversions, table and texel loads), so the
 * CPU's speed depends on how many pixels it can keep in flight; loops with long bodies keep few. The
 * ground's mip level in a loop of its own makes the ground 1.15–1.25x faster; splitting further (per
 * row, obstacles apart, levels apart) measured no better. V8 specifics: the hot loops read only locals
 * and two typed-array "heaps" (V8 re-checks every typed array an iteration touches), layout constants
 * are `const enum`s (inlined; module-level consts are re-loaded and re-checked on every use), int
 * arithmetic is kept int32 (`| 0`, Math.imul: no overflow checks), texels are read as doubles; no
 * double is passed to a call V8 might not inline (it would be boxed: a heap allocation), and no value
 * from outside a loop is merged with the loop's doubles (in some compilations V8 then kept the result
 * boxed, one allocation per pixel).
 * The arithmetic is the same, term by term and with the same float32 roundings, as that of the former
 * two-pass renderer (geometry into per-pixel arrays, then shading; kept as a test oracle in
 * tests/sim/reference), so frames are bit-identical to it — except that the ground's fog-table index is
 * now clamped before its int32 conversion (ranges beyond 10⁸ m used to wrap).
 *
 * No allocation per frame: outputs live in preallocated typed arrays owned by the renderer and are
 * overwritten by the next `render`.
 *
 * Native passes: shadedPass (with groundLevels, groundSample), layerBehind and depthPass also exist in
 * C (sim/native/src/render_kernels.c, built by `npm run build:native`), which `render` calls instead
 * when the addon is built (`kernel`); setupFrame and prepareColumns (the cast, the slot records and
 * every transcendental function) stay here for both. A change to those loops, or to the layouts of
 * `fp` (P) and the slot records (SF, SI), must be made in the C too (and KERNEL_ABI bumped in both
 * when a layout changes); tests/sim/renderer-native.test.ts fails on any difference.
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
import { loadNativeKernels, renderKernels, type NativeRenderKernels, type RenderKernelKind } from '../native/renderKernels.js';

export interface RendererOptions {
  /** Strip columns per image pixel at the image centre (≥ 1; 2 keeps edges sub-pixel accurate). */
  readonly oversample: number;
  /** Hits kept per strip column (see ColumnCaster). */
  readonly layers: number;
  /** Obstacles beyond this horizontal range are not drawn (fog has hidden them), metres. */
  readonly maxRangeM: number;
  /** false: compute depth only (ground truth at network geometry), skipping textures. */
  readonly shade: boolean;
  /**
   * Per-pixel passes: `auto` = the process-wide choice (native when the addon is built, unless
   * EVPILOT_SIM_KERNEL=js; see sim/native/renderKernels.ts), `js` = always JS, `native` = the addon or
   * an error. Same frames bit for bit either way.
   */
  readonly kernel: 'auto' | RenderKernelKind;
}

export const DEFAULT_RENDERER_OPTIONS: RendererOptions = { oversample: 2, layers: 3, maxRangeM: 80, shade: true, kernel: 'auto' };

/** Rays whose forward (heading-axis) component is below this are treated as looking straight down/up. */
const MIN_FORWARD = 0.05;
/** Strip tangents are clipped to ±this (80°): wider rays are near-vertical and see ground or sky. */
const MAX_TAN = 5.7;
const FOG_LUT_STEP_M = 0.05;
/**
 * Layout constants as `const enum`s, which the TypeScript transform inlines as literals: V8 does not
 * constant-fold module-level `const`s in optimised code, and re-loads and type-checks each one on
 * every use in a hot loop.
 */
/** Frame parameters (`fp`). */
const enum P {
  FA,
  FB,
  FC,
  SA,
  SB,
  SC,
  NA,
  NB,
  NC,
  EA,
  EB,
  EC,
  DA,
  DB,
  DC,
  ALT,
  CAMN,
  CAME,
  COLUMNS,
  GROUND_INV_TEXEL,
  /** layerBehind's arguments. */
  LB_Q,
  LB_F,
  LB_DOWN,
  /**
   * What the native kernels read besides the above (sim/native/src/render_kernels.c mirrors this
   * layout: bump KERNEL_ABI in both when it changes). Image and heap layout, set once:
   */
  W,
  H,
  K,
  OFF_Q0,
  OFF_RAY_LEN,
  OFF_POW2,
  OFF_FOG,
  OFF_GLIST,
  OFF_GIDX,
  OFF_GROUND,
  /** Per world: */
  FOG_LEN,
  MAX_LOD,
  GROUND_SIZE,
  GROUND_TOP,
  QLO,
  QSTEP,
  SKY_LOG,
  SKY_GRAD,
  FOG_LOG,
  GROUND_SHADE,
  /** Per frame: */
  STRIP_MIN,
  INV_DA,
  PIX_ANGLE,
  N_GROUND,
  COUNT,
}
/**
 * Per-slot shading record (strip slot = column · layers + layer): `SF.STRIDE` entries of the float
 * heap and `SI.STRIDE` of the int heap. Float: per level (level 1 at +2) fx, scale; then frac, add,
 * fog, invTexel, vOff, the constant result (Mode.CONSTANT), zf. Int: mode, then per level (level 1
 * at +4) the atlas index of texel columns x0 and x1 in the level's first row, the row mask, the row
 * length.
 */
const enum SF {
  STRIDE = 12,
  FX = 0,
  SCALE = 1,
  LEVEL1 = 2,
  FRAC = 4,
  ADD = 5,
  FOG = 6,
  INV_TEXEL = 7,
  V_OFF = 8,
  CONST = 9,
  ZF = 10,
}
const enum SI {
  STRIDE = 10,
  MODE = 0,
  COL0 = 1,
  COL1 = 2,
  MASK = 3,
  SIZE = 4,
  LEVEL1 = 4,
}
const enum Mode {
  ONE_LEVEL = 0,
  TWO_LEVELS = 1,
  CONSTANT = 2,
}
/** Longest fog table: 1 km in FOG_LUT_STEP_M steps. */
const FOG_LUT_MAX = Math.ceil(1000 / FOG_LUT_STEP_M) + 1;
/** 2^−e: the fast log2 of the ground's mip level and the mip levels' scales. */
const INV_POW2 = Float64Array.from({ length: 32 }, (_, e) => 2 ** -e);

export class Renderer {
  readonly camera: PinholeCamera;
  readonly options: RendererOptions;
  readonly logI: Float32Array;
  readonly depthM: Float32Array;
  minDepthM = Number.POSITIVE_INFINITY;
  /** Which implementation runs the per-pixel passes (frames are bit-identical either way). */
  readonly kernel: RenderKernelKind;
  private readonly native: NativeRenderKernels | undefined;
  private readonly caster: ColumnCaster;
  /** (column, row) pairs of the image border, where the strip's extreme tangents lie. */
  private readonly borderPx: Int32Array;
  /** Frame parameters shared by the passes (see P_*). */
  private readonly fp = new Float64Array(P.COUNT);
  /**
   * Everything the pixel pass reads, in two typed arrays ("heaps"), because V8 re-checks each typed
   * array a loop iteration touches (map, length, base pointer): one float and one int heap cost far
   * less per pixel than a dozen arrays. Float regions (offsets below): slot records, per strip column
   * the visibility bounds (q0Lo, q0Hi: a ray with elevation ratio q = up / forward sees the column's
   * nearest obstacle iff q0Lo < q ≤ q0Hi), |d| of each pixel's camera-frame ray (x, y, 1) as float32
   * values (range = depth · |d|), 2^−e, the fog table. Int regions: slot records, the ground texture's
   * level offsets in the atlas.
   */
  private readonly heapF: Float64Array;
  private readonly heapI: Int32Array;
  private readonly offQ0: number;
  private readonly offRayLen: number;
  private readonly offPow2: number;
  private readonly offFog: number;
  private readonly offGroundLevels: number;
  /** The frame's ground pixels: u, v, lod, range (F, 4 each) and pixel index (I). */
  private readonly offGList: number;
  private readonly offGIdx: number;
  private fogLutLength = 0;
  private fogLutWorld: World | undefined;

  constructor(camera: PinholeCamera, options: Partial<RendererOptions> = {}) {
    this.camera = camera;
    this.options = { ...DEFAULT_RENDERER_OPTIONS, ...options };
    const W = camera.widthPx;
    const H = camera.heightPx;
    const n = W * H;
    this.logI = new Float32Array(n);
    this.depthM = new Float32Array(n);
    const border: number[] = [];
    for (let c = 0; c < W; c++) border.push(c, 0, c, H - 1);
    for (let r = 1; r < H - 1; r++) border.push(0, r, W - 1, r);
    this.borderPx = Int32Array.from(border);
    // Enough strip columns for the widest strip a tilted camera can need.
    this.caster = new ColumnCaster(Math.ceil(2 * MAX_TAN * camera.fxPx * this.options.oversample) + 2, this.options.layers);
    const slotCount = this.caster.maxColumns * this.options.layers;
    this.offQ0 = slotCount * SF.STRIDE;
    this.offRayLen = this.offQ0 + 2 * this.caster.maxColumns;
    this.offPow2 = this.offRayLen + n;
    this.offFog = this.offPow2 + INV_POW2.length;
    this.offGList = this.offFog + FOG_LUT_MAX;
    this.heapF = new Float64Array(this.offGList + 4 * n);
    this.offGroundLevels = slotCount * SI.STRIDE;
    this.offGIdx = this.offGroundLevels + 32;
    this.heapI = new Int32Array(this.offGIdx + n);
    for (let r = 0; r < H; r++) {
      const yn = (r - camera.cyPx) / camera.fyPx;
      for (let c = 0; c < W; c++) {
        const xn = (c - camera.cxPx) / camera.fxPx;
        this.heapF[this.offRayLen + r * W + c] = Math.fround(Math.sqrt(xn * xn + yn * yn + 1));
      }
    }
    this.heapF.set(INV_POW2, this.offPow2);
    const fp = this.fp;
    fp[P.W] = W;
    fp[P.H] = H;
    fp[P.K] = this.options.layers;
    fp[P.OFF_Q0] = this.offQ0;
    fp[P.OFF_RAY_LEN] = this.offRayLen;
    fp[P.OFF_POW2] = this.offPow2;
    fp[P.OFF_FOG] = this.offFog;
    fp[P.OFF_GLIST] = this.offGList;
    fp[P.OFF_GIDX] = this.offGIdx;
    fp[P.OFF_GROUND] = this.offGroundLevels;
    fp[P.PIX_ANGLE] = camera.pixelAngleRad;
    const wanted = this.options.kernel;
    if (wanted === 'auto') this.native = renderKernels().kernels;
    else if (wanted === 'js') this.native = undefined;
    else {
      const { kernels, why } = loadNativeKernels();
      if (!kernels) throw new Error(`Renderer: native kernel requested, but it is unavailable: ${why}`);
      this.native = kernels;
    }
    this.kernel = this.native ? 'native' : 'js';
  }

  render(world: World, pose: CameraPose): void {
    this.setupFrame(world, pose);
    this.prepareColumns(world);
    const native = this.native;
    if (native) {
      // The same passes in C (sim/native), one call per frame over the same arrays.
      this.kernelParams(world);
      const caster = this.caster;
      this.minDepthM = this.options.shade
        ? native.shaded(this.heapF, this.heapI, world.atlas.values, this.logI, this.depthM, caster.zf, caster.top, this.fp)
        : native.depth(this.heapF, this.depthM, caster.zf, caster.top, this.fp);
    } else if (this.options.shade) this.shadedPass(world);
    else this.depthPass();
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
    }
    if (this.fogLutWorld !== world) this.buildFogLut(world);

    const fp = this.fp;
    fp[P.FA] = fA;
    fp[P.FB] = fB;
    fp[P.FC] = fC;
    fp[P.SA] = sA;
    fp[P.SB] = sB;
    fp[P.SC] = sC;
    fp[P.NA] = nA;
    fp[P.NB] = nB;
    fp[P.NC] = nC;
    fp[P.EA] = eA;
    fp[P.EB] = eB;
    fp[P.EC] = eC;
    fp[P.DA] = dA;
    fp[P.DB] = dB;
    fp[P.DC] = dC;
    fp[P.ALT] = alt;
    fp[P.CAMN] = pose.northM;
    fp[P.CAME] = pose.eastM;
    fp[P.COLUMNS] = columns;
    fp[P.GROUND_INV_TEXEL] = 1 / world.textures[world.groundTextureIndex]!.texelM;
  }

  /**
   * Per strip column and slot, what does not depend on the pixel's row, computed once per frame
   * instead of once per pixel: the visibility bounds of the nearest layer and, when shading, the slot
   * records — mip levels and blend weight from the slot's level of detail, and the horizontal half of
   * the bilinear lookups (a vertical surface's u is fixed per column: texel columns and weight), so a
   * pixel only computes its row. The arithmetic is the sampler's (bilinearAt), term by term.
   */
  private prepareColumns(world: World): void {
    const caster = this.caster;
    const K = caster.layers;
    const columns = this.fp[P.COLUMNS]! | 0;
    const alt = this.fp[P.ALT]!;
    const F = this.heapF;
    const zfArr = caster.zf;
    const topArr = caster.top;
    const offQ0 = this.offQ0;
    for (let j = 0; j < columns; j++) {
      const zf = zfArr[j * K]!;
      if (zf === Number.POSITIVE_INFINITY) {
        F[offQ0 + 2 * j] = Number.POSITIVE_INFINITY;
        F[offQ0 + 2 * j + 1] = Number.NEGATIVE_INFINITY;
      } else {
        F[offQ0 + 2 * j] = -alt / zf;
        F[offQ0 + 2 * j + 1] = (topArr[j * K]! - alt) / zf;
      }
    }
    if (!this.options.shade) return;
    // A layer behind the nearest is seen only by a ray that passes over the nearest obstacle's top
    // (q > q0Hi: the pixel pass's only way to layerBehind). In the forest ~40 % of the slots with a
    // hit lie behind, and almost none is seen: their records (4 transcendental functions each) are
    // skipped when no ray of the frame can pass over the column's nearest obstacle.
    const qMax = this.maxElevationRatio();
    for (let j = 0; j < columns; j++) {
      const base = j * K;
      const zf = zfArr[base]!;
      if (!(zf < Number.POSITIVE_INFINITY)) continue;
      F[base * SF.STRIDE + SF.ZF] = zf;
      this.prepareSlot(world, base);
      if (!(qMax > F[offQ0 + 2 * j + 1]!)) continue;
      for (let slot = base + 1; slot < base + K; slot++) {
        const zfk = zfArr[slot]!;
        if (!(zfk < Number.POSITIVE_INFINITY)) break;
        F[slot * SF.STRIDE + SF.ZF] = zfk;
        this.prepareSlot(world, slot);
      }
    }
  }

  /**
   * An upper bound of the elevation ratio q = up / f of every pixel ray that meets the strip (f above
   * MIN_FORWARD), or +∞ when some pixel's f is not: q is a ratio of two affine functions of (c, r)
   * whose denominator is then positive over the image, so its maximum lies at a corner. The pixel pass
   * accumulates f and up by increments (relative rounding error ~W·2⁻⁵³); the margin of 10⁻⁶ covers
   * it many times over, so a skipped layer is one no pixel can reach.
   */
  private maxElevationRatio(): number {
    const fp = this.fp;
    const cMax = this.camera.widthPx - 1;
    const rMax = this.camera.heightPx - 1;
    let qMax = Number.NEGATIVE_INFINITY;
    for (let corner = 0; corner < 4; corner++) {
      const c = corner & 1 ? cMax : 0;
      const r = corner & 2 ? rMax : 0;
      const f = fp[P.FA]! * c + fp[P.FB]! * r + fp[P.FC]!;
      if (!(f > MIN_FORWARD)) return Number.POSITIVE_INFINITY;
      const q = -(fp[P.DA]! * c + fp[P.DB]! * r + fp[P.DC]!) / f;
      if (q > qMax) qMax = q;
    }
    return qMax + 1e-6 * Math.max(1, Math.abs(qMax));
  }

  /** Builds a slot's record (see prepareColumns). */
  private prepareSlot(world: World, slot: number): void {
    const caster = this.caster;
    caster.shadeHit(world, slot);
    const F = this.heapF;
    const I = this.heapI;
    const atlas = world.atlas;
    const levelOffset = atlas.levelOffset;
    const levelSize = atlas.levelSize;
    const levelScale = atlas.levelScale;
    const maxLod = atlas.maxLod;
    const b = caster.texBase[slot]!;
    const lod = caster.lod[slot]!;
    const u = caster.uTx[slot]!;
    const add = caster.shadeLog[slot]!;
    const fog = caster.fogW[slot]!;
    const o = slot * SF.STRIDE;
    const oi = slot * SI.STRIDE;
    F[o + SF.ADD] = add;
    F[o + SF.FOG] = fog;
    F[o + SF.INV_TEXEL] = caster.invTexel[slot]!;
    F[o + SF.V_OFF] = caster.vOffTx[slot]!;
    if (lod >= maxLod) {
      const lit = atlas.quantLo + atlas.quantStep * atlas.data[b + levelOffset[maxLod]!]! + add;
      I[oi + SI.MODE] = Mode.CONSTANT;
      F[o + SF.CONST] = Math.fround(lit + (world.lighting.fogLog - lit) * fog);
      return;
    }
    // Level l0 and blend weight to l0 + 1 (frac ≤ 0 when lod ≤ 0: level 0 alone).
    const l0 = lod > 0 ? lod | 0 : 0;
    const frac = lod - l0;
    // The horizontal half of a bilinear lookup at u in level l0, then l1 (see bilinearAt).
    const OFF = +COORD_OFFSET;
    for (let level = 0, l = l0; level < 2; level++, l++) {
      if (level === 1 && !(frac >= 1 / 64)) break;
      const ol = o + level * SF.LEVEL1;
      const oil = oi + level * SI.LEVEL1;
      const off = b + levelOffset[l]!;
      const size = levelSize[l]!;
      const scale = levelScale[l]!;
      const x = u * scale + OFF;
      const xi = x | 0;
      const mask = size - 1;
      I[oil + SI.COL0] = off + (xi & mask);
      I[oil + SI.COL1] = off + ((xi + 1) & mask);
      I[oil + SI.MASK] = mask;
      I[oil + SI.SIZE] = size;
      F[ol + SF.FX] = x - xi;
      F[ol + SF.SCALE] = scale;
    }
    if (frac >= 1 / 64) {
      F[o + SF.FRAC] = frac;
      I[oi + SI.MODE] = Mode.TWO_LEVELS;
    } else I[oi + SI.MODE] = Mode.ONE_LEVEL;
  }

  /** Depth only (no textures): the ground-truth camera. */
  private depthPass(): void {
    const cam = this.camera;
    const W = cam.widthPx;
    const H = cam.heightPx;
    const fp = this.fp;
    const fA = fp[P.FA]!;
    const fB = fp[P.FB]!;
    const fC = fp[P.FC]!;
    const sA = fp[P.SA]!;
    const sB = fp[P.SB]!;
    const sC = fp[P.SC]!;
    const dA = fp[P.DA]!;
    const dB = fp[P.DB]!;
    const dC = fp[P.DC]!;
    const alt = fp[P.ALT]!;
    const columns = fp[P.COLUMNS]! | 0;
    const caster = this.caster;
    const K = caster.layers;
    const zfArr = caster.zf;
    const topArr = caster.top;
    const F = this.heapF;
    const offQ0 = this.offQ0;
    const stripMin = caster.strip[0]!;
    const invDa = caster.strip[2]!;
    const minF = +MIN_FORWARD;
    const depth = this.depthM;
    let minDepth = Number.POSITIVE_INFINITY;
    for (let r = 0; r < H; r++) {
      let f = fB * r + fC;
      let s = sB * r + sC;
      let up = -(dB * r + dC);
      const rowBase = r * W;
      for (let c = 0; c < W; c++, f += fA, s += sA, up -= dA) {
        const i = (rowBase + c) | 0;
        const down = -up;
        if (f > minF) {
          const invf = 1 / f;
          const x = (s * invf - stripMin) * invDa;
          if (x >= 0 && x < columns) {
            const q = up * invf;
            const j = x | 0;
            let zHit = -1;
            const q0 = (offQ0 + (j << 1)) | 0;
            if (q > F[q0]!) {
              if (q <= F[(q0 + 1) | 0]!) zHit = zfArr[j * K]!;
              else {
                const base = j * K;
                for (let k = 1; k < K; k++) {
                  const zf = zfArr[base + k]!;
                  if (!(zf < Number.POSITIVE_INFINITY) || (down > 0 && zf * down >= alt * f)) break;
                  if (alt + zf * q <= topArr[base + k]!) {
                    zHit = zf;
                    break;
                  }
                }
              }
            }
            if (zHit >= 0) {
              const tHit = zHit * invf;
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
    const fA = fp[P.FA]!;
    const fB = fp[P.FB]!;
    const fC = fp[P.FC]!;
    const sA = fp[P.SA]!;
    const sB = fp[P.SB]!;
    const sC = fp[P.SC]!;
    const nA = fp[P.NA]!;
    const nB = fp[P.NB]!;
    const nC = fp[P.NC]!;
    const eA = fp[P.EA]!;
    const eB = fp[P.EB]!;
    const eC = fp[P.EC]!;
    const dA = fp[P.DA]!;
    const dB = fp[P.DB]!;
    const dC = fp[P.DC]!;
    const alt = fp[P.ALT]!;
    const camN = fp[P.CAMN]!;
    const camE = fp[P.CAME]!;
    const columns = fp[P.COLUMNS]! | 0;

    const F = this.heapF;
    const I = this.heapI;
    const offQ0 = this.offQ0 | 0;
    const offRayLen = this.offRayLen | 0;
    const light = world.lighting;
    const skyLog = +light.skyLog;
    const skyGrad = +light.skyGradientLog;
    const fogLog = +light.fogLog;
    const atlas = world.atlas;
    const data = atlas.values;
    const qLo = +atlas.quantLo;
    const qStep = +atlas.quantStep;
    const groundTex = world.textures[world.groundTextureIndex]!;
    const groundInvTexel = 1 / groundTex.texelM;
    const caster = this.caster;
    const K = caster.layers | 0;
    const zfArr = caster.zf;
    const topArr = caster.top;
    const stripMin = caster.strip[0]!;
    const invDa = caster.strip[2]!;
    const OFF = +COORD_OFFSET;
    const minF = +MIN_FORWARD;
    const depth = this.depthM;
    const logI = this.logI;
    let minDepth = Number.POSITIVE_INFINITY;
    const offGList = this.offGList | 0;
    const offGIdx = this.offGIdx | 0;
    let nG = 0;

    for (let r = 0; r < H; r++) {
      let f = fB * r + fC;
      let s = sB * r + sC;
      let dn = nB * r + nC;
      let de = eB * r + eC;
      let up = -(dB * r + dC);
      const rowBase = r * W;
      for (let c = 0; c < W; c++, f += fA, s += sA, dn += nA, de += eA, up -= dA) {
        const i = (rowBase + c) | 0;
        // The ray meets the ground at camera depth alt / −up when it points down; comparisons against
        // it are done multiplied out (zf·(−up) < alt·f), so obstacle pixels need no extra division.
        const down = -up;
        // Obstacles: the first layer of this pixel's strip column that the ray meets below the
        // obstacle's top and before the ground.
        if (f > minF) {
          const invf = 1 / f;
          const x = (s * invf - stripMin) * invDa;
          if (x >= 0 && x < columns) {
            const q = up * invf;
            const j = x | 0;
            let slot = -1;
            const q0 = (offQ0 + (j << 1)) | 0;
            if (q > F[q0]!) {
              if (q <= F[(q0 + 1) | 0]!) slot = Math.imul(j, K);
              else {
                // Doubles through fp: a call V8 does not inline would allocate them.
                fp[P.LB_Q] = q;
                fp[P.LB_F] = f;
                fp[P.LB_DOWN] = down;
                slot = this.layerBehind(j, zfArr, topArr);
              }
            }
            if (slot >= 0) {
              const o = Math.imul(slot, SF.STRIDE);
              const oi = Math.imul(slot, SI.STRIDE);
              const zHit = F[(o + SF.ZF) | 0]!;
              const tHit = zHit * invf;
              depth[i] = tHit;
              if (tHit < minDepth) minDepth = tHit;
              const mode = I[(oi + SI.MODE) | 0]!;
              if (mode === Mode.CONSTANT) {
                logI[i] = F[(o + SF.CONST) | 0]!;
                continue;
              }
              const v = Math.fround((alt + zHit * q) * F[(o + SF.INV_TEXEL) | 0]! + F[(o + SF.V_OFF) | 0]!);
              // Level l0: the row half of the bilinear lookup (the column half is the slot's).
              let y = v * F[(o + SF.SCALE) | 0]! + OFF;
              let yi = y | 0;
              let mask = I[(oi + SI.MASK) | 0]!;
              let size = I[(oi + SI.SIZE) | 0]!;
              let r0 = Math.imul(yi & mask, size);
              let r1 = Math.imul(((yi + 1) | 0) & mask, size);
              let p0 = I[(oi + SI.COL0) | 0]!;
              let p1 = I[(oi + SI.COL1) | 0]!;
              let fx = F[(o + SF.FX) | 0]!;
              let a = data[(r0 + p0) | 0]!;
              let top = a + (data[(r0 + p1) | 0]! - a) * fx;
              let cc = data[(r1 + p0) | 0]!;
              let albedo = top + (cc + (data[(r1 + p1) | 0]! - cc) * fx - top) * (y - yi);
              if (mode === Mode.TWO_LEVELS) {
                y = v * F[(o + SF.LEVEL1 + SF.SCALE) | 0]! + OFF;
                yi = y | 0;
                mask = I[(oi + SI.LEVEL1 + SI.MASK) | 0]!;
                size = I[(oi + SI.LEVEL1 + SI.SIZE) | 0]!;
                r0 = Math.imul(yi & mask, size);
                r1 = Math.imul(((yi + 1) | 0) & mask, size);
                p0 = I[(oi + SI.LEVEL1 + SI.COL0) | 0]!;
                p1 = I[(oi + SI.LEVEL1 + SI.COL1) | 0]!;
                fx = F[(o + SF.LEVEL1 + SF.FX) | 0]!;
                a = data[(r0 + p0) | 0]!;
                top = a + (data[(r0 + p1) | 0]! - a) * fx;
                cc = data[(r1 + p0) | 0]!;
                albedo += (top + (cc + (data[(r1 + p1) | 0]! - cc) * fx - top) * (y - yi) - albedo) * F[(o + SF.FRAC) | 0]!;
              }
              const lit = qLo + qStep * albedo + F[(o + SF.ADD) | 0]!;
              logI[i] = lit + (fogLog - lit) * F[(o + SF.FOG) | 0]!;
              continue;
            }
          }
        }
        if (down > 1e-9) {
          // Ground: depth now; the texture sample later, for the whole frame's ground pixels at once
          // (groundLevels, groundSample) — see the file comment.
          const tGround = alt / down;
          depth[i] = tGround;
          if (tGround < minDepth) minDepth = tGround;
          const g = (offGList + (nG << 2)) | 0;
          F[g] = Math.fround((camE + tGround * de) * groundInvTexel);
          F[(g + 1) | 0] = Math.fround((camN + tGround * dn) * groundInvTexel);
          F[(g + 3) | 0] = tGround * F[(offRayLen + i) | 0]!;
          I[(offGIdx + nG) | 0] = i;
          nG = (nG + 1) | 0;
          continue;
        }
        depth[i] = Number.POSITIVE_INFINITY;
        const q = f > minF ? up / f : 3;
        logI[i] = Math.fround(skyLog + skyGrad * (q < 3 ? q : 3));
      }
    }
    this.minDepthM = minDepth;
    this.groundLevels(nG);
    this.groundSample(world, nG);
  }

  /**
   * The per-world and per-frame values the native kernels read from `fp` (the JS passes read them from
   * the world directly), and the ground texture's level offsets in the int heap.
   */
  private kernelParams(world: World): void {
    const fp = this.fp;
    const atlas = world.atlas;
    const light = world.lighting;
    const I = this.heapI;
    const groundBase = atlas.base[world.groundTextureIndex]!;
    for (let l = 0; l <= atlas.maxLod; l++) I[this.offGroundLevels + l] = groundBase + atlas.levelOffset[l]!;
    fp[P.FOG_LEN] = this.fogLutLength;
    fp[P.MAX_LOD] = atlas.maxLod;
    fp[P.GROUND_SIZE] = atlas.size;
    fp[P.GROUND_TOP] = groundBase + atlas.levelOffset[atlas.maxLod]!;
    fp[P.QLO] = atlas.quantLo;
    fp[P.QSTEP] = atlas.quantStep;
    fp[P.SKY_LOG] = light.skyLog;
    fp[P.SKY_GRAD] = light.skyGradientLog;
    fp[P.FOG_LOG] = light.fogLog;
    fp[P.GROUND_SHADE] = Math.fround(world.groundShadeLog);
    fp[P.STRIP_MIN] = this.caster.strip[0]!;
    fp[P.INV_DA] = this.caster.strip[2]!;
  }

  /**
   * The frame's ground pixels (list filled by shadedPass: u, v, range; pixel index), first pass: mip
   * level of detail from the footprint. A loop of its own: computed in the sampling loop, it would
   * lengthen each pixel's chain of dependent steps, and the CPU would keep fewer pixels in flight
   * (measured on a ground kernel: 1.25x slower).
   */
  private groundLevels(nG: number): void {
    const fp = this.fp;
    const alt = fp[P.ALT]!;
    const groundInvTexel = fp[P.GROUND_INV_TEXEL]!;
    const pixAngle = this.camera.pixelAngleRad;
    const footScaleNear = (pixAngle * groundInvTexel) / alt;
    const footScaleFar = 10 * pixAngle * groundInvTexel;
    const tenAlt = 10 * alt;
    const F = this.heapF;
    const offGList = this.offGList | 0;
    const offPow2 = this.offPow2 | 0;
    for (let k = 0; k < nG; k++) {
      const g = (offGList + (k << 2)) | 0;
      const range = F[(g + 3) | 0]!;
      // Footprint of the pixel on the ground in texels: pixAngle·range / sin(grazing angle), with
      // sin = alt / range, the stretch capped at 10× near the horizon.
      const footTx = range < tenAlt ? range * range * footScaleNear : range * footScaleFar;
      let lod = 0;
      if (footTx > 1) {
        // log2, exact at powers of two and linear in between (continuous: no mip popping).
        const xi = footTx < 1073741824 ? footTx | 0 : 1073741824;
        const e = (31 - Math.clz32(xi)) | 0;
        lod = Math.fround(e + footTx * F[(offPow2 + e) | 0]! - 1);
      }
      F[(g + 2) | 0] = lod;
    }
  }

  /** Second pass over the frame's ground pixels: trilinear sample (bilinearAt inlined), light, fog. */
  private groundSample(world: World, nG: number): void {
    const F = this.heapF;
    const I = this.heapI;
    const offGList = this.offGList | 0;
    const offGIdx = this.offGIdx | 0;
    const offPow2 = this.offPow2 | 0;
    const offFog = this.offFog | 0;
    const fogLast = (offFog + this.fogLutLength - 1) | 0;
    const fogSteps = this.fogLutLength - 1;
    const offGround = this.offGroundLevels | 0;
    const fogLog = +world.lighting.fogLog;
    const atlas = world.atlas;
    const data = atlas.values;
    const maxLod = atlas.maxLod | 0;
    const qLo = +atlas.quantLo;
    const qStep = +atlas.quantStep;
    const groundBase = atlas.base[world.groundTextureIndex]! | 0;
    for (let l = 0; l <= maxLod; l++) I[offGround + l] = groundBase + atlas.levelOffset[l]!;
    // The top level's single texel, read inside the loop: a value from outside the loop merged with
    // the loop's doubles made V8 keep `albedo` boxed (a heap allocation per pixel).
    const groundTopIndex = (groundBase + atlas.levelOffset[maxLod]!) | 0;
    const groundSize = atlas.size | 0;
    const groundShade = Math.fround(world.groundShadeLog);
    const fogScale = 1 / FOG_LUT_STEP_M;
    const OFF = +COORD_OFFSET;
    const logI = this.logI;
    for (let k = 0; k < nG; k++) {
      const g = (offGList + (k << 2)) | 0;
      const u = F[g]!;
      const v = F[(g + 1) | 0]!;
      const lod = F[(g + 2) | 0]!;
      const range = F[(g + 3) | 0]!;
      let albedo: number;
      if (lod >= maxLod) albedo = data[groundTopIndex]!;
      else {
        // Level l0 and blend weight to l0 + 1 (frac ≤ 0 when lod ≤ 0: level 0 alone).
        const l0 = lod > 0 ? lod | 0 : 0;
        const frac = lod - l0;
        let scale = F[(offPow2 + l0) | 0]!;
        let size = groundSize >> l0;
        let mask = (size - 1) | 0;
        let off = I[(offGround + l0) | 0]!;
        let x = u * scale + OFF;
        let y = v * scale + OFF;
        let xi = x | 0;
        let yi = y | 0;
        let fx = x - xi;
        let x0 = xi & mask;
        let x1 = ((xi + 1) | 0) & mask;
        let r0 = (off + Math.imul(yi & mask, size)) | 0;
        let r1 = (off + Math.imul(((yi + 1) | 0) & mask, size)) | 0;
        let a = data[(r0 + x0) | 0]!;
        let top = a + (data[(r0 + x1) | 0]! - a) * fx;
        let cc = data[(r1 + x0) | 0]!;
        albedo = top + (cc + (data[(r1 + x1) | 0]! - cc) * fx - top) * (y - yi);
        if (frac >= 1 / 64) {
          const l1 = (l0 + 1) | 0;
          scale = F[(offPow2 + l1) | 0]!;
          size = groundSize >> l1;
          mask = (size - 1) | 0;
          off = I[(offGround + l1) | 0]!;
          x = u * scale + OFF;
          y = v * scale + OFF;
          xi = x | 0;
          yi = y | 0;
          fx = x - xi;
          x0 = xi & mask;
          x1 = ((xi + 1) | 0) & mask;
          r0 = (off + Math.imul(yi & mask, size)) | 0;
          r1 = (off + Math.imul(((yi + 1) | 0) & mask, size)) | 0;
          a = data[(r0 + x0) | 0]!;
          top = a + (data[(r0 + x1) | 0]! - a) * fx;
          cc = data[(r1 + x0) | 0]!;
          albedo += (top + (cc + (data[(r1 + x1) | 0]! - cc) * fx - top) * (y - yi) - albedo) * frac;
        }
      }
      // Fog table index, clamped before the conversion to int32 (which wraps beyond 2^31).
      const steps = range * fogScale;
      const li = steps < fogSteps ? (offFog + (steps | 0)) | 0 : fogLast;
      const lit = qLo + qStep * albedo + groundShade;
      logI[I[(offGIdx + k) | 0]!] = lit + (fogLog - lit) * F[li]!;
    }
  }

  /**
   * The slot of column j's first layer behind the nearest that a ray with elevation ratio q meets
   * below its top and before the ground (−1: none), for rays passing over the nearest obstacle (rare;
   * kept out of the pixel loop).
   */
  private layerBehind(j: number, zfArr: Float32Array, topArr: Float32Array): number {
    const fp = this.fp;
    const q = fp[P.LB_Q]!;
    const f = fp[P.LB_F]!;
    const down = fp[P.LB_DOWN]!;
    const alt = fp[P.ALT]!;
    const K = this.caster.layers;
    const base = j * K;
    for (let k = 1; k < K; k++) {
      const zf = zfArr[base + k]!;
      if (!(zf < Number.POSITIVE_INFINITY) || (down > 0 && zf * down >= alt * f)) break;
      if (alt + zf * q <= topArr[base + k]!) return base + k;
    }
    return -1;
  }

  /**
   * Fog weights 1 − exp(−range / fogDistance) sampled every 5 cm out to 10 fog distances (where the
   * weight is 1 to 5 decimals) or 1 km, whichever is nearer; ranges beyond use the last entry. Stored
   * as float32 values.
   */
  private buildFogLut(world: World): void {
    const dist = world.lighting.fogDistanceM;
    const reachM = Math.min(10 * dist, 1000);
    const n = Math.ceil(reachM / FOG_LUT_STEP_M) + 1;
    const F = this.heapF;
    const off = this.offFog;
    for (let i = 0; i < n; i++) F[off + i] = Math.fround(1 - Math.exp(-(i * FOG_LUT_STEP_M) / dist));
    if (reachM >= 10 * dist) F[off + n - 1] = 1;
    this.fogLutLength = n;
    this.fogLutWorld = world;
  }
}
