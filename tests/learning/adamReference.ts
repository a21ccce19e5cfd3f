/** Reference global-norm clipping + Adam (bias-corrected, as torch.optim.Adam without weight decay), float64. */
export interface AdamReferenceState {
  readonly w: Float64Array;
  readonly m: Float64Array;
  readonly v: Float64Array;
}

export function adamReferenceStep(
  state: AdamReferenceState,
  grad: ArrayLike<number>,
  opts: { t: number; lr: number; maxNorm: number; beta1?: number; beta2?: number; epsilon?: number },
): { w: Float64Array; m: Float64Array; v: Float64Array; norm: number } {
  const b1 = opts.beta1 ?? 0.9;
  const b2 = opts.beta2 ?? 0.999;
  const eps = opts.epsilon ?? 1e-8;
  let sq = 0;
  for (let i = 0; i < grad.length; i++) sq += grad[i]! * grad[i]!;
  const norm = Math.sqrt(sq);
  const factor = Math.min(1, opts.maxNorm / (norm + 1e-12));
  const n = state.w.length;
  const w = new Float64Array(n);
  const m = new Float64Array(n);
  const v = new Float64Array(n);
  const bc1 = 1 - b1 ** opts.t;
  const bc2 = 1 - b2 ** opts.t;
  for (let i = 0; i < n; i++) {
    const g = grad[i]! * factor;
    m[i] = b1 * state.m[i]! + (1 - b1) * g;
    v[i] = b2 * state.v[i]! + (1 - b2) * g * g;
    w[i] = state.w[i]! - (opts.lr * (m[i]! / bc1)) / (Math.sqrt(v[i]! / bc2) + eps);
  }
  return { w, m, v, norm };
}
