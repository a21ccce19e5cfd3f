/** Clip, Max, Min, Where: gradients vs central differences in float64 (ORT), inputs away from the switch points. */
import { describe, expect, it } from 'vitest';
import { clip, greater, maximum, minimum, scale, where } from '../../src/graph/index.js';
import { gradCheck } from './gradCheck.js';

describe('selection gradients (float64, ORT)', () => {
  it('Clip to [−0.7, 0.7] (inputs drawn away from the bounds)', async () => {
    const values = Array.from({ length: 24 }, (_, i) => [-1.2, -0.4, 0.1, 0.5, 0.9, 1.5][i % 6]!);
    const r = await gradCheck({ dtype: 'float64', inputs: { x: { shape: [4, 6], values } }, build: ({ x }) => clip(x!, -0.7, 0.7) });
    expect(r.failures).toEqual([]);
    expect(r.maxAbsGradient).toBeGreaterThan(0);
  });
  it('Max and Min of two tensors', async () => {
    for (const f of [maximum, minimum]) {
      const r = await gradCheck({
        dtype: 'float64',
        inputs: { a: { shape: [3, 5], draw: 'awayFromZero' }, b: { shape: [3, 5], values: new Array(15).fill(0) } },
        build: ({ a, b }) => f(a!, b!),
      });
      expect(r.failures).toEqual([]);
    }
  });
  it('Where with a broadcast branch', async () => {
    const r = await gradCheck({
      dtype: 'float64',
      inputs: { a: { shape: [3, 5], draw: 'awayFromZero' }, b: { shape: [5] } },
      build: ({ a, b }) => where(greater(a!, a!.graph.scalar(0, 'float64')), scale(a!, 2), b!),
    });
    expect(r.failures).toEqual([]);
  });
});
