/**
 * Elementwise functions:
 *
 *   Exp        y = eᵡ        dx = gy · y
 *   Log        y = ln x      dx = gy / x
 *   Sqrt       y = √x        dx = gy · 0.5 / y
 *   Pow p      y = xᵖ        dx = gy · p · xᵖ⁻¹     (p a constant)
 *   Abs        y = |x|       dx = gy · sign(x)      (0 at x = 0)
 *   square     y = x · x     (Mul; its own backward gives 2·x·gy)
 *   log1p      y = ln(1 + x) (Add and Log)
 */
import type { Tensor } from '../tensor.js';
import { addScalar, div, mul, scale } from './arithmetic.js';

function unary(opType: string, x: Tensor, extra: readonly Tensor[], backward: (gy: Tensor, y: Tensor) => Tensor): Tensor {
  const g = x.graph;
  const y = g.node(opType, [x, ...extra], {}, { shape: x.shape, dtype: x.dtype });
  return g.record({ op: opType, inputs: [x], output: y, backward: (gy) => [backward(gy, y)] });
}

export function exp(x: Tensor): Tensor {
  return unary('Exp', x, [], (gy, y) => mul(gy, y));
}

export function log(x: Tensor): Tensor {
  return unary('Log', x, [], (gy) => div(gy, x));
}

export function sqrt(x: Tensor): Tensor {
  return unary('Sqrt', x, [], (gy, y) => div(scale(gy, 0.5), y));
}

export function powScalar(x: Tensor, p: number): Tensor {
  return unary('Pow', x, [x.graph.scalar(p, x.dtype)], (gy) => mul(gy, scale(powScalar(x, p - 1), p)));
}

export function abs(x: Tensor): Tensor {
  return unary('Abs', x, [], (gy) => mul(gy, x.graph.node('Sign', [x], {}, { shape: x.shape, dtype: x.dtype })));
}

export function square(x: Tensor): Tensor {
  return mul(x, x);
}

export function log1p(x: Tensor): Tensor {
  return log(addScalar(x, 1));
}
