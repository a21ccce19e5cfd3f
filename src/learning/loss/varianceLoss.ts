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
    // dt = t_ref − t: end → dtToEnd, start → dtToStart, mid → their mean.
    const cEnd = this.reference === 'end' ? 1 : this.reference === 'mid' ? 0.5 : 0;
    const cStart = 1 - cEnd;
    img.clear();

    for (let i = 0; i < n; i++) {
      const dt = cEnd * prep.dtToEndS[i]! + cStart * prep.dtToStartS[i]!;
      const nu = prep.invTtcPerS[i]!;
      const x = prep.x0SplatPx[i]! + dt * (prep.aXSplatPx[i]! * nu + prep.rotXSplatPxPerS[i]!);
      const y = prep.y0SplatPx[i]! + dt * (prep.aYSplatPx[i]! * nu + prep.rotYSplatPxPerS[i]!);
      if (!st.set(x, y)) continue;
      for (let k = 0; k < 4; k++) {
        const p = st.index[k]!;
        const w = st.weight[k]!;
        if (p >= 0 && w > 0) img.add(p, 0, w, 0);
      }
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

    const scale = (-2 * pixels) / (sum * sum);
    const centre = sumSq / sum;
    for (let i = 0; i < n; i++) {
      const dt = cEnd * prep.dtToEndS[i]! + cStart * prep.dtToStartS[i]!;
      if (dt === 0) continue;
      const nu = prep.invTtcPerS[i]!;
      const x = prep.x0SplatPx[i]! + dt * (prep.aXSplatPx[i]! * nu + prep.rotXSplatPxPerS[i]!);
      const y = prep.y0SplatPx[i]! + dt * (prep.aYSplatPx[i]! * nu + prep.rotYSplatPxPerS[i]!);
      if (!st.set(x, y)) continue;
      let gX = 0;
      let gY = 0;
      for (let k = 0; k < 4; k++) {
        const p = st.index[k]!;
        if (p < 0) continue;
        const dLdH = scale * (img.count[p]! - centre);
        gX += dLdH * st.dWeightDX[k]!;
        gY += dLdH * st.dWeightDY[k]!;
      }
      prep.gradInvTtc[i] += dt * (gX * prep.aXSplatPx[i]! + gY * prep.aYSplatPx[i]!);
    }
    return loss;
  }
}
