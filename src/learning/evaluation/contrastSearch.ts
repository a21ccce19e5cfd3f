/**
 * Local contrast search: per network pixel, the ν among fixed candidates that makes the window's events around it
 * sharpest. A pseudo-label for the adaptation evaluation's `--teacher search` (searchTeacher.ts), round 9's attempt at
 * a self-supervised signal for the pixels where the network sees no input event. Evaluation only.
 *
 * For each candidate c (1/s), every staged event is warped to the window's middle with ν = c, dt_i = t_mid − t_i:
 *     X_i = X0_i + dt_i · (aX_i · c + rX_i),  Y likewise            (splat px; preparedEvents.ts)
 * and splatted bilinearly into a per-polarity count image I_c. The event's score is the image at its own warped place
 * less its own share (Σ_k w_k², so an event alone scores 0): s_ic = Σ_k w_k · I_c[p_k] − Σ_k w_k². Σ_i s_ic is Σ I_c²
 * less the self terms, the event-wise part of the IWE variance, so a sharper warp scores higher. Scores are summed by
 * the network pixel an event comes from (its largest bilinear ν-sampling weight), pooled over a (2r + 1)² box, and the
 * best candidate, refined by a parabola through its neighbours, is the pixel's label. Its prominence
 * (best − mean over candidates) / best says how clearly it won; a flat score (near the focus of expansion, or an edge
 * along the flow, where no candidate moves the events across it) picks an arbitrary one.
 *
 * The middle of the window as reference keeps warps half expanding, half contracting, so a larger c does not gather
 * events into fewer pixels by itself. Cost: 2 · candidates passes over the events plus the pooling, per window.
 */
import type { SensorGeometry } from '../../contracts/sensorGeometry.js';
import type { PreparedEvents } from '../loss/preparedEvents.js';

export interface ContrastSearchOptions {
  /** ν map geometry (network pixels). */
  readonly network: SensorGeometry;
  /** Splat image geometry (PreparedEvents' splat coordinates). */
  readonly splat: SensorGeometry;
  /** Candidate ν, 1/s, ascending, evenly spaced (the parabolic refinement assumes it); at least 3. */
  readonly candidatesPerS: readonly number[];
  /** Half-width of the box the per-pixel scores are pooled over, network px (≥ 0). */
  readonly poolRadiusPx: number;
  /** Fewest events in the pooled box for a label (> 0). */
  readonly minEvents: number;
}

/** Candidates 0, step, 2·step, … ≤ maxPerS (1/s). */
export function evenCandidates(maxPerS: number, stepPerS: number): number[] {
  const out: number[] = [];
  for (let k = 0; k * stepPerS <= maxPerS + 1e-9; k++) out.push(k * stepPerS);
  return out;
}

export class ContrastSearch {
  /** Per network pixel: the label, 1/s, or NaN (too few events, or none from the pixel itself). */
  readonly labelPerS: Float64Array;
  /** Per network pixel: (best − mean) / best of the pooled scores, 0 without a label. */
  readonly prominence: Float64Array;
  private readonly k: number;
  private readonly pixels: number;
  private readonly score: Float64Array;
  private readonly rowPooled: Float64Array;
  private readonly pooled: Float64Array;
  private readonly count: Float64Array;
  private readonly pooledCount: Float64Array;
  private readonly image: Float64Array;
  private origin = new Int32Array(0);
  private base = new Int32Array(0);

  constructor(private readonly o: ContrastSearchOptions) {
    const c = o.candidatesPerS;
    if (c.length < 3 || c.some((v, i) => !Number.isFinite(v) || (i > 0 && !(v > c[i - 1]!)))) {
      throw new RangeError('contrast search: at least 3 finite candidates, ascending');
    }
    if (!(Number.isInteger(o.poolRadiusPx) && o.poolRadiusPx >= 0)) throw new RangeError(`contrast search: poolRadiusPx must be an integer ≥ 0, got ${o.poolRadiusPx}`);
    if (!(o.minEvents > 0)) throw new RangeError(`contrast search: minEvents must be > 0, got ${o.minEvents}`);
    this.k = c.length;
    this.pixels = o.network.widthPx * o.network.heightPx;
    this.labelPerS = new Float64Array(this.pixels);
    this.prominence = new Float64Array(this.pixels);
    this.score = new Float64Array(this.pixels * this.k);
    this.rowPooled = new Float64Array(this.pixels * this.k);
    this.pooled = new Float64Array(this.pixels * this.k);
    this.count = new Float64Array(this.pixels);
    this.pooledCount = new Float64Array(this.pixels);
    this.image = new Float64Array(2 * o.splat.widthPx * o.splat.heightPx);
  }

  /** Labels for the events staged in `prep` (after `prep.prepare`); overwrites prep's warp arrays. */
  run(prep: PreparedEvents): void {
    const n = prep.count;
    const K = this.k;
    if (this.origin.length < n) this.origin = new Int32Array(prep.capacity);
    const origin = this.origin;
    this.score.fill(0);
    this.count.fill(0);
    for (let i = 0, q = 0; i < n; i++, q += 4) {
      let best = q;
      for (let j = q + 1; j < q + 4; j++) if (prep.nuWeight[j]! > prep.nuWeight[best]!) best = j;
      origin[i] = prep.nuIndex[best]!;
      this.count[origin[i]!]! += 1;
    }
    for (let k = 0; k < K; k++) this.scoreCandidate(prep, k, origin);
    this.pool();
    this.pick();
  }

