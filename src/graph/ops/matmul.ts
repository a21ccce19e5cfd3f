/**
 * Matrix product with NumPy batch broadcasting (operands of rank ≥ 2: … × M × K and … × K × N).
 *
 *   y = a · b    da = gy · bᵀ    db = aᵀ · gy     (ᵀ swaps the last two axes; batch axes unbroadcast)
 */
import type { Tensor } from '../tensor.js';
import { broadcastShapes, unbroadcast } from './broadcast.js';
import { transpose } from './shape.js';

function swapLast(x: Tensor): Tensor {
  const perm = x.shape.map((_, i) => i);
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1]!, perm[x.rank - 2]!];
  return transpose(x, perm);
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.rank < 2 || b.rank < 2) throw new Error(`matmul: operands need rank ≥ 2 (${a}, ${b})`);
  if (a.dtype !== b.dtype) throw new Error(`matmul: ${a} and ${b} differ in type`);
  const [m, k] = a.shape.slice(-2) as [number, number];
  const [k2, n] = b.shape.slice(-2) as [number, number];
  if (k !== k2) throw new Error(`matmul: inner extents differ (${a}, ${b})`);
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const g = a.graph;
  const y = g.node('MatMul', [a, b], {}, { shape: [...batch, m, n], dtype: a.dtype });
  return g.record({
    op: 'MatMul',
    inputs: [a, b],
    output: y,
    backward: (gy, needed) => [
      needed[0] ? unbroadcast(matmul(gy, swapLast(b)), a.shape) : undefined,
      needed[1] ? unbroadcast(matmul(swapLast(a), gy), b.shape) : undefined,
    ],
  });
}
