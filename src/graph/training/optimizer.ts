/**
 * Optimiser arithmetic as graph nodes: global-norm gradient clipping and Adam with bias correction
 * (Kingma & Ba 2015, the form PyTorch's torch.optim.Adam implements without weight decay).
 *
 *   norm  = √(Σ_i ‖g_i‖²)                      over every trainable tensor together
 *   g'_i  = g_i · min(1, maxNorm / (norm + 1e-12))
 *   m'    = β1·m + (1 − β1)·g'                  v' = β2·v + (1 − β2)·g'²
 *   w'    = w − lr · (m' / (1 − β1ᵗ)) / (√(v' / (1 − β2ᵗ)) + ε)
 *
 * t is the number of this update (1 for the first). Nothing here is differentiated.
 */
import type { Tensor } from '../tensor.js';
import { add, div, mul, scale, sub } from '../ops/arithmetic.js';
import { minimum } from '../ops/minmax.js';
import { sumSquares } from '../ops/reduce.js';
import { sqrt } from '../ops/unaryMath.js';

/** Adam's constants (build-time: they rarely change in flight; lr is a graph input instead). */
export interface AdamConstants {
  /** Decay of the first moment. Default 0.9. */
  readonly beta1: number;
  /** Decay of the second moment. Default 0.999. */
  readonly beta2: number;
  /** Added to √v̂ (in gradient units). Default 1e-8. */
  readonly epsilon: number;
}

export const DEFAULT_ADAM: AdamConstants = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/** Guards the division by the norm when every gradient is zero. */
const NORM_FLOOR = 1e-12;

/** The global L2 norm of `grads` (scalar) and the gradients scaled so that their norm is at most `maxNorm`. */
export function clipByGlobalNorm(grads: readonly Tensor[], maxNorm: Tensor): { norm: Tensor; clipped: Tensor[] } {
  if (grads.length === 0) throw new Error('clipByGlobalNorm: no gradients');
  const g = maxNorm.graph;
  let sq = sumSquares(grads[0]!);
  for (const gr of grads.slice(1)) sq = add(sq, sumSquares(gr));
  const norm = sqrt(sq);
  const factor = minimum(g.scalar(1, norm.dtype), div(maxNorm, add(norm, g.scalar(NORM_FLOOR, norm.dtype))));
  return { norm, clipped: grads.map((gr) => mul(gr, factor)) };
}

/** Bias-correction divisors 1 − β1ᵗ and 1 − β2ᵗ for step t (a scalar input). */
export function adamBiasCorrections(t: Tensor, c: AdamConstants): { bc1: Tensor; bc2: Tensor } {
  const g = t.graph;
  const one = g.scalar(1, t.dtype);
  const pow = (base: number) => g.node('Pow', [g.scalar(base, t.dtype), t], {}, { shape: t.shape, dtype: t.dtype });
  return { bc1: sub(one, pow(c.beta1)), bc2: sub(one, pow(c.beta2)) };
}

/** One Adam update of one tensor. `bc1`, `bc2` from adamBiasCorrections, `lr` a scalar input. */
export function adamUpdate(
  w: Tensor,
  grad: Tensor,
  m: Tensor,
  v: Tensor,
  lr: Tensor,
  bc1: Tensor,
  bc2: Tensor,
  c: AdamConstants,
): { w: Tensor; m: Tensor; v: Tensor } {
  const g = w.graph;
  const mNext = add(scale(m, c.beta1), scale(grad, 1 - c.beta1));
  const vNext = add(scale(v, c.beta2), scale(mul(grad, grad), 1 - c.beta2));
  const mHat = div(mNext, bc1);
  const vHat = div(vNext, bc2);
  const step = div(mul(lr, mHat), add(sqrt(vHat), g.scalar(c.epsilon, w.dtype)));
  return { w: sub(w, step), m: mNext, v: vNext };
}
