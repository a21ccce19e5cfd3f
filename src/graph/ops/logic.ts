/**
 * Comparisons, predicates and selection. Comparisons and predicates give bool values and carry no
 * gradient (they are not on the tape: gradients stop there, as with a constant). Where is differentiable
 * in its two branches:
 *
 *   y = Where(c, a, b)   da = Where(c, gy, 0)   db = Where(c, 0, gy)   (each unbroadcast)
 */
import type { DType } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { broadcastShapes, unbroadcast } from './broadcast.js';

function compare(opType: string, a: Tensor, b: Tensor): Tensor {
  if (a.dtype !== b.dtype) throw new Error(`${opType}: ${a} and ${b} differ in type`);
  return a.graph.node(opType, [a, b], {}, { shape: broadcastShapes(a.shape, b.shape), dtype: 'bool' });
}

export const greater = (a: Tensor, b: Tensor): Tensor => compare('Greater', a, b);
export const less = (a: Tensor, b: Tensor): Tensor => compare('Less', a, b);

function boolBinary(opType: string, a: Tensor, b: Tensor): Tensor {
  if (a.dtype !== 'bool' || b.dtype !== 'bool') throw new Error(`${opType}: needs bool operands`);
  return a.graph.node(opType, [a, b], {}, { shape: broadcastShapes(a.shape, b.shape), dtype: 'bool' });
}

export const or = (a: Tensor, b: Tensor): Tensor => boolBinary('Or', a, b);
export const and = (a: Tensor, b: Tensor): Tensor => boolBinary('And', a, b);

export function not(a: Tensor): Tensor {
  if (a.dtype !== 'bool') throw new Error('Not: needs a bool operand');
  return a.graph.node('Not', [a], {}, { shape: a.shape, dtype: 'bool' });
}

export const isNaN = (x: Tensor): Tensor => x.graph.node('IsNaN', [x], {}, { shape: x.shape, dtype: 'bool' });
/** True for +∞ and −∞. */
export const isInf = (x: Tensor): Tensor => x.graph.node('IsInf', [x], {}, { shape: x.shape, dtype: 'bool' });
/** True where x is NaN or ±∞. */
export const isNonFinite = (x: Tensor): Tensor => or(isNaN(x), isInf(x));

const ONNX_TYPE_CODE: Record<DType, number> = { float32: 1, int64: 7, bool: 9, float64: 11 };

/** Type conversion (not differentiable: for flags and counters). */
export function cast(x: Tensor, to: DType): Tensor {
  return x.graph.node('Cast', [x], { to: { kind: 'int', value: ONNX_TYPE_CODE[to] } }, { shape: x.shape, dtype: to });
}

export function where(cond: Tensor, a: Tensor, b: Tensor): Tensor {
  if (cond.dtype !== 'bool') throw new Error('Where: condition must be bool');
  if (a.dtype !== b.dtype) throw new Error(`Where: ${a} and ${b} differ in type`);
  const g = a.graph;
  const shape = broadcastShapes(cond.shape, broadcastShapes(a.shape, b.shape));
  const y = g.node('Where', [cond, a, b], {}, { shape, dtype: a.dtype });
  return g.record({
    op: 'Where',
    inputs: [a, b],
    output: y,
    backward: (gy, needed) => {
      const zero = g.scalar(0, gy.dtype);
      return [
        needed[0] ? unbroadcast(where(cond, gy, zero), a.shape) : undefined,
        needed[1] ? unbroadcast(where(cond, zero, gy), b.shape) : undefined,
      ];
    },
  });
}
