/**
 * Bilinear splatting stencil: where one (warped) event's unit weight goes in an image, and how those
 * weights change when the event moves. Forward and gradient side by side, in one preallocated object.
 *
 * Coordinates are continuous image coordinates with pixel *centres* at integers (pixel j is centred on
 * x = j). An event at (X, Y), with ix = ⌊X⌋, fx = X − ix (same in y), gives the four neighbours
 *     w00 = (1 − fx)(1 − fy)  at (ix,     iy)        ∂w/∂X = −(1 − fy),  ∂w/∂Y = −(1 − fx)
 *     w10 =      fx (1 − fy)  at (ix + 1, iy)        ∂w/∂X =  (1 − fy),  ∂w/∂Y = −fx
 *     w01 = (1 − fx)     fy   at (ix,     iy + 1)    ∂w/∂X = −fy,        ∂w/∂Y =  (1 − fx)
 *     w11 =      fx      fy   at (ix + 1, iy + 1)    ∂w/∂X =  fy,        ∂w/∂Y =  fx
 * (Gallego et al. 2018 use the same bilinear "voting"). The weights are piecewise bilinear in (X, Y): the
 * derivatives above are exact everywhere except on integer lines, where they are the right-hand ones
 * (⌊·⌋ picks the cell to the right); central differences there average the two sides.
 *
 * Neighbours outside the image get index −1 and contribute nothing (the event's weight there is lost,
 * like Hagenaars et al.'s removal of warps that leave the image): C and S lose the same share, so the
 * average timestamp of a border pixel stays a true average.
 */
export class BilinearStencil {
  /** Flat pixel index (row-major, y · width + x) of each neighbour 00, 10, 01, 11, or −1 if outside. */
  readonly index = new Int32Array(4);
  /** Splat weight of each neighbour (dimensionless, sums to 1 when all four are inside). */
  readonly weight = new Float64Array(4);
  /** ∂weight/∂X per neighbour (1/px). */
  readonly dWeightDX = new Float64Array(4);
  /** ∂weight/∂Y per neighbour (1/px). */
  readonly dWeightDY = new Float64Array(4);

  constructor(
    readonly widthPx: number,
    readonly heightPx: number,
  ) {}

  /** Fills the stencil for an event at continuous image coordinates (X, Y), px. Returns false when no neighbour is inside. */
  set(xPx: number, yPx: number): boolean {
    const w = this.widthPx;
    const h = this.heightPx;
    const ix = Math.floor(xPx);
    const iy = Math.floor(yPx);
    const fx = xPx - ix;
    const fy = yPx - iy;
    const gx = 1 - fx;
    const gy = 1 - fy;
    // Forward: weights.
    this.weight[0] = gx * gy;
    this.weight[1] = fx * gy;
    this.weight[2] = gx * fy;
    this.weight[3] = fx * fy;
    // Gradient: ∂w/∂X and ∂w/∂Y (see the table in the file comment).
    this.dWeightDX[0] = -gy;
    this.dWeightDX[1] = gy;
    this.dWeightDX[2] = -fy;
    this.dWeightDX[3] = fy;
    this.dWeightDY[0] = -gx;
    this.dWeightDY[1] = -fx;
    this.dWeightDY[2] = gx;
    this.dWeightDY[3] = fx;
    // Indices, −1 outside. Comparisons are written so that NaN coordinates land outside.
    const x0In = ix >= 0 && ix < w;
    const x1In = ix + 1 >= 0 && ix + 1 < w;
    const y0In = iy >= 0 && iy < h;
    const y1In = iy + 1 >= 0 && iy + 1 < h;
    const row0 = iy * w;
    const row1 = row0 + w;
    this.index[0] = x0In && y0In ? row0 + ix : -1;
    this.index[1] = x1In && y0In ? row0 + ix + 1 : -1;
    this.index[2] = x0In && y1In ? row1 + ix : -1;
    this.index[3] = x1In && y1In ? row1 + ix + 1 : -1;
    return (x0In || x1In) && (y0In || y1In);
  }
}
