/**
 * A typed handle to one value of a graph under construction: its ONNX name, static shape and element type.
 * Handles are cheap and immutable; operators (src/graph/ops) take handles and return new ones, adding
 * nodes to the builder the handle belongs to.
 */
import type { GraphBuilder } from './graphBuilder.js';
import { type DType, type Shape, formatShape, sizeOf } from './dtype.js';

export class Tensor {
  constructor(
    /** The builder whose graph holds this value. */
    readonly graph: GraphBuilder,
    /** The value's ONNX name (unique in the graph). */
    readonly name: string,
    readonly shape: Shape,
    readonly dtype: DType,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    return sizeOf(this.shape);
  }

  toString(): string {
    return `${this.name}:${this.dtype}${formatShape(this.shape)}`;
  }
}
