/**
 * NumPy/ONNX multidirectional broadcasting of shapes, and its adjoint: a gradient that was broadcast
 * forward must be summed back over the broadcast axes before it reaches the smaller operand.
 */
import { type Shape, formatShape, sameShape } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { reduceSum } from './reduce.js';
import { reshape } from './shape.js';

/** The broadcast result shape of `a` and `b`; throws when they are incompatible. */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`cannot broadcast ${formatShape(a)} with ${formatShape(b)}`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/**
 * Sums `grad` (shape = the broadcast result) down to `shape` (an operand's shape): over leading axes the
 * operand lacks and over axes where the operand has extent 1.
 */
export function unbroadcast(grad: Tensor, shape: Shape): Tensor {
  if (sameShape(grad.shape, shape)) return grad;
  const lead = grad.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < grad.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && grad.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length > 0 ? reduceSum(grad, axes, true) : grad;
  return sameShape(summed.shape, shape) ? summed : reshape(summed, shape);
}
