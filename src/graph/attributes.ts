/**
 * Node attributes, typed explicitly: a JavaScript number cannot tell an ONNX INT from a FLOAT, and ONNX
 * rejects an attribute of the wrong kind, so each value says which it is.
 */
import { OnnxAttributeType } from './onnx/onnxSchema.js';

export type Attribute =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] };

export type Attributes = Readonly<Record<string, Attribute>>;

export const attr = {
  int: (value: number): Attribute => ({ kind: 'int', value }),
  float: (value: number): Attribute => ({ kind: 'float', value }),
  string: (value: string): Attribute => ({ kind: 'string', value }),
  ints: (value: readonly number[]): Attribute => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): Attribute => ({ kind: 'floats', value }),
};

/** One attribute as a plain AttributeProto object (protobufjs field names). */
export function attributeProto(name: string, a: Attribute): Record<string, unknown> {
  switch (a.kind) {
    case 'int':
      if (!Number.isInteger(a.value)) throw new Error(`attribute ${name}: ${a.value} is not an integer`);
      return { name, type: OnnxAttributeType.INT, i: a.value };
    case 'float':
      return { name, type: OnnxAttributeType.FLOAT, f: a.value };
    case 'string':
      return { name, type: OnnxAttributeType.STRING, s: new TextEncoder().encode(a.value) };
    case 'ints':
      if (!a.value.every(Number.isInteger)) throw new Error(`attribute ${name}: ${a.value.join(',')} are not integers`);
      return { name, type: OnnxAttributeType.INTS, ints: [...a.value] };
    case 'floats':
      return { name, type: OnnxAttributeType.FLOATS, floats: [...a.value] };
  }
}
