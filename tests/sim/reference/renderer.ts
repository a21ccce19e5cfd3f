/**
 * Test oracle: the simulator's renderer as it was before the throughput work (two passes: geometry
 * into per-pixel arrays, then trilinear shading through `bilinearAt`), kept verbatim apart from its
 * imports and the class names. The optimised renderer must produce bit-identical frames (see
 * renderer-equivalence.test.ts); change this file only together with an intended change of the output.
 */
/**
 * Renders log intensity and depth for a pinhole camera in a `World`.
 *
 * Per frame, three steps:
 * 1. one per-column cast against the vertical obstacles (ColumnCaster);
 * 2. a geometry pass over the pixels: each pixel's ray is an affine function of its column and row,
 *    so the pass only adds increments; per pixel it does one division, a lookup of its strip column,
 *    and writes depth plus *what to sample* (atlas texture, u, v, mip level, shading, fog);
 * 3. a shading pass that samples the world's texture atlas trilinearly. Splitting geometry from
 *    shading keeps the hot loops small enough for V8 to inline the sampler (a call that is not
 *    inlined boxes its double result, i.e. allocates per pixel). (Measured: shading row by row, or
 *    fusing both passes with the sampler inlined by hand, is no faster.)
 *
 * No allocation per frame: outputs live in preallocated typed arrays owned by the renderer and are
 * overwritten by the next `render`.
 *
 * Outputs:
 * - `logI[r·W + c]`: natural-log intensity (relative units, see World).
 * - `depthM[r·W + c]`: depth along the optical axis (camera-frame z), metres; +∞ for sky.
 * - `minDepthM`: the smallest finite depth of the frame (drives adaptive sampling).
 */
import type { World } from '../../../sim/world/world.js';
import { bilinearAt } from '../../../sim/world/texture.js';
import { ReferenceColumnCaster } from './columnCaster.js';
import type { CameraPose, PinholeCamera } from '../../../sim/camera/pinhole.js';

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
/** 2^−e, for the inlined fast log2 of the ground's mip level. */
const INV_POW2 = Float64Array.from({ length: 32 }, (_, e) => 2 ** -e);

