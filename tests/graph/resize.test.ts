/**
 * Resize (bilinear half-pixel, nearest floor) gradients vs central differences in ORT, float32 (ORT has
 * no double Resize kernel). The backward pass uses interpolation matrices built in TypeScript; these
 * tests are what ties them to the kernel. Resize is linear, so only float32 rounding limits the check.
 */
import { describe, expect, it } from 'vitest';
import { resize2d, type ResizeMode } from '../../src/graph/index.js';
import { gradCheck } from './gradCheck.js';

const cases: [ResizeMode, [number, number, number, number], number, number][] = [
  ['linear', [1, 1, 5, 6], 20, 24],
  ['linear', [1, 2, 4, 5], 8, 10],
  ['linear', [2, 1, 3, 4], 7, 9],
  ['linear', [1, 1, 6, 8], 3, 5],
  ['nearest', [1, 2, 4, 5], 8, 10],
  ['nearest', [1, 1, 3, 4], 7, 9],
];

describe('Resize gradients (float32, ORT)', () => {
  for (const [mode, shape, oh, ow] of cases) {
    it(`${mode} ${shape.join('×')} → ${oh}×${ow}`, async () => {
      const r = await gradCheck({
        dtype: 'float32',
        inputs: { x: { shape } },
        build: ({ x }) => resize2d(x!, oh, ow, mode),
        probes: 60,
      });
      expect(r.failures).toEqual([]);
      expect(r.maxAbsGradient).toBeGreaterThan(0.1);
    });
  }
});