  /**
   * Warps with candidate k, splats, and adds each event's score to its origin pixel's entry k. The first pass keeps
   * each event's footprint (its top-left image index, −1 when the 2 × 2 footprint leaves the image, and its
   * fractions, in prep's warp arrays) for the second.
   */
  private scoreCandidate(prep: PreparedEvents, k: number, origin: Int32Array): void {
    const n = prep.count;
    const K = this.k;
    const ws = this.o.splat.widthPx;
    const hs = this.o.splat.heightPx;
    const plane = ws * hs;
    const c = this.o.candidatesPerS[k]!;
    const img = this.image;
    img.fill(0);
    if (this.base.length < n) this.base = new Int32Array(prep.capacity);
    const base = this.base;
    const fxs = prep.warpXSplatPx;
    const fys = prep.warpYSplatPx;
    for (let i = 0; i < n; i++) {
      const dt = 0.5 * (prep.dtToEndS[i]! + prep.dtToStartS[i]!);
      const x = prep.x0SplatPx[i]! + dt * (prep.aXSplatPx[i]! * c + prep.rotXSplatPxPerS[i]!);
      const y = prep.y0SplatPx[i]! + dt * (prep.aYSplatPx[i]! * c + prep.rotYSplatPxPerS[i]!);
      const ix = Math.floor(x);
      const iy = Math.floor(y);
      // Events whose 2 × 2 footprint leaves the image are skipped in both passes (for every candidate alike).
      if (!(ix >= 0 && iy >= 0 && ix < ws - 1 && iy < hs - 1)) {
        base[i] = -1;
        continue;
      }
      const fx = x - ix;
      const fy = y - iy;
      const b = prep.polarity[i]! * plane + iy * ws + ix;
      base[i] = b;
      fxs[i] = fx;
      fys[i] = fy;
      img[b] += (1 - fx) * (1 - fy);
      img[b + 1] += fx * (1 - fy);
      img[b + ws] += (1 - fx) * fy;
      img[b + ws + 1] += fx * fy;
    }
    for (let i = 0; i < n; i++) {
      const b = base[i]!;
      if (b < 0) continue;
      const fx = fxs[i]!;
      const fy = fys[i]!;
      const w0 = (1 - fx) * (1 - fy);
      const w1 = fx * (1 - fy);
      const w2 = (1 - fx) * fy;
      const w3 = fx * fy;
      const own = w0 * w0 + w1 * w1 + w2 * w2 + w3 * w3;
      this.score[origin[i]! * K + k] += w0 * img[b]! + w1 * img[b + 1]! + w2 * img[b + ws]! + w3 * img[b + ws + 1]! - own;
    }
  }

  /** Box sums over (2r + 1)² network pixels (clipped at the border) of the scores and of the event counts. */
  private pool(): void {
    const K = this.k;
    const w = this.o.network.widthPx;
    const h = this.o.network.heightPx;
    const r = this.o.poolRadiusPx;
    boxSum(this.score, this.rowPooled, this.pooled, w, h, K, r);
    boxSum(this.count, this.rowPooled, this.pooledCount, w, h, 1, r);
  }

  private pick(): void {
    const K = this.k;
    const cands = this.o.candidatesPerS;
    const pooled = this.pooled;
    for (let p = 0; p < this.pixels; p++) {
      if (this.count[p]! === 0 || this.pooledCount[p]! < this.o.minEvents) {
        this.labelPerS[p] = NaN;
        this.prominence[p] = 0;
        continue;
      }
      const o = p * K;
      let best = 0;
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const v = pooled[o + k]!;
        if (v > pooled[o + best]!) best = k;
        sum += v;
      }
      const hi = pooled[o + best]!;
      let label = cands[best]!;
      if (best > 0 && best < K - 1) {
        const lo = pooled[o + best - 1]!;
        const up = pooled[o + best + 1]!;
        const curvature = lo - 2 * hi + up;
        // Vertex of the parabola through the three scores, in candidate steps (within ±½ when best is a maximum).
        if (curvature < 0) label += ((0.5 * (lo - up)) / curvature) * (cands[best + 1]! - cands[best]!);
      }
      this.labelPerS[p] = label;
      this.prominence[p] = hi > 0 ? (hi - sum / K) / hi : 0;
    }
  }
}

/** dst = (2r + 1)²-box sum of src (w × h pixels of `depth` values each), via `tmp` (same size). */
function boxSum(src: Float64Array, tmp: Float64Array, dst: Float64Array, w: number, h: number, depth: number, r: number): void {
  const size = w * h * depth;
  tmp.fill(0, 0, size);
  dst.fill(0, 0, size);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * depth;
      for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) {
        const s = (y * w + xx) * depth;
        for (let k = 0; k < depth; k++) tmp[o + k] += src[s + k]!;
      }
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * depth;
      for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) {
        const s = (yy * w + x) * depth;
        for (let k = 0; k < depth; k++) dst[o + k] += tmp[s + k]!;
      }
    }
  }
}
