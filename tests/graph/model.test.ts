/** Model bytes: protobuf round trip, declared opset and IR version, onnxruntime loads them and runs them. */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { conv2d, GraphBuilder, IR_VERSION, OPSET_VERSION, resize2d, softplus } from '../../src/graph/index.js';
import { decodeModelProto } from '../../src/graph/onnx/onnxSchema.js';

describe('model emission', () => {
  const build = () => {
    const g = new GraphBuilder({ name: 'emit', doc: 'test model' });
    const x = g.input('x', [1, 2, 8, 8]);
    const w = g.constant(Float32Array.from({ length: 2 * 2 * 9 }, (_, i) => (i % 5) / 10), [2, 2, 3, 3]);
    const y = resize2d(softplus(conv2d(x, w, undefined, { strides: [2, 2], pads: [1, 1, 1, 1] })), 8, 8);
    g.output(y, 'y');
    g.setMetadata('purpose', 'test');
    return g.toModelBytes();
  };

  it('decodes back to the same graph and declares opset 17 / IR 8', () => {
    const m = decodeModelProto(build()) as {
      ir_version: number;
      opset_import: { domain?: string; version: number }[];
      graph: { name: string; input: { name: string }[]; output: { name: string }[]; node: { op_type: string }[]; initializer: unknown[] };
      metadata_props: { key: string; value: string }[];
    };
    expect(m.ir_version).toBe(IR_VERSION);
    expect(m.opset_import).toEqual([{ domain: '', version: OPSET_VERSION }]);
    expect(m.graph.name).toBe('emit');
    expect(m.graph.input.map((i) => i.name)).toEqual(['x']);
    expect(m.graph.output.map((o) => o.name)).toEqual(['y']);
    expect(m.graph.node.map((n) => n.op_type)).toEqual(['Conv', 'Softplus', 'Resize', 'Identity']);
    expect(m.metadata_props).toEqual([{ key: 'purpose', value: 'test' }]);
  });

  it('loads in onnxruntime and produces the declared output shape', async () => {
    const s = await ort.InferenceSession.create(build());
    expect(s.inputNames).toEqual(['x']);
    const out = await s.run({ x: new ort.Tensor('float32', new Float32Array(128).fill(1), [1, 2, 8, 8]) });
    expect(out.y!.dims).toEqual([1, 2, 8, 8]);
    expect((out.y!.data as Float32Array).every(Number.isFinite)).toBe(true);
  });

  it('refuses duplicate names and outputs of another graph', () => {
    const g = new GraphBuilder({ name: 'dup' });
    g.input('x', [1]);
    expect(() => g.input('x', [1])).toThrow(/already used/);
    const other = new GraphBuilder({ name: 'other' }).input('z', [1]);
    expect(() => g.output(other, 'z')).toThrow(/another graph/);
  });
});
