/**
 * Clip (to constant bounds) and the elementwise Max/Min of two tensors.
 *
 *   Clip lo hi   dx = gy where lo < x < hi, 0 where the bound holds x
 *   Max(a, b)    da = gy where a ≥ b   db = gy where a < b    (a tie goes to a)
 *   Min(a, b)    da = gy where a ≤ b   db = gy where a > b    (a tie goes to a)
 */
import { sameShape } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { and, greater, less, not, where } from './logic.js';

export function clip(x: Tensor, lo: number, hi: number): Tensor {
  const g = x.graph;
  const [l, h] = [g.scalar(lo, x.dtype), g.scalar(hi, x.dtype)];
  const y = g.node('Clip', [x, l, h], {}, { shape: x.shape, dtype: x.dtype });
  return g.record({
    op: 'Clip',
    inputs: [x],
    output: y,
    backward: (gy) => [where(and(greater(x, l), less(x, h)), gy, g.scalar(0, x.dtype))],
  });
}

function pick(opType: 'Max' | 'Min', a: Tensor, b: Tensor): Tensor {
  const g = a.graph;
  // Where a is the chosen one: Max → !(a < b); Min → !(a > b).
  const aWins = () => not(opType === 'Max' ? less(a, b) : greater(a, b));
  if (a.dtype !== b.dtype || !sameShape(a.shape, b.shape)) throw new Error(`${opType}: ${a} and ${b} must match (no broadcasting)`);
  const y = g.node(opType, [a, b], {}, { shape: a.shape, dtype: a.dtype });
  return g.record({
    op: opType,
    inputs: [a, b],
    output: y,
    backward: (gy, needed) => {
      const zero = g.scalar(0, gy.dtype);
      const c = aWins();
      return [needed[0] ? where(c, gy, zero) : undefined, needed[1] ? where(c, zero, gy) : undefined];
    },
  });
}

export const maximum = (a: Tensor, b: Tensor): Tensor => pick('Max', a, b);
export const minimum = (a: Tensor, b: Tensor): Tensor => pick('Min', a, b);
