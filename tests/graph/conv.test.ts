/**
 * Conv gradients (input, weights, bias) vs central differences in ORT, float32 (ORT has no double Conv or
 * ConvTranspose kernel). Conv is bilinear, so central differences have no truncation error: only float32
 * rounding (h = 1e-2, tolerance 2e-3 relative/absolute). Cases cover stride 1 and 2, odd and even extents
 * (a stride that leaves rows unread), asymmetric pads, dilation, groups (incl. depthwise), batch 2, and 1×1
 * kernels (whose weight gradient takes the Gemm path).
 */
import { describe, expect, it } from 'vitest';
import { conv2d, type Conv2dOptions } from '../../src/graph/index.js';
import { gradCheck } from './gradCheck.js';

interface Case {
  label: string;
  x: [number, number, number, number];
  w: [number, number, number, number];
  opts: Conv2dOptions;
  bias: boolean;
}

const cases: Case[] = [
  { label: '3×3, stride 1, pad 1, bias', x: [1, 2, 6, 7], w: [3, 2, 3, 3], opts: { pads: [1, 1, 1, 1] }, bias: true },
  { label: '3×3, stride 2, pad 1, even extent', x: [1, 2, 8, 10], w: [4, 2, 3, 3], opts: { strides: [2, 2], pads: [1, 1, 1, 1] }, bias: true },
  { label: '3×3, stride 2, no pad, odd extent (last row unread)', x: [1, 3, 8, 9], w: [2, 3, 3, 3], opts: { strides: [2, 2] }, bias: false },
  { label: '4×4, stride 4 (patchify)', x: [1, 2, 8, 12], w: [3, 2, 4, 4], opts: { strides: [4, 4] }, bias: true },
  { label: 'asymmetric pads, stride (2, 1)', x: [1, 2, 7, 6], w: [2, 2, 3, 2], opts: { strides: [2, 1], pads: [0, 1, 2, 0] }, bias: true },
  { label: 'dilation 2', x: [1, 2, 9, 9], w: [2, 2, 3, 3], opts: { dilations: [2, 2], pads: [2, 2, 2, 2] }, bias: true },
  { label: 'groups 2', x: [1, 4, 6, 6], w: [6, 2, 3, 3], opts: { pads: [1, 1, 1, 1], groups: 2 }, bias: true },
  { label: 'depthwise, stride 2', x: [1, 3, 7, 8], w: [3, 1, 3, 3], opts: { strides: [2, 2], pads: [1, 1, 1, 1], groups: 3 }, bias: true },
  { label: 'batch 2, stride 2', x: [2, 2, 6, 6], w: [3, 2, 3, 3], opts: { strides: [2, 2], pads: [1, 1, 1, 1] }, bias: true },
  { label: '1×1, stride 1 (Gemm weight gradient)', x: [1, 5, 6, 7], w: [3, 5, 1, 1], opts: {}, bias: true },
  { label: '1×1, stride 2, pads, batch 2 (Gemm weight gradient)', x: [2, 3, 7, 6], w: [4, 3, 1, 1], opts: { strides: [2, 2], pads: [1, 0, 0, 1] }, bias: true },
  { label: '1×1 depthwise (convolution weight gradient)', x: [1, 4, 5, 5], w: [4, 1, 1, 1], opts: { groups: 4 }, bias: false },
  { label: 'batch 2, groups 2, dilation 2, stride 2', x: [2, 4, 9, 9], w: [4, 2, 3, 3], opts: { strides: [2, 2], dilations: [2, 2], pads: [1, 2, 1, 2], groups: 2 }, bias: false },
];

describe('Conv gradients (float32, ORT)', () => {
  for (const c of cases) {
    it(c.label, async () => {
      const r = await gradCheck({
        dtype: 'float32',
        inputs: { x: { shape: c.x }, w: { shape: c.w }, ...(c.bias ? { b: { shape: [c.w[0]] } } : {}) },
        build: ({ x, w, b }) => conv2d(x!, w!, b, c.opts),
        probes: 30,
      });
      expect(r.failures).toEqual([]);
      expect(r.maxAbsGradient).toBeGreaterThan(0.1);
    });
  }
});
