/**
 * Activations:
 *
 *   Relu           y = max(x, 0)                  dx = gy · [x > 0]
 *   LeakyRelu α    y = x (x > 0), α·x (else)      dx = gy (x > 0), α·gy (else)
 *   Softplus       y = ln(1 + eᵡ)                 dx = gy · σ(x)
 *   Sigmoid        y = σ(x) = 1 / (1 + e⁻ᵡ)       dx = gy · y · (1 − y)
 *
 * At the kink x = 0 Relu and LeakyRelu take the left derivative (0 and α), as PyTorch does.
 */
import type { Attributes } from '../attributes.js';
import type { Tensor } from '../tensor.js';
import { mul, scale, sub } from './arithmetic.js';
import { greater, where } from './logic.js';

function unary(opType: string, x: Tensor, attributes: Attributes, backward: (gy: Tensor, y: Tensor) => Tensor): Tensor {
  const g = x.graph;
  const y = g.node(opType, [x], attributes, { shape: x.shape, dtype: x.dtype });
  return g.record({ op: opType, inputs: [x], output: y, backward: (gy) => [backward(gy, y)] });
}

export function relu(x: Tensor): Tensor {
  return unary('Relu', x, {}, (gy) => where(greater(x, x.graph.scalar(0, x.dtype)), gy, x.graph.scalar(0, x.dtype)));
}

export function leakyRelu(x: Tensor, alpha = 0.01): Tensor {
  return unary('LeakyRelu', x, { alpha: { kind: 'float', value: alpha } }, (gy) =>
    where(greater(x, x.graph.scalar(0, x.dtype)), gy, scale(gy, alpha)),
  );
}

export function softplus(x: Tensor): Tensor {
  return unary('Softplus', x, {}, (gy) => mul(gy, sigmoid(x)));
}

export function sigmoid(x: Tensor): Tensor {
  return unary('Sigmoid', x, {}, (gy, y) => mul(gy, mul(y, sub(x.graph.scalar(1, x.dtype), y))));
}
