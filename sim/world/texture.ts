/**
 * A square, tileable texture of **natural-log albedo** with a mip pyramid.
 *
 * Why log albedo: the event model works in log intensity, and intensity = albedo × illumination, so
 * storing log albedo turns shading into an addition and spares the renderer a `Math.log` per pixel.
 * Why mip levels: a texture sampled with fewer pixels than texels aliases, and aliasing flickers as
 * the camera moves, which a DVS turns into spurious events; sampling the level whose texels match the
 * pixel footprint (trilinear) removes that flicker.
 *
 * Coordinates are in level-0 texels; the texture wraps (repeats) in both directions. Texel centres lie
 * at half-integer coordinates. All levels live in one Float32Array (`data`, level l at
 * `levelOffset[l]`), which keeps the per-pixel sampler free of array-of-array indirections.
 */
export class MipTexture {
  readonly size: number;
  /** Every level, row-major (v rows, u columns), level l of (size >> l)² texels at levelOffset[l]. */
  readonly data: Float32Array;
  readonly levelOffset: Int32Array;
  /** Texels per side of each level, and 1 / 2^l (level-0 texels → level-l texels). */
  readonly levelSize: Int32Array;
  readonly levelScale: Float64Array;
  /** Number of levels − 1 (the 1×1 level). */
  readonly maxLod: number;
  /** Mean log albedo (the 1×1 level), handy for fog and for tests. */
  readonly meanLog: number;

  constructor(base: Float32Array, size: number) {
    if (size < 1 || (size & (size - 1)) !== 0) throw new Error(`texture size ${size} is not a power of two`);
    if (base.length !== size * size) throw new Error('texture data does not match its size');
    this.size = size;
    const levels = Math.log2(size) + 1;
    this.levelOffset = new Int32Array(levels);
    this.levelSize = new Int32Array(levels);
    this.levelScale = new Float64Array(levels);
    let total = 0;
    for (let l = 0; l < levels; l++) {
      this.levelOffset[l] = total;
      this.levelSize[l] = size >> l;
      this.levelScale[l] = 1 / (1 << l);
      total += (size >> l) * (size >> l);
    }
    this.data = new Float32Array(total);
    this.data.set(base, 0);
    // Box-filter each level from the one above (2×2 average in the log domain: good enough for
    // anti-aliasing; the exact linear-domain mean would differ by a fraction of a threshold).
    for (let l = 1; l < levels; l++) {
      const s = size >> (l - 1);
      const n = s >> 1;
      const src = this.levelOffset[l - 1]!;
      const dst = this.levelOffset[l]!;
      for (let y = 0; y < n; y++) {
        for (let x = 0; x < n; x++) {
          const i = src + 2 * y * s + 2 * x;
          this.data[dst + y * n + x] = 0.25 * (this.data[i]! + this.data[i + 1]! + this.data[i + s]! + this.data[i + s + 1]!);
        }
      }
    }
    this.maxLod = levels - 1;
    this.meanLog = this.data[this.levelOffset[levels - 1]!]!;
  }

  /** Copy of one level (tests, debugging). */
  level(l: number): Float32Array {
    const n = this.levelSize[l]!;
    return this.data.slice(this.levelOffset[l]!, this.levelOffset[l]! + n * n);
  }
}

/**
 * Added to texel coordinates before truncating them to integers: a multiple of every level's size, so
 * wrapping is unchanged, and large enough that coordinates stay positive, where `x | 0` is floor(x)
 * (much cheaper than `Math.floor` followed by an integer mask in V8). Valid for |u|, |v| < 2^20 texels.
 */
export const COORD_OFFSET = 1048576 - 0.5;

/** Bilinear sample of one level at level-0 texel coordinates (u, v). */
export function sampleLevel(tex: MipTexture, level: number, u: number, v: number): number {
  const data = tex.data;
  const off = tex.levelOffset[level]!;
  const n = tex.levelSize[level]!;
  const mask = n - 1;
  const sc = tex.levelScale[level]!;
  const x = u * sc + COORD_OFFSET;
  const y = v * sc + COORD_OFFSET;
  const xi = x | 0;
  const yi = y | 0;
  const fx = x - xi;
  const fy = y - yi;
  const x0 = xi & mask;
  const x1 = (xi + 1) & mask;
  const r0 = off + (yi & mask) * n;
  const r1 = off + ((yi + 1) & mask) * n;
  const a = data[r0 + x0]!;
  const b = data[r0 + x1]!;
  const c = data[r1 + x0]!;
  const d = data[r1 + x1]!;
  const top = a + (b - a) * fx;
  return top + (c + (d - c) * fx - top) * fy;
}

