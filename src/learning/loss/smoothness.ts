/**
 * Smoothness prior on the ν map: the mean Charbonnier penalty of the differences between 4-neighbours,
 * forward and gradient in one pass.
 *
 *   R(ν) = (1 / K) · Σ_{(a, b) neighbours} ρ(ν_a − ν_b),   ρ(d) = √(d² + ε²) − ε,   ∂ρ/∂d = d / √(d² + ε²)
 *
 * K = (W − 1)·H + W·(H − 1) horizontal and vertical pairs; R is in 1/s (ν's unit). Charbonnier (a smooth
 * L1) rather than squared differences, as in Hagenaars et al. 2021 (their flow regulariser) and Zhu et al.
 * 2019: ν jumps at the silhouettes of obstacles — exactly where avoidance looks — and a quadratic penalty
 * would blur those jumps. ε (1/s) sets where the penalty turns from quadratic to linear; subtracting ε makes
 * ρ(0) = 0, so a constant map costs nothing. Dividing by K makes the weight independent of the map size.
 */
import type { MapArray } from './preparedEvents.js';

/** Default Charbonnier ε, 1/s: differences well below it are penalised quadratically. */
export const SMOOTHNESS_EPS_PER_S = 1e-3;

/**
 * Returns R(ν) (1/s) and adds weight · ∂R/∂ν into `grad` (Float64, same layout as the map).
 * `weight` is the smoothness weight λ (s, so that λ·R is dimensionless like the focus loss).
 */
export function charbonnierSmoothness(
  invTtcPerS: MapArray,
  widthPx: number,
  heightPx: number,
  epsPerS: number,
  weight: number,
  grad: Float64Array,
): number {
  const pairs = (widthPx - 1) * heightPx + widthPx * (heightPx - 1);
  if (pairs <= 0) return 0;
  const eps2 = epsPerS * epsPerS;
  const gScale = weight / pairs;
  let sum = 0;
  for (let y = 0; y < heightPx; y++) {
    const row = y * widthPx;
    for (let x = 0; x < widthPx; x++) {
      const a = row + x;
      const va = invTtcPerS[a]!;
      if (x + 1 < widthPx) {
        const d = va - invTtcPerS[a + 1]!;
        const r = Math.sqrt(d * d + eps2);
        sum += r - epsPerS;
        const g = (gScale * d) / r;
        grad[a] += g;
        grad[a + 1] -= g;
      }
      if (y + 1 < heightPx) {
        const d = va - invTtcPerS[a + widthPx]!;
        const r = Math.sqrt(d * d + eps2);
        sum += r - epsPerS;
        const g = (gScale * d) / r;
        grad[a] += g;
        grad[a + widthPx] -= g;
      }
    }
  }
  return sum / pairs;
}
