/**
 * 2-D convolution (ONNX Conv, NCHW, weights M × C/group × kH × kW, optional bias M) with strides,
 * explicit pads, dilations and groups; its gradients are themselves convolutions:
 *
 *   dx = ConvTranspose(gy, w) with the forward strides, pads, dilations and groups; output_padding
 *        restores the rows/columns a stride > 1 left unread at the end of x.
 *   dw[o, i, kh, kw] = Σ_{n, y, x} gy[n, o, y, x] · xpad[n, i, y·s + kh·d, x·s + kw·d]
 *        1×1 kernels, groups = 1: one matrix product, dw = gy · xᵀ over pixels (Gemm; x strided-sliced
 *        first when the stride is > 1). The general form written the same way (im2col from one strided
 *        Slice per kernel tap, then Gemm) measured slower in onnxruntime than the convolution form for
 *        3×3 kernels (Slice copies at ≈ 3 ns per element), so it is used for 1×1 only.
 *        otherwise: a convolution of x with gy as the kernel, strides and dilations exchanged: input
 *        channels become the batch and the batch becomes the channels, one grouped Conv (groups G over
 *        G·N channels); extra taps that appear when the stride does not divide the padded extent are
 *        sliced off. For 1×1 kernels this "kernel" covers the whole image and runs 5–10× slower than
 *        the Gemm.
 *   db = Σ_{n, y, x} gy
 */
import { attr, type Attributes } from '../attributes.js';
import type { Tensor } from '../tensor.js';
import { reduceSum } from './reduce.js';
import { reshape, slice, transpose } from './shape.js';

/** Convolution geometry; every pair is [along H, along W]. */
export interface Conv2dOptions {
  /** Default [1, 1]. */
  readonly strides?: readonly [number, number];
  /** [top, left, bottom, right] zero padding in pixels (ONNX order); default none. */
  readonly pads?: readonly [number, number, number, number];
  /** Default [1, 1]. */
  readonly dilations?: readonly [number, number];
  /** Default 1 (C and M must be multiples of it). */
  readonly groups?: number;
}

interface Geometry {
  readonly strides: readonly [number, number];
  readonly pads: readonly [number, number, number, number];
  readonly dilations: readonly [number, number];
  readonly groups: number;
}

function outExtent(inPx: number, k: number, stride: number, dilation: number, padBegin: number, padEnd: number): number {
  return Math.floor((inPx + padBegin + padEnd - ((k - 1) * dilation + 1)) / stride) + 1;
}

function convAttributes(geo: Geometry, kernel: readonly number[]): Attributes {
  return {
    kernel_shape: attr.ints(kernel),
    strides: attr.ints(geo.strides),
    pads: attr.ints(geo.pads),
    dilations: attr.ints(geo.dilations),
    group: attr.int(geo.groups),
  };
}

export function conv2d(x: Tensor, w: Tensor, b: Tensor | undefined, options: Conv2dOptions = {}): Tensor {
  const geo: Geometry = {
    strides: options.strides ?? [1, 1],
    pads: options.pads ?? [0, 0, 0, 0],
    dilations: options.dilations ?? [1, 1],
    groups: options.groups ?? 1,
  };
  if (x.rank !== 4 || w.rank !== 4) throw new Error(`conv2d: needs NCHW input and MCkk weights (${x}, ${w})`);
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const [m, cg, kh, kw] = w.shape as [number, number, number, number];
  const G = geo.groups;
  if (c !== cg * G || m % G !== 0) throw new Error(`conv2d: channels ${c} in, ${m} out, ${cg} per group do not fit ${G} groups`);
  if (b && (b.rank !== 1 || b.shape[0] !== m)) throw new Error(`conv2d: bias ${b} does not fit ${m} outputs`);
  if (x.dtype !== w.dtype || (b && b.dtype !== x.dtype)) throw new Error('conv2d: operand types differ');
  const [ph0, pw0, ph1, pw1] = geo.pads;
  const ho = outExtent(h, kh, geo.strides[0], geo.dilations[0], ph0, ph1);
  const wo = outExtent(wd, kw, geo.strides[1], geo.dilations[1], pw0, pw1);
  if (ho < 1 || wo < 1) throw new Error(`conv2d: empty output for ${x} with kernel ${kh}×${kw}`);
  const g = x.graph;
  const y = g.node('Conv', b ? [x, w, b] : [x, w], convAttributes(geo, [kh, kw]), { shape: [n, m, ho, wo], dtype: x.dtype });
  return g.record({
    op: 'Conv',
    inputs: b ? [x, w, b] : [x, w],
    output: y,
    backward: (gy, needed) => [
      needed[0] ? convInputGradient(gy, w, x.shape, geo) : undefined,
      needed[1] ? convWeightGradient(gy, x, w.shape, geo) : undefined,
      b && needed[2] ? reduceSum(gy, [0, 2, 3]) : undefined,
    ],
  });
}

