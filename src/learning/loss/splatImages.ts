/**
 * Preallocated splat images with a list of touched pixels, so that clearing and summing cost
 * O(events), not O(pixels): at sensor resolution (e.g. 640 × 480 = 307 k pixels) a window of 4 k events
 * touches at most 16 k of them.
 *
 * Layout: `channels` interleaved planes, value of channel c at pixel p at [p · channels + c]. Two images
 * share the layout: `count` (Σ splat weights, "events") and `timeSum` (Σ weight · timestamp).
 */
import type { BilinearStencil } from './bilinearStencil.js';

export class SplatImages {
  /** Σ of splat weights per pixel and channel (events). */
  readonly count: Float64Array;
  /** Σ of splat weight × normalised timestamp per pixel and channel (events). */
  readonly timeSum: Float64Array;
  /** Flat pixel indices touched since the last `clear`, in first-touch order; the first `touchedCount` are valid. */
  readonly touched: Int32Array;
  touchedCount = 0;
  /** 1 where the pixel is in `touched`. */
  private readonly isTouched: Uint8Array;

  constructor(
    readonly widthPx: number,
    readonly heightPx: number,
    readonly channels: number,
  ) {
    const pixels = widthPx * heightPx;
    this.count = new Float64Array(pixels * channels);
    this.timeSum = new Float64Array(pixels * channels);
    this.touched = new Int32Array(pixels);
    this.isTouched = new Uint8Array(pixels);
  }

  /** Zeroes the touched pixels (all channels) and empties the list. */
  clear(): void {
    const ch = this.channels;
    for (let k = 0; k < this.touchedCount; k++) {
      const p = this.touched[k]!;
      this.isTouched[p] = 0;
      for (let c = 0; c < ch; c++) {
        this.count[p * ch + c] = 0;
        this.timeSum[p * ch + c] = 0;
      }
    }
    this.touchedCount = 0;
  }

  /**
   * Splats one event: adds each strictly positive stencil weight w to `count` and w · tau[i] to `timeSum`
   * in channel `c` of the stencil's pixels, and records them as touched (so a touched pixel has count > 0).
   */
  splat(st: BilinearStencil, c: number, tau: Float64Array, i: number): void {
    const t = tau[i]!;
    const ch = this.channels;
    for (let k = 0; k < 4; k++) {
      const p = st.index[k]!;
      const w = st.weight[k]!;
      if (p < 0 || !(w > 0)) continue;
      if (this.isTouched[p] === 0) {
        this.isTouched[p] = 1;
        this.touched[this.touchedCount++] = p;
      }
      const j = p * ch + c;
      this.count[j] += w;
      this.timeSum[j] += w * t;
    }
  }
}
