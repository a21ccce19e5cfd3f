/** Exp, Log, Sqrt, Pow, Abs, log1p, square: gradients vs central differences in float64 (ORT). */
import { describe, expect, it } from 'vitest';
import { abs, exp, log, log1p, powScalar, sqrt, square } from '../../src/graph/index.js';
import { gradCheck } from './gradCheck.js';

describe('elementwise function gradients (float64, ORT)', () => {
  it('Exp', async () => {
    const r = await gradCheck({ dtype: 'float64', inputs: { x: { shape: [3, 4] } }, build: ({ x }) => exp(x!) });
    expect(r.failures).toEqual([]);
  });
  it('Log, Sqrt, log1p on positive inputs', async () => {
    for (const f of [log, sqrt, log1p]) {
      const r = await gradCheck({ dtype: 'float64', inputs: { x: { shape: [3, 4], draw: 'positive' } }, build: ({ x }) => f(x!) });
      expect(r.failures).toEqual([]);
    }
  });
  it('Pow with exponents 2, 3 and −0.5', async () => {
    for (const p of [2, 3, -0.5]) {
      const r = await gradCheck({ dtype: 'float64', inputs: { x: { shape: [3, 4], draw: 'positive' } }, build: ({ x }) => powScalar(x!, p) });
      expect(r.failures).toEqual([]);
    }
  });
  it('Abs away from 0, square', async () => {
    for (const f of [abs, square]) {
      const r = await gradCheck({ dtype: 'float64', inputs: { x: { shape: [3, 4], draw: 'awayFromZero' } }, build: ({ x }) => f(x!) });
      expect(r.failures).toEqual([]);
    }
  });
});