function convInputGradient(gy: Tensor, w: Tensor, xShape: readonly number[], geo: Geometry): Tensor {
  const [kh, kw] = w.shape.slice(2) as [number, number];
  const [ho, wo] = gy.shape.slice(2) as [number, number];
  const [h, wd] = xShape.slice(2) as [number, number];
  const [ph0, pw0, ph1, pw1] = geo.pads;
  // ConvTranspose output extent is s·(in − 1) + output_padding + (k − 1)·d + 1 − pads; solve for output_padding.
  const outPadH = h - (geo.strides[0] * (ho - 1) + (kh - 1) * geo.dilations[0] + 1 - ph0 - ph1);
  const outPadW = wd - (geo.strides[1] * (wo - 1) + (kw - 1) * geo.dilations[1] + 1 - pw0 - pw1);
  // Not on the tape: second derivatives through Conv's input gradient are not needed.
  return gy.graph.node(
    'ConvTranspose',
    [gy, w],
    { ...convAttributes(geo, [kh, kw]), output_padding: attr.ints([outPadH, outPadW]) },
    { shape: xShape, dtype: gy.dtype },
  );
}

function convWeightGradient(gy: Tensor, x: Tensor, wShape: readonly number[], geo: Geometry): Tensor {
  const pointwise = wShape[2] === 1 && wShape[3] === 1 && geo.groups === 1;
  return pointwise ? convWeightGradientGemm(gy, x, wShape, geo) : convWeightGradientGrouped(gy, x, wShape, geo);
}

function convWeightGradientGrouped(gy: Tensor, x: Tensor, wShape: readonly number[], geo: Geometry): Tensor {
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const [m, cg, kh, kw] = wShape as [number, number, number, number];
  const G = geo.groups;
  // x: N × (G·Cg) × H × W → Cg × (G·N) × H × W (channel index g·N + n), so that group g of the
  // gradient convolution sees exactly the batch of group g's input channels.
  const xg =
    n === 1 && G === 1
      ? reshape(x, [c, 1, h, wd])
      : reshape(transpose(reshape(x, [n, G, cg, h, wd]), [2, 1, 0, 3, 4]), [cg, G * n, h, wd]);
  // gy: N × M × Ho × Wo → M × N × Ho × Wo: M kernels of N channels (per group: M/G kernels over N).
  const kernel = n === 1 ? reshape(gy, [m, 1, gy.shape[2]!, gy.shape[3]!]) : transpose(gy, [1, 0, 2, 3]);
  const full = conv2d(xg, kernel, undefined, {
    strides: geo.dilations,
    dilations: geo.strides,
    pads: geo.pads,
    groups: G,
  }); // Cg × M × kh' × kw'  (kh' ≥ kh)
  const taps = full.shape[2] === kh && full.shape[3] === kw ? full : slice(full, [0, 0], [kh, kw], [2, 3]);
  return cg === 1 ? reshape(taps, [m, 1, kh, kw]) : transpose(taps, [1, 0, 2, 3]);
}

/** Builds a raw node (not on the tape: the weight gradient is not differentiated again). */
function raw(g: Tensor['graph'], op: string, inputs: readonly Tensor[], attributes: Attributes, shape: readonly number[], dtype: Tensor['dtype']): Tensor {
  return g.node(op, inputs, attributes, { shape, dtype });
}

function convWeightGradientGemm(gy: Tensor, x: Tensor, wShape: readonly number[], geo: Geometry): Tensor {
  const g = x.graph;
  const dt = x.dtype;
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const [m, , kh, kw] = wShape as [number, number, number, number];
  const [ho, wo] = gy.shape.slice(2) as [number, number];
  const [pt, pl, pb, pr] = geo.pads;
  const [sh, sw] = geo.strides;
  const [dh, dw] = geo.dilations;
  const p = ho * wo;
  const k = kh * kw;
  const xp = geo.pads.some((v) => v > 0)
    ? raw(g, 'Pad', [x, g.int64s([0, 0, pt, pl, 0, 0, pb, pr])], { mode: attr.string('constant') }, [n, c, h + pt + pb, wd + pl + pr], dt)
    : x;
  const taps: Tensor[] = [];
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const whole = kh === 1 && kw === 1 && sh === 1 && sw === 1 && xp.shape[2] === ho && xp.shape[3] === wo;
      const tap = whole
        ? xp
        : raw(
            g,
            'Slice',
            [xp, g.int64s([a * dh, b * dw]), g.int64s([a * dh + (ho - 1) * sh + 1, b * dw + (wo - 1) * sw + 1]), g.int64s([2, 3]), g.int64s([sh, sw])],
            {},
            [n, c, ho, wo],
            dt,
          );
      taps.push(raw(g, 'Reshape', [tap, g.int64s([n, c, 1, p])], {}, [n, c, 1, p], dt));
    }
  }
  const stacked = taps.length === 1 ? taps[0]! : raw(g, 'Concat', taps, { axis: attr.int(2) }, [n, c, k, p], dt);
  const cols =
    n === 1
      ? raw(g, 'Reshape', [stacked, g.int64s([c * k, p])], {}, [c * k, p], dt)
      : raw(g, 'Reshape', [raw(g, 'Transpose', [stacked], { perm: attr.ints([1, 2, 0, 3]) }, [c, k, n, p], dt), g.int64s([c * k, n * p])], {}, [c * k, n * p], dt);
  const gy2 =
    n === 1
      ? raw(g, 'Reshape', [gy, g.int64s([m, p])], {}, [m, p], dt)
      : raw(g, 'Reshape', [raw(g, 'Transpose', [gy], { perm: attr.ints([1, 0, 2, 3]) }, [m, n, ho, wo], dt), g.int64s([m, n * p])], {}, [m, n * p], dt);
  const flat = raw(g, 'Gemm', [gy2, cols], { transB: attr.int(1) }, [m, c * k], dt);
  return raw(g, 'Reshape', [flat, g.int64s([...wShape])], {}, wShape, dt);
}
