/** MatMul (plain and with broadcast batch axes): gradients vs central differences in float64 (ORT). */
import { describe, expect, it } from 'vitest';
import { matmul } from '../../src/graph/index.js';
import { gradCheck } from './gradCheck.js';

describe('MatMul gradients (float64, ORT)', () => {
  it('2-D', async () => {
    const r = await gradCheck({ dtype: 'float64', inputs: { a: { shape: [3, 4] }, b: { shape: [4, 5] } }, build: ({ a, b }) => matmul(a!, b!) });
    expect(r.failures).toEqual([]);
  });
  it('batched left operand, shared 2-D right operand (and the reverse)', async () => {
    const r1 = await gradCheck({
      dtype: 'float64',
      inputs: { a: { shape: [2, 3, 4, 5] }, b: { shape: [5, 2] } },
      build: ({ a, b }) => matmul(a!, b!),
    });
    expect(r1.failures).toEqual([]);
    const r2 = await gradCheck({
      dtype: 'float64',
      inputs: { a: { shape: [4, 3] }, b: { shape: [2, 1, 3, 5] } },
      build: ({ a, b }) => matmul(a!, b!),
    });
    expect(r2.failures).toEqual([]);
  });
});
