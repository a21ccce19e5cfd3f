/**
 * Reductions: ReduceSum and its derivatives (mean, sum of all elements, sum of squares).
 *
 *   y = Σ_axes x      dx = broadcast of gy back over the reduced axes (Reshape to keepdims form, Expand)
 *   y = mean_axes x   = (Σ_axes x) / n, built from ReduceSum and Mul, so it needs no backward of its own
 */
import type { Tensor } from '../tensor.js';
import { scale, mul } from './arithmetic.js';
import { expand, reshape } from './shape.js';

function normaliseAxes(x: Tensor, axes: readonly number[]): number[] {
  const out = [...new Set(axes.map((a) => (a < 0 ? a + x.rank : a)))].sort((p, q) => p - q);
  for (const a of out) if (a < 0 || a >= x.rank) throw new Error(`reduce: axis ${a} out of range for ${x}`);
  return out;
}

/** Sum over `axes` (all axes when empty is not allowed: pass them explicitly); `keepDims` keeps them as extent 1. */
export function reduceSum(x: Tensor, axes: readonly number[], keepDims = false): Tensor {
  const ax = normaliseAxes(x, axes);
  if (ax.length === 0) throw new Error('reduceSum: no axes');
  const g = x.graph;
  const keptShape = x.shape.map((d, i) => (ax.includes(i) ? 1 : d));
  const outShape = keepDims ? keptShape : x.shape.filter((_, i) => !ax.includes(i));
  const y = g.node('ReduceSum', [x, g.int64s(ax)], { keepdims: { kind: 'int', value: keepDims ? 1 : 0 } }, { shape: outShape, dtype: x.dtype });
  return g.record({
    op: 'ReduceSum',
    inputs: [x],
    output: y,
    backward: (gy) => [expand(keepDims ? gy : reshape(gy, keptShape), x.shape)],
  });
}

/** Mean over `axes`. */
export function reduceMean(x: Tensor, axes: readonly number[], keepDims = false): Tensor {
  const ax = normaliseAxes(x, axes);
  const n = ax.reduce((p, a) => p * x.shape[a]!, 1);
  return scale(reduceSum(x, ax, keepDims), 1 / n);
}

/** Sum of all elements, as a scalar (shape []). */
export function sumAll(x: Tensor): Tensor {
  if (x.rank === 0) return x;
  return reduceSum(x, x.shape.map((_, i) => i), false);
}

/** Σ x², as a scalar (shape []). */
export function sumSquares(x: Tensor): Tensor {
  return sumAll(mul(x, x));
}