/**
 * Trilinear sample: bilinear in the two levels bracketing `lod` (log2 of texels per pixel footprint),
 * blended linearly. `lod` ≤ 0 samples level 0 only.
 */
export function sampleTrilinear(tex: MipTexture, u: number, v: number, lod: number): number {
  if (lod <= 0) return sampleLevel(tex, 0, u, v);
  if (lod >= tex.maxLod) return tex.meanLog;
  const l0 = lod | 0;
  const f = lod - l0;
  const s0 = sampleLevel(tex, l0, u, v);
  if (f < 1 / 64) return s0;
  const s1 = sampleLevel(tex, l0 + 1, u, v);
  return s0 + (s1 - s0) * f;
}

const INV_POW2 = Float64Array.from({ length: 32 }, (_, e) => 2 ** -e);

/**
 * Fast, continuous, monotonic approximation of log2(x): exact at powers of two, linear in between
 * (error < 0.09). Returns 0 for x ≤ 1 (callers use it for mip levels, where ≤ 0 means level 0) and
 * saturates at 31. Cheaper than `Math.log2` in the per-pixel loop.
 */
export function fastLog2(x: number): number {
  if (!(x > 1)) return 0;
  if (x >= 2147483647) return 31;
  const e = 31 - Math.clz32(x | 0);
  return e + x * INV_POW2[e]! - 1;
}

/**
 * All of a world's textures (equal sizes) with their mip chains in one array, so the renderer's
 * shading loop samples any surface through the same typed array (one monomorphic loop, no calls that
 * box their double results).
 *
 * Stored quantised to 16 bits (log albedo = lo + step · value, step ≈ 1e-4 log units, far below any
 * event threshold): half the memory of float32, which matters because texture fetches are the
 * renderer's main cost and a smaller atlas stays in cache.
 */
export class TextureAtlas {
  readonly data: Uint16Array;
  /**
   * The same stored values as doubles (exact): the renderer's sampling loops read these, which spares
   * them an integer-to-float conversion per texel fetched (measurably faster, though 4× the memory).
   */
  readonly values: Float64Array;
  /** Offset of texture t's level 0 in `data`; its level l lies at base[t] + levelOffset[l]. */
  readonly base: Int32Array;
  readonly size: number;
  readonly levelOffset: Int32Array;
  readonly levelSize: Int32Array;
  readonly levelScale: Float64Array;
  readonly maxLod: number;
  readonly meanLog: Float64Array;
  /** Dequantisation: log albedo = quantLo + quantStep · data[k]. */
  readonly quantLo: number;
  readonly quantStep: number;

  constructor(textures: readonly MipTexture[]) {
    if (textures.length === 0) throw new Error('a texture atlas needs at least one texture');
    const first = textures[0]!;
    for (const t of textures) {
      if (t.size !== first.size) throw new Error(`atlas textures must share one size (${t.size} ≠ ${first.size})`);
    }
    this.size = first.size;
    this.levelOffset = first.levelOffset;
    this.levelSize = first.levelSize;
    this.levelScale = first.levelScale;
    this.maxLod = first.maxLod;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const t of textures) {
      for (const v of t.data) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    this.quantLo = lo;
    this.quantStep = hi > lo ? (hi - lo) / 65535 : 1;
    const per = first.data.length;
    this.data = new Uint16Array(per * textures.length);
    this.base = new Int32Array(textures.length);
    this.meanLog = new Float64Array(textures.length);
    textures.forEach((t, i) => {
      const off = i * per;
      for (let k = 0; k < per; k++) this.data[off + k] = Math.round((t.data[k]! - lo) / this.quantStep);
      this.base[i] = off;
      this.meanLog[i] = t.meanLog;
    });
    this.values = Float64Array.from(this.data);
  }
}

/**
 * Bilinear sample (in stored units) of the level starting at `off` (n × n texels, `scale` = 1 / 2^level)
 * of an atlas's `data`, at level-0 texel coordinates (u, v). Kept tiny so V8 inlines it.
 */
export function bilinearAt(data: Uint16Array, off: number, n: number, scale: number, u: number, v: number): number {
  const x = u * scale + COORD_OFFSET;
  const y = v * scale + COORD_OFFSET;
  const xi = x | 0;
  const yi = y | 0;
  const fx = x - xi;
  const fy = y - yi;
  const mask = n - 1;
  const x0 = xi & mask;
  const x1 = (xi + 1) & mask;
  const r0 = off + (yi & mask) * n;
  const r1 = off + ((yi + 1) & mask) * n;
  const a = data[r0 + x0]!;
  const b = data[r0 + x1]!;
  const top = a + (b - a) * fx;
  const c = data[r1 + x0]!;
  return top + (c + (data[r1 + x1]! - c) * fx - top) * fy;
}
