/**
 * Packs named parameter tensors into one flat float32 buffer with its manifest (src/contracts/networkWeights.ts),
 * and reads them back. Pure.
 */
import type { WeightsManifest } from '../src/contracts/networkWeights.js';

export interface PackedWeights {
  readonly manifest: WeightsManifest;
  readonly data: Float32Array;
}

/** Packs `values` in the order of `specs` (every spec must have a value of matching length). */
export function packWeights(
  model: string,
  specs: readonly { readonly name: string; readonly shape: readonly number[] }[],
  values: ReadonlyMap<string, Float32Array>,
  version: number,
  origin: string,
): PackedWeights {
  let offset = 0;
  const tensors = specs.map((s) => {
    const length = s.shape.reduce((a, b) => a * b, 1);
    const v = values.get(s.name);
    if (!v || v.length !== length) throw new Error(`packWeights: ${s.name} needs ${length} values`);
    const entry = { name: s.name, shape: [...s.shape], offset, length };
    offset += length;
    return entry;
  });
  const data = new Float32Array(offset);
  for (const t of tensors) data.set(values.get(t.name)!, t.offset);
  return { manifest: { format: 'evpilot.weights/1', model, version, dtype: 'float32', totalLength: offset, tensors, origin }, data };
}

/** Raw little-endian bytes of a weights buffer (the `.weights` file). */
export function weightsBytes(data: Float32Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** A weights buffer from the bytes of a `.weights` file (copied, so alignment never matters). */
export function weightsFromBytes(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new Error('weights file length is not a multiple of 4 bytes');
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}
