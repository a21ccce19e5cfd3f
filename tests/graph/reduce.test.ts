/** ReduceSum (keepdims or not), ReduceMean, Σx²: gradients vs central differences in float64 (ORT). */
import { describe, expect, it } from 'vitest';
import { reduceMean, reduceSum, sumAll, sumSquares } from '../../src/graph/index.js';
import { gradCheck } from './gradCheck.js';

describe('reduction gradients (float64, ORT)', () => {
  it('ReduceSum over axes 0 and 2, with and without keepdims', async () => {
    for (const keep of [true, false]) {
      const r = await gradCheck({ dtype: 'float64', inputs: { x: { shape: [2, 3, 4] } }, build: ({ x }) => reduceSum(x!, [0, 2], keep) });
      expect(r.failures).toEqual([]);
    }
  });
  it('ReduceMean over the last axis', async () => {
    const r = await gradCheck({ dtype: 'float64', inputs: { x: { shape: [2, 3, 4] } }, build: ({ x }) => reduceMean(x!, [-1]) });
    expect(r.failures).toEqual([]);
  });
  it('sum of all elements and sum of squares (scalar outputs)', async () => {
    for (const f of [sumAll, sumSquares]) {
      const r = await gradCheck({ dtype: 'float64', inputs: { x: { shape: [2, 3, 4] } }, build: ({ x }) => f(x!) });
      expect(r.failures).toEqual([]);
    }
  });
});
