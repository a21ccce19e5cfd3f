/**
 * Elementwise arithmetic with broadcasting: Add, Sub, Mul, Div, Neg (and scalar shorthands).
 * Each backward reduces the gradient over the axes its operand was broadcast along (unbroadcast).
 *
 *   y = a + b   da = gy            db = gy
 *   y = a − b   da = gy            db = −gy
 *   y = a · b   da = gy · b        db = gy · a
 *   y = a / b   da = gy / b        db = −gy · y / b      (= −gy · a / b², reusing y)
 *   y = −x      dx = −gy
 */
import type { Tensor } from '../tensor.js';
import { broadcastShapes, unbroadcast } from './broadcast.js';

type BinaryBackward = (gy: Tensor, a: Tensor, b: Tensor, y: Tensor, needed: readonly boolean[]) => (Tensor | undefined)[];

function binary(opType: string, a: Tensor, b: Tensor, backward: BinaryBackward): Tensor {
  if (a.graph !== b.graph) throw new Error(`${opType}: operands from different graphs`);
  if (a.dtype !== b.dtype) throw new Error(`${opType}: ${a} and ${b} differ in type`);
  const g = a.graph;
  const y = g.node(opType, [a, b], {}, { shape: broadcastShapes(a.shape, b.shape), dtype: a.dtype });
  return g.record({
    op: opType,
    inputs: [a, b],
    output: y,
    backward: (gy, needed) => {
      const [ga, gb] = backward(gy, a, b, y, needed);
      return [ga && unbroadcast(ga, a.shape), gb && unbroadcast(gb, b.shape)];
    },
  });
}

export function add(a: Tensor, b: Tensor): Tensor {
  return binary('Add', a, b, (gy) => [gy, gy]);
}

export function sub(a: Tensor, b: Tensor): Tensor {
  return binary('Sub', a, b, (gy, _a, _b, _y, needed) => [gy, needed[1] ? neg(gy) : undefined]);
}

export function mul(a: Tensor, b: Tensor): Tensor {
  return binary('Mul', a, b, (gy, a, b, _y, needed) => [needed[0] ? mul(gy, b) : undefined, needed[1] ? mul(gy, a) : undefined]);
}

export function div(a: Tensor, b: Tensor): Tensor {
  return binary('Div', a, b, (gy, _a, b, y, needed) => [
    needed[0] ? div(gy, b) : undefined,
    needed[1] ? neg(div(mul(gy, y), b)) : undefined,
  ]);
}

export function neg(x: Tensor): Tensor {
  const g = x.graph;
  const y = g.node('Neg', [x], {}, { shape: x.shape, dtype: x.dtype });
  return g.record({ op: 'Neg', inputs: [x], output: y, backward: (gy) => [neg(gy)] });
}

/** x · c for a constant c (of x's type). */
export function scale(x: Tensor, c: number): Tensor {
  return mul(x, x.graph.scalar(c, x.dtype));
}

/** x + c for a constant c (of x's type). */
export function addScalar(x: Tensor, c: number): Tensor {
  return add(x, x.graph.scalar(c, x.dtype));
}
