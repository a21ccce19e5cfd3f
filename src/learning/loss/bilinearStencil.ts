/**
 * Bilinear splatting stencil: where one (warped) event's unit weight goes in an image, and how those
 * weights change when the event moves. Forward and gradient side by side, in one preallocated object.
 *
 * Coordinates are continuous image coordinates with pixel *centres* at integers (pixel j is centred on
 * x = j). An event at (X, Y), with ix = ⌊X⌋, fx = X − ix (same in y), gives the four neighbours
 *     k = 0: w = (1 − fx)(1 − fy)  at (ix,     iy)        ∂w/∂X = −(1 − fy),  ∂w/∂Y = −(1 − fx)
 *     k = 1: w =      fx (1 − fy)  at (ix + 1, iy)        ∂w/∂X =  (1 − fy),  ∂w/∂Y = −fx
 *     k = 2: w = (1 − fx)     fy   at (ix,     iy + 1)    ∂w/∂X = −fy,        ∂w/∂Y =  (1 − fx)
 *     k = 3: w =      fx      fy   at (ix + 1, iy + 1)    ∂w/∂X =  fy,        ∂w/∂Y =  fx
 * (Gallego et al. 2018 use the same bilinear "voting"). The weights are piecewise bilinear in (X, Y): the
 * derivatives above are exact everywhere except on integer lines, where they are the right-hand ones
 * (⌊·⌋ picks the cell to the right); central differences there average the two sides.
 *
 * Neighbours outside the image get index −1 and contribute nothing (the event's weight there is lost,
 * like Hagenaars et al.'s removal of warps that leave the image): C and S lose the same share, so the
 * average timestamp of a border pixel stays a true average.
 *
 * Performance: `set` is kept small so that V8 inlines it into the per-event loops (a call that is not
 * inlined costs more than the arithmetic, and boxes float arguments); the weight derivatives are methods
 * of the fractions it stores instead of four more arrays.
 */
export class BilinearStencil {
  /** Flat pixel index (row-major, y · width + x) of each neighbour k = 0 … 3, or −1 if outside. */
  readonly index = new Int32Array(4);
  /** Splat weight of each neighbour (dimensionless, sums to 1 when all four are inside). */
  readonly weight = new Float64Array(4);
  /** Fractional position inside the cell, fx = X − ⌊X⌋ and fy = Y − ⌊Y⌋, at [0] and [1]. */
  readonly frac = new Float64Array(2);

  constructor(
    readonly widthPx: number,
    readonly heightPx: number,
  ) {}

  /**
   * Forward: fills the stencil for the event at continuous image coordinates (xsPx[i], ysPx[i]). Returns
   * false when no neighbour is inside. (Coordinates come in arrays so that no float is passed as an
   * argument: V8 boxes float arguments of calls it does not inline.)
   */
  set(xsPx: Float64Array, ysPx: Float64Array, i: number): boolean {
    const x = xsPx[i]!;
    const y = ysPx[i]!;
    const ix = Math.floor(x);
    const iy = Math.floor(y);
    const fx = x - ix;
    const fy = y - iy;
    this.frac[0] = fx;
    this.frac[1] = fy;
    this.weight[0] = (1 - fx) * (1 - fy);
    this.weight[1] = fx * (1 - fy);
    this.weight[2] = (1 - fx) * fy;
    this.weight[3] = fx * fy;
    // Bounds: comparisons written so that NaN coordinates land outside.
    const w = this.widthPx;
    const x0 = ix >= 0 && ix < w;
    const x1 = ix >= -1 && ix < w - 1;
    const y0 = iy >= 0 && iy < this.heightPx;
    const y1 = iy >= -1 && iy < this.heightPx - 1;
    const p = iy * w + ix;
    this.index[0] = x0 && y0 ? p : -1;
    this.index[1] = x1 && y0 ? p + 1 : -1;
    this.index[2] = x0 && y1 ? p + w : -1;
    this.index[3] = x1 && y1 ? p + w + 1 : -1;
    return (x0 || x1) && (y0 || y1);
  }

  /** Gradient: ∂weight_k/∂X (1/px) at the last `set` (see the table in the file comment). */
  dWeightDX(k: number): number {
    const fy = this.frac[1]!;
    const m = k < 2 ? 1 - fy : fy;
    return (k & 1) === 1 ? m : -m;
  }

  /** Gradient: ∂weight_k/∂Y (1/px) at the last `set`. */
  dWeightDY(k: number): number {
    const fx = this.frac[0]!;
    const m = (k & 1) === 0 ? 1 - fx : fx;
    return k >= 2 ? m : -m;
  }
}