export class ReferenceRenderer {
  readonly camera: PinholeCamera;
  readonly options: RendererOptions;
  readonly logI: Float32Array;
  readonly depthM: Float32Array;
  minDepthM = Number.POSITIVE_INFINITY;
  private readonly caster: ReferenceColumnCaster;
  /** |d| of each pixel's camera-frame ray (x, y, 1): range = depth · |d|. */
  private readonly rayLen: Float32Array;
  /** (column, row) pairs of the image border, where the strip's extreme tangents lie. */
  private readonly borderPx: Int32Array;
  /** What the shading pass samples per pixel: atlas base (−1: constant `addLog`), u, v, lod, add, fog. */
  private readonly texBase: Int32Array;
  private readonly texU: Float32Array;
  private readonly texV: Float32Array;
  private readonly texLod: Float32Array;
  private readonly addLog: Float32Array;
  private readonly fogW: Float32Array;
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
    this.texBase = new Int32Array(n);
    this.texU = new Float32Array(n);
    this.texV = new Float32Array(n);
    this.texLod = new Float32Array(n);
    this.addLog = new Float32Array(n);
    this.fogW = new Float32Array(n);
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
    this.caster = new ReferenceColumnCaster(Math.ceil(2 * MAX_TAN * camera.fxPx * this.options.oversample) + 2, this.options.layers);
  }

  render(world: World, pose: CameraPose): void {
    this.geometryPass(world, pose);
    if (this.options.shade) this.shadeRange(world, 0, this.logI.length);
  }

  private geometryPass(world: World, pose: CameraPose): void {
    const cam = this.camera;
    const W = cam.widthPx;
    const H = cam.heightPx;
    const R = pose.worldFromCamera;
    const fx = cam.fxPx;
    const fy = cam.fyPx;
    const cx = cam.cxPx;
    const cy = cam.cyPx;
    const alt = Math.max(pose.altitudeM, 1e-3);
    const camN = pose.northM;
    const camE = pose.eastM;

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
      caster.cast(world, camN, camE, cosH, sinH, aMin, aMin + columns * da, columns, cam.pixelAngleRad, opts.maxRangeM);
      columns = caster.columns;
      caster.prepareVisibility(alt);
    }

    if (this.fogLutWorld !== world) this.buildFogLut(world);
    const fogLut = this.fogLut;
    const fogLutLast = fogLut.length - 1;
    const light = world.lighting;
    const skyLog = light.skyLog;
    const skyGrad = light.skyGradientLog;
    const groundTex = world.textures[world.groundTextureIndex]!;
    const groundBase = world.atlas.base[world.groundTextureIndex]!;
    const groundInvTexel = 1 / groundTex.texelM;
    const groundShade = world.groundShadeLog;
    const pixAngle = cam.pixelAngleRad;
    const footScaleNear = (pixAngle * groundInvTexel) / alt;
    const footScaleFar = 10 * pixAngle * groundInvTexel;
    const K = caster.layers;
    const zfArr = caster.zf;
    const topArr = caster.top;
    const uArr = caster.uTx;
    const invTexelArr = caster.invTexel;
    const vOffArr = caster.vOffTx;
    const baseArr = caster.texBase;
    const shadeArr = caster.shadeLog;
    const lodArr = caster.lod;
    const fogArr = caster.fogW;
    const q0Lo = caster.q0Lo;
    const q0Hi = caster.q0Hi;
    const stripMin = caster.strip[0]!;
    const invDa = caster.strip[2]!;
    const depth = this.depthM;
    const rayLen = this.rayLen;
    const texBase = this.texBase;
    const texU = this.texU;
    const texV = this.texV;
    const texLod = this.texLod;
    const addLog = this.addLog;
    const fogW = this.fogW;
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
              texBase[i] = baseArr[slot]!;
              texU[i] = uArr[slot]!;
              texV[i] = (alt + zHit * q) * invTexelArr[slot]! + vOffArr[slot]!;
              texLod[i] = lodArr[slot]!;
              addLog[i] = shadeArr[slot]!;
              fogW[i] = fogArr[slot]!;
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
            lod = e + footTx * INV_POW2[e]! - 1;
          }
          texBase[i] = groundBase;
          texU[i] = (camE + tGround * de) * groundInvTexel;
          texV[i] = (camN + tGround * dn) * groundInvTexel;
          texLod[i] = lod;
          addLog[i] = groundShade;
          const li = (range * (1 / FOG_LUT_STEP_M)) | 0;
          fogW[i] = fogLut[li < fogLutLast ? li : fogLutLast]!;
          continue;
        }
        depth[i] = Number.POSITIVE_INFINITY;
        const q = f > MIN_FORWARD ? up / f : 3;
        texBase[i] = -1;
        addLog[i] = skyLog + skyGrad * (q < 3 ? q : 3);
      }
    }
    this.minDepthM = minDepth;
  }

  /** Samples the atlas for pixels [start, end) (see the file comment). */
  private shadeRange(world: World, start: number, end: number): void {
    const atlas = world.atlas;
    const data = atlas.data;
    const levelOffset = atlas.levelOffset;
    const levelSize = atlas.levelSize;
    const levelScale = atlas.levelScale;
    const maxLod = atlas.maxLod;
    const size0 = atlas.size;
    const qLo = atlas.quantLo;
    const qStep = atlas.quantStep;
    const topOffset = levelOffset[maxLod]!;
    const fogLog = world.lighting.fogLog;
    const texBase = this.texBase;
    const texU = this.texU;
    const texV = this.texV;
    const texLod = this.texLod;
    const addLog = this.addLog;
    const fogW = this.fogW;
    const logI = this.logI;
    for (let i = start; i < end; i++) {
      const b = texBase[i]!;
      if (b < 0) {
        logI[i] = addLog[i]!;
        continue;
      }
      const lod = texLod[i]!;
      const u = texU[i]!;
      const v = texV[i]!;
      let albedo: number; // in stored (quantised) units until dequantised below
      if (lod <= 0) albedo = bilinearAt(data, b, size0, 1, u, v);
      else if (lod >= maxLod) albedo = data[b + topOffset]!;
      else {
        const l0 = lod | 0;
        const frac = lod - l0;
        albedo = bilinearAt(data, b + levelOffset[l0]!, levelSize[l0]!, levelScale[l0]!, u, v);
        if (frac >= 1 / 64) {
          const l1 = l0 + 1;
          albedo += (bilinearAt(data, b + levelOffset[l1]!, levelSize[l1]!, levelScale[l1]!, u, v) - albedo) * frac;
        }
      }
      const lit = qLo + qStep * albedo + addLog[i]!;
      logI[i] = lit + (fogLog - lit) * fogW[i]!;
    }
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
