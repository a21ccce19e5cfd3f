/** Reshape, Transpose, Concat, Slice, Pad, Expand: gradients vs central differences in float64 (ORT). */
import { describe, expect, it } from 'vitest';
import { concat, expand, mul, padZeros, reshape, slice, transpose } from '../../src/graph/index.js';
import { gradCheck } from './gradCheck.js';

describe('shape operator gradients (float64, ORT)', () => {
  it('Reshape', async () => {
    const r = await gradCheck({ dtype: 'float64', inputs: { x: { shape: [2, 3, 4] } }, build: ({ x }) => reshape(x!, [6, 4]) });
    expect(r.failures).toEqual([]);
  });
  it('Transpose', async () => {
    const r = await gradCheck({ dtype: 'float64', inputs: { x: { shape: [2, 3, 4, 5] } }, build: ({ x }) => transpose(x!, [2, 0, 3, 1]) });
    expect(r.failures).toEqual([]);
  });
  it('Concat along the channel axis of three inputs (one used twice)', async () => {
    const r = await gradCheck({
      dtype: 'float64',
      inputs: { a: { shape: [1, 2, 3, 3] }, b: { shape: [1, 4, 3, 3] } },
      build: ({ a, b }) => concat([a!, b!, mul(a!, a!)], 1),
    });
    expect(r.failures).toEqual([]);
  });
  it('Slice (two axes, negative end)', async () => {
    const r = await gradCheck({ dtype: 'float64', inputs: { x: { shape: [2, 5, 6] } }, build: ({ x }) => slice(x!, [1, 2], [-1, 5], [1, 2]) });
    expect(r.failures).toEqual([]);
  });
  it('Pad with zeros', async () => {
    const r = await gradCheck({ dtype: 'float64', inputs: { x: { shape: [2, 3, 4] } }, build: ({ x }) => padZeros(x!, [0, 1, 2], [1, 0, 3]) });
    expect(r.failures).toEqual([]);
  });
  it('Expand', async () => {
    const r = await gradCheck({ dtype: 'float64', inputs: { x: { shape: [3, 1] } }, build: ({ x }) => expand(x!, [2, 3, 4]) });
    expect(r.failures).toEqual([]);
  });
});
