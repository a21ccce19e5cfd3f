/** Add, Sub, Mul, Div, Neg with broadcasting: gradients vs central differences in float64 (ORT). */
import { describe, expect, it } from 'vitest';
import { add, div, mul, neg, scale, sub } from '../../src/graph/index.js';
import { gradCheck } from './gradCheck.js';

const shapes: [string, number[], number[]][] = [
  ['same shape', [2, 3, 4], [2, 3, 4]],
  ['trailing broadcast', [2, 3, 4], [4]],
  ['middle axis of extent 1', [2, 3, 4], [2, 1, 4]],
  ['both broadcast', [2, 1, 4], [3, 1]],
  ['scalar', [2, 3], []],
];

describe('arithmetic gradients (float64, ORT)', () => {
  for (const [label, sa, sb] of shapes) {
    it(`Add/Sub/Mul/Div, ${label}`, async () => {
      for (const f of [add, sub, mul]) {
        const r = await gradCheck({ dtype: 'float64', inputs: { a: { shape: sa }, b: { shape: sb } }, build: ({ a, b }) => f(a!, b!) });
        expect(r.failures).toEqual([]);
        expect(r.maxAbsGradient).toBeGreaterThan(0);
      }
      const r = await gradCheck({
        dtype: 'float64',
        inputs: { a: { shape: sa }, b: { shape: sb, draw: 'positive' } },
        build: ({ a, b }) => div(a!, b!),
      });
      expect(r.failures).toEqual([]);
    });
  }

  it('Neg and scalar scaling', async () => {
    const r = await gradCheck({ dtype: 'float64', inputs: { x: { shape: [3, 5] } }, build: ({ x }) => scale(neg(x!), 2.5) });
    expect(r.failures).toEqual([]);
  });
});
