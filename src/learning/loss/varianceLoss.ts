/**
 * The second focus objective: contrast of the image of warped events (IWE) at one reference time,
 * Gallego, Rebecq & Scaramuzza (CVPR 2018, "A unifying contrast maximization framework"): events warped
 * along the flow pile up on the edges that caused them when the flow is right, which maximises the
 * variance of the IWE. Forward and exact gradient with respect to each event's ν.
 *
 *   warp   X_i = X0_i + dt_i · vX_i,   dt_i = (t_ref − t_i) s    (preparedEvents.ts; polarity ignored, as Gallego et al.)
 *   IWE    H[p] = Σ_i w_ip             (bilinear, bilinearStencil.ts; P = number of splat pixels)
 *   M = Σ_p H[p],  Q = Σ_p H[p]²,  mean μ = M / P,  variance σ² = Q / P − μ²
 *   loss   L = −σ² / μ² = 1 − P · Q / M²     (≤ 0; 0 when M = 0)
 *
 * Normalising by μ² (the squared coefficient of variation) makes L independent of the number of events
 * and of the splat resolution's pixel count scaling, so one smoothness weight suits windows of 1 k or 16 k
 * events; M is constant except for events whose footprint leaves the image, so this maximises σ² (the
 * objective of Gallego et al.) up to that border effect, which the gradient includes exactly.
 *
 *   ∂L/∂H[p] = −(2P / M²) · (H[p] − Q / M)
 *   ∂L/∂ν_i  = dt_i · Σ_p ∂L/∂H[p] · (∂w_ip/∂X_i · aX_i + ∂w_ip/∂Y_i · aY_i)
 *
 * Reference time: the middle of the window by default. Warping to one end makes every warp a pure
 * expansion (tEnd) or contraction (tStart) about the FOE; contraction rewards over-estimating ν (events
 * collapse toward the FOE, the "event collapse" of Shiba, Aoki & Gallego 2022) and expansion rewards
 * under-estimating it. The middle halves the largest warp and balances the two.
 */
import { BilinearStencil } from './bilinearStencil.js';
import type { PreparedEvents } from './preparedEvents.js';
import { SplatImages } from './splatImages.js';

export type VarianceReference = 'start' | 'mid' | 'end';

export class IweVarianceLoss {
  private readonly images: SplatImages;
  private readonly stencil: BilinearStencil;
  /** Pixels with a positive IWE value in the last evaluation. */
  activePixels = 0;

  constructor(
    splatWidthPx: number,
    splatHeightPx: number,
    readonly reference: VarianceReference,
  ) {
    this.images = new SplatImages(splatWidthPx, splatHeightPx, 1);
    this.stencil = new BilinearStencil(splatWidthPx, splatHeightPx);
  }

  /** L = −σ²/μ² of the IWE at the reference time; adds ∂L/∂ν_i into `prep.gradInvTtc`. */
  evaluate(prep: PreparedEvents): number {
    const img = this.images;
    const st = this.stencil;
    const n = prep.count;
    const xs = prep.warpXSplatPx;
    const ys = prep.warpYSplatPx;
    const unit = prep.scratch; // splat "timestamps" unused here: one channel of counts
    prep.warp(this.reference === 'end' ? 1 : this.reference === 'mid' ? 0.5 : 0);
    img.clear();
    for (let i = 0; i < n; i++) {
      if (st.set(xs, ys, i)) img.splat(st, 0, unit, i);
    }
    this.activePixels = img.touchedCount;
    let sum = 0;
    let sumSq = 0;
    for (let k = 0; k < img.touchedCount; k++) {
      const h = img.count[img.touched[k]!]!;
      sum += h;
      sumSq += h * h;
    }
    if (!(sum > 0)) return 0;
    const pixels = img.widthPx * img.heightPx;
    const loss = 1 - (pixels * sumSq) / (sum * sum);

    // Gradient: ∂L/∂H[p] = scale · (H[p] − Q/M), through the splat weights to X_i, Y_i, then to ν_i.
    const scale = (-2 * pixels) / (sum * sum);
    const centre = sumSq / sum;
    for (let i = 0; i < n; i++) {
      let gX = 0;
      let gY = 0;
      if (prep.warpDtS[i] !== 0 && st.set(xs, ys, i)) {
        for (let k = 0; k < 4; k++) {
          const p = st.index[k]!;
          if (p < 0) continue;
          const dLdH = scale * (img.count[p]! - centre);
          gX += dLdH * st.dWeightDX(k);
          gY += dLdH * st.dWeightDY(k);
        }
      }
      prep.gradWarpX[i] = gX;
      prep.gradWarpY[i] = gY;
    }
    prep.warpBackward();
    return loss;
  }
}
