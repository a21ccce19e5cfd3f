/**
 * Element types the graph builder knows, with their ONNX codes. Parameters and activations are float32
 * on the device; float64 exists so that gradient tests can run the same graphs in double precision
 * where onnxruntime's CPU kernels support it. int64 carries shapes, axes and slice bounds; bool comes out
 * of comparisons.
 */
import { OnnxDataType } from './onnx/onnxSchema.js';

export type DType = 'float32' | 'float64' | 'int64' | 'bool';

/** A static shape: every dimension known when the graph is built (the builder does its own shape inference). */
export type Shape = readonly number[];

export function onnxDataType(dtype: DType): number {
  switch (dtype) {
    case 'float32':
      return OnnxDataType.FLOAT;
    case 'float64':
      return OnnxDataType.DOUBLE;
    case 'int64':
      return OnnxDataType.INT64;
    case 'bool':
      return OnnxDataType.BOOL;
  }
}

export function isFloat(dtype: DType): dtype is 'float32' | 'float64' {
  return dtype === 'float32' || dtype === 'float64';
}

/** Number of elements of a shape (1 for a scalar, shape []). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function formatShape(shape: Shape): string {
  return `[${shape.join('×')}]`;
}

/** Little-endian raw bytes of `values` as `dtype` (TensorProto.raw_data). */
export function rawBytes(values: ArrayLike<number>, dtype: DType): Uint8Array {
  const n = values.length;
  switch (dtype) {
    case 'float32': {
      const a = values instanceof Float32Array ? values : Float32Array.from(values);
      return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
    }
    case 'float64': {
      const a = values instanceof Float64Array ? values : Float64Array.from(values);
      return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
    }
    case 'int64': {
      const a = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        if (!Number.isInteger(v)) throw new Error(`int64 constant needs integers, got ${v}`);
        a[i] = BigInt(v);
      }
      return new Uint8Array(a.buffer);
    }
    case 'bool': {
      const a = new Uint8Array(n);
      for (let i = 0; i < n; i++) a[i] = values[i] ? 1 : 0;
      return a;
    }
  }
}
