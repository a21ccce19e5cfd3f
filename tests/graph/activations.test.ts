/**
 * Relu, LeakyRelu, Sigmoid (float64) and Softplus (float32: ORT has no double Softplus kernel) against
 * central differences in ORT. Inputs stay ≥ 0.2 away from the kink at 0 (h = 1e-6 or 1e-2 never crosses it).
 */
import { describe, expect, it } from 'vitest';
import { leakyRelu, relu, scale, sigmoid, softplus, type Tensor } from '../../src/graph/index.js';
import { gradCheck } from './gradCheck.js';

/** Spreads inputs over about ±6 so Softplus is tested in both tails as well as near 0. */
const scale3 = (x: Tensor) => scale(x, 3);

describe('activation gradients (ORT)', () => {
  it('Relu (float64)', async () => {
    const r = await gradCheck({ dtype: 'float64', inputs: { x: { shape: [2, 3, 4, 5], draw: 'awayFromZero' } }, build: ({ x }) => relu(x!) });
    expect(r.failures).toEqual([]);
  });

  it('LeakyRelu α = 0.1 (float64)', async () => {
    const r = await gradCheck({
      dtype: 'float64',
      inputs: { x: { shape: [2, 3, 4, 5], draw: 'awayFromZero' } },
      build: ({ x }) => leakyRelu(x!, 0.1),
    });
    expect(r.failures).toEqual([]);
  });

  it('Sigmoid (float64)', async () => {
    const r = await gradCheck({ dtype: 'float64', inputs: { x: { shape: [4, 7] } }, build: ({ x }) => sigmoid(x!) });
    expect(r.failures).toEqual([]);
  });

  it('Softplus (float32, h = 1e-2)', async () => {
    const r = await gradCheck({ dtype: 'float32', inputs: { x: { shape: [4, 7] } }, build: ({ x }) => softplus(scale3(x!)) });
    expect(r.failures).toEqual([]);
  });
});
