/**
 * The focus objective of Hagenaars, Paredes-Vallés & de Croon (NeurIPS 2021, Sec. 3.2 and their public
 * implementation), itself a reformulation of Zhu et al. (CVPR 2019): images of averaged timestamps of
 * the motion-compensated events, per polarity, at both ends of the window, squared, summed and normalised
 * by the number of active pixels. Forward and exact gradient with respect to each event's ν.
 *
 * For reference time t_ref ∈ {tStart, tEnd} (r = start, end):
 *   warp       X_i = X0_i + dt_i · vX_i,  dt_i = (t_ref − t_i) s,  vX_i = aX_i ν_i + rX_i  (splat px; preparedEvents.ts)
 *   timestamp  τ_i = t̂_i for tEnd, 1 − t̂_i for tStart (so the events farthest from t_ref weigh most)
 *   splat      C_q[p] = Σ_{i ∈ q} w_ip,   S_q[p] = Σ_{i ∈ q} w_ip τ_i      (q = polarity, w bilinear, bilinearStencil.ts)
 *   average    A_q[p] = S_q[p] / (C_q[p] + ε),   ε = 1e-9 events (as in the reference implementation)
 *   loss       L_r = Σ_q Σ_p A_q[p]² / N_r,   N_r = #{p : C_ON[p] + C_OFF[p] > 0}   (pixels with any event)
 *   total      L = L_end + L_start   (dimensionless, each term in [0, 1])
 *
 * Gradient (exact for this formula; N_r is piecewise constant in ν — it changes only when a warped event's
 * bilinear footprint enters or leaves a pixel — and is treated as a constant, its derivative being zero
 * almost everywhere):
 *   ∂L_r/∂w_ip = (2 / N_r) · A_q[p] · (τ_i − A_q[p]) / (C_q[p] + ε)
 *   ∂L_r/∂X_i  = Σ_p ∂L_r/∂w_ip · ∂w_ip/∂X_i      (likewise Y)
 *   ∂L_r/∂ν_i  = dt_i · (∂L_r/∂X_i · aX_i + ∂L_r/∂Y_i · aY_i)       (PreparedEvents.warpBackward)
 * The division by C + ε makes A bounded in [0, 1) and continuous as a pixel's weight goes to zero.
 */
import { BilinearStencil } from './bilinearStencil.js';
import type { PreparedEvents } from './preparedEvents.js';
import { SplatImages } from './splatImages.js';

/** ε in A = S / (C + ε), events (Hagenaars et al.'s implementation uses 1e-9). */
export const AVG_TIMESTAMP_EPS = 1e-9;

export class AvgTimestampLoss {
  private readonly images: SplatImages;
  private readonly stencil: BilinearStencil;
  /** Active pixels N_r of the last evaluation, per reference. */
  activePixelsEnd = 0;
  activePixelsStart = 0;

  constructor(splatWidthPx: number, splatHeightPx: number) {
    this.images = new SplatImages(splatWidthPx, splatHeightPx, 2);
    this.stencil = new BilinearStencil(splatWidthPx, splatHeightPx);
  }

  /** L = L_end + L_start; adds ∂L/∂ν_i into `prep.gradInvTtc` (which `prep.sampleNu` filled and zeroed). */
  evaluate(prep: PreparedEvents): number {
    const end = this.atReference(prep, 1);
    this.activePixelsEnd = this.images.touchedCount;
    const start = this.atReference(prep, 0);
    this.activePixelsStart = this.images.touchedCount;
    return end + start;
  }

  /** L_r at t_ref = tStart + endShare · T (endShare 1 or 0): forward (warp, splat, average, normalise), then the gradient. */
  private atReference(prep: PreparedEvents, endShare: number): number {
    const img = this.images;
    const st = this.stencil;
    const n = prep.count;
    const tau = prep.scratch;
    const xs = prep.warpXSplatPx;
    const ys = prep.warpYSplatPx;
    for (let i = 0; i < n; i++) tau[i] = endShare === 1 ? prep.tHat[i]! : 1 - prep.tHat[i]!;
    prep.warp(endShare);
    img.clear();

    // Forward 1: splat C and S per polarity. Only strictly positive weights touch a pixel, so a touched
    // pixel is exactly an active one (C_ON + C_OFF > 0).
    for (let i = 0; i < n; i++) {
      if (st.set(xs, ys, i)) img.splat(st, prep.polarity[i]!, tau, i);
    }

    // Forward 2: Σ A² over active pixels, normalised by their number.
    const active = img.touchedCount;
    if (active === 0) return 0;
    let sumSq = 0;
    for (let k = 0; k < active; k++) {
      const j = 2 * img.touched[k]!;
      const a0 = img.timeSum[j]! / (img.count[j]! + AVG_TIMESTAMP_EPS);
      const a1 = img.timeSum[j + 1]! / (img.count[j + 1]! + AVG_TIMESTAMP_EPS);
      sumSq += a0 * a0 + a1 * a1;
    }
    const loss = sumSq / active;

    // Gradient: per event, ∂L_r/∂X and ∂L_r/∂Y through the four splat weights, then the warp's chain to ν_i.
    const twoOverN = 2 / active;
    for (let i = 0; i < n; i++) {
      let gX = 0;
      let gY = 0;
      if (prep.warpDtS[i] !== 0 && st.set(xs, ys, i)) {
        const c = prep.polarity[i]!;
        const t = tau[i]!;
        for (let k = 0; k < 4; k++) {
          const p = st.index[k]!;
          if (p < 0) continue;
          const j = 2 * p + c;
          const denom = img.count[j]! + AVG_TIMESTAMP_EPS;
          const a = img.timeSum[j]! / denom;
          const dLdw = (twoOverN * a * (t - a)) / denom;
          gX += dLdw * st.dWeightDX(k);
          gY += dLdw * st.dWeightDY(k);
        }
      }
      prep.gradWarpX[i] = gX;
      prep.gradWarpY[i] = gY;
    }
    prep.warpBackward();
    return loss;
  }
}
