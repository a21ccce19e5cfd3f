/**
 * Spatial resizing of NCHW tensors (ONNX Resize to given sizes), bilinear or nearest.
 *
 * Resizing is linear in x and separable: y = Uh · x · Uwᵀ per (n, c) plane, with Uh (outH × H) and
 * Uw (outW × W) the interpolation matrices of onnxruntime's Resize for the chosen mode. The forward pass
 * runs the Resize kernel (fast); the backward pass is the adjoint,
 *
 *   dx = Uhᵀ · gy · Uw      (two MatMuls with constant matrices, broadcast over N and C)
 *
 * and the gradient tests check that these matrices match the kernel (an adjoint of the wrong matrices
 * fails the finite-difference comparison).
 *
 * Modes:
 * - 'linear': bilinear, coordinate_transformation_mode half_pixel (PyTorch align_corners = false):
 *   source coordinate (o + 0.5)·in/out − 0.5, clamped to [0, in − 1], weights on the two neighbours.
 * - 'nearest': coordinate_transformation_mode asymmetric, nearest_mode floor: source index ⌊o·in/out⌋
 *   (plain pixel replication for integer factors).
 */
import { attr, type Attributes } from '../attributes.js';
import type { Tensor } from '../tensor.js';
import { matmul } from './matmul.js';

export type ResizeMode = 'linear' | 'nearest';

/** Row-major (out × in) matrix mapping a length-`inPx` signal to `outPx` samples as the Resize kernel does. */
export function interpolationMatrix(inPx: number, outPx: number, mode: ResizeMode): Float64Array {
  const m = new Float64Array(outPx * inPx);
  const scale = outPx / inPx;
  for (let o = 0; o < outPx; o++) {
    if (mode === 'nearest') {
      m[o * inPx + Math.min(inPx - 1, Math.floor(o / scale))] = 1;
      continue;
    }
    const src = Math.min(inPx - 1, Math.max(0, (o + 0.5) / scale - 0.5));
    const i0 = Math.floor(src);
    const i1 = Math.min(i0 + 1, inPx - 1);
    const f = src - i0;
    m[o * inPx + i0] += 1 - f;
    m[o * inPx + i1] += f;
  }
  return m;
}

function transposed(m: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c]!;
  return t;
}

/** Resizes the two trailing axes of an NCHW tensor to outH × outW. */
export function resize2d(x: Tensor, outH: number, outW: number, mode: ResizeMode = 'linear'): Tensor {
  if (x.rank !== 4) throw new Error(`resize2d: needs NCHW, got ${x}`);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const g = x.graph;
  const attributes: Attributes =
    mode === 'linear'
      ? { mode: attr.string('linear'), coordinate_transformation_mode: attr.string('half_pixel') }
      : { mode: attr.string('nearest'), coordinate_transformation_mode: attr.string('asymmetric'), nearest_mode: attr.string('floor') };
  const y = g.node('Resize', [x, '', '', g.int64s([n, c, outH, outW])], attributes, { shape: [n, c, outH, outW], dtype: x.dtype });
  return g.record({
    op: 'Resize',
    inputs: [x],
    output: y,
    backward: (gy) => {
      const uhT = g.constant(transposed(interpolationMatrix(h, outH, mode), outH, h), [h, outH], x.dtype, 'resize_uhT');
      const uw = g.constant(interpolationMatrix(w, outW, mode), [outW, w], x.dtype, 'resize_uw');
      return [matmul(matmul(uhT, gy), uw)];
    },
  });
}
