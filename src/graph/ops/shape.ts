/**
 * Operators that move elements without arithmetic: Reshape, Transpose, Concat, Slice, Pad, Expand.
 * Their gradients move the gradient back:
 *
 *   Reshape       dx = Reshape(gy, shape of x)
 *   Transpose p   dx = Transpose(gy, p⁻¹)
 *   Concat        dx_i = Slice of gy at x_i's position along the axis
 *   Slice         dx = Pad(gy) with zeros where x was cut away
 *   Pad (zeros)   dx = Slice(gy) back to x's extent
 *   Expand        dx = gy summed over the expanded axes (unbroadcast)
 */
import { type Shape, formatShape, sizeOf } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { broadcastShapes, unbroadcast } from './broadcast.js';

export function reshape(x: Tensor, shape: Shape): Tensor {
  if (sizeOf(shape) !== x.size || shape.some((d) => d < 0 || !Number.isInteger(d))) {
    throw new Error(`reshape: ${x} cannot become ${formatShape(shape)}`);
  }
  const g = x.graph;
  const y = g.node('Reshape', [x, g.int64s(shape)], {}, { shape, dtype: x.dtype });
  return g.record({ op: 'Reshape', inputs: [x], output: y, backward: (gy) => [reshape(gy, x.shape)] });
}

export function transpose(x: Tensor, perm: readonly number[]): Tensor {
  if (perm.length !== x.rank || [...perm].sort().some((p, i) => p !== i)) throw new Error(`transpose: bad permutation ${perm} for ${x}`);
  const g = x.graph;
  const y = g.node('Transpose', [x], { perm: { kind: 'ints', value: perm } }, { shape: perm.map((p) => x.shape[p]!), dtype: x.dtype });
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return g.record({ op: 'Transpose', inputs: [x], output: y, backward: (gy) => [transpose(gy, inverse)] });
}

export function concat(xs: readonly Tensor[], axis: number): Tensor {
  const first = xs[0];
  if (!first) throw new Error('concat: no inputs');
  const ax = axis < 0 ? axis + first.rank : axis;
  for (const x of xs) {
    if (x.rank !== first.rank || x.dtype !== first.dtype || x.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new Error(`concat: ${x} does not fit ${first} along axis ${ax}`);
    }
  }
  const g = first.graph;
  const shape = first.shape.map((d, i) => (i === ax ? xs.reduce((s, x) => s + x.shape[ax]!, 0) : d));
  const y = g.node('Concat', xs, { axis: { kind: 'int', value: ax } }, { shape, dtype: first.dtype });
  return g.record({
    op: 'Concat',
    inputs: xs,
    output: y,
    backward: (gy, needed) => {
      let offset = 0;
      return xs.map((x, i) => {
        const start = offset;
        offset += x.shape[ax]!;
        return needed[i] ? slice(gy, [start], [offset], [ax]) : undefined;
      });
    },
  });
}

/** x[starts:ends] along `axes` (step 1; bounds clamped to the extent, negative counts from the end). */
export function slice(x: Tensor, starts: readonly number[], ends: readonly number[], axes: readonly number[]): Tensor {
  const g = x.graph;
  const begin = x.shape.map(() => 0);
  const end = [...x.shape];
  axes.forEach((a0, k) => {
    const a = a0 < 0 ? a0 + x.rank : a0;
    const n = x.shape[a]!;
    const clamp = (v: number) => Math.min(n, Math.max(0, v < 0 ? v + n : v));
    begin[a] = clamp(starts[k]!);
    end[a] = Math.max(begin[a]!, clamp(ends[k]!));
  });
  const allAxes = x.shape.map((_, i) => i);
  const shape = allAxes.map((i) => end[i]! - begin[i]!);
  const y = g.node('Slice', [x, g.int64s(begin), g.int64s(end), g.int64s(allAxes)], {}, { shape, dtype: x.dtype });
  return g.record({
    op: 'Slice',
    inputs: [x],
    output: y,
    backward: (gy) => [padZeros(gy, begin, allAxes.map((i) => x.shape[i]! - end[i]!))],
  });
}

/** Pads with zeros: `before[i]` and `after[i]` elements on each side of axis i (non-negative). */
export function padZeros(x: Tensor, before: readonly number[], after: readonly number[]): Tensor {
  if (before.length !== x.rank || after.length !== x.rank || [...before, ...after].some((p) => p < 0)) {
    throw new Error(`padZeros: bad pads for ${x}`);
  }
  const g = x.graph;
  const shape = x.shape.map((d, i) => d + before[i]! + after[i]!);
  const y = g.node('Pad', [x, g.int64s([...before, ...after])], { mode: { kind: 'string', value: 'constant' } }, { shape, dtype: x.dtype });
  return g.record({
    op: 'Pad',
    inputs: [x],
    output: y,
    backward: (gy) => [slice(gy, before, x.shape.map((d, i) => before[i]! + d), x.shape.map((_, i) => i))],
  });
}

/** Broadcasts x to `shape` (ONNX Expand). */
export function expand(x: Tensor, shape: Shape): Tensor {
  const g = x.graph;
  const out = broadcastShapes(x.shape, shape);
  const y = g.node('Expand', [x, g.int64s(shape)], {}, { shape: out, dtype: x.dtype });
  return g.record({ op: 'Expand', inputs: [x], output: y, backward: (gy) => [unbroadcast(gy, x.shape)] });
}
