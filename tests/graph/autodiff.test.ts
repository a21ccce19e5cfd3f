/**
 * Autodiff mechanics: accumulation where a value feeds several operations, scalar losses, pruning of
 * work that leads to no `wrt` value, zero gradients for unrelated values, and a check that the
 * finite-difference harness itself rejects a wrong backward.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { add, exp, GraphBuilder, gradients, mul, conv2d, relu, sumAll, sumSquares, type Tensor } from '../../src/graph/index.js';
import { gradCheck } from './gradCheck.js';

describe('autodiff', () => {
  it('accumulates the gradient of a value used several times (x·x + exp(x) + x)', async () => {
    const r = await gradCheck({
      dtype: 'float64',
      inputs: { x: { shape: [5] } },
      build: ({ x }) => add(add(mul(x!, x!), exp(x!)), x!),
    });
    expect(r.failures).toEqual([]);
  });

  it('differentiates a scalar loss with seed 1 and gives exact values', async () => {
    const g = new GraphBuilder({ name: 'scalar' });
    const x = g.input('x', [3], 'float64');
    const [dx] = gradients(sumSquares(x), [x]);
    g.output(dx!, 'dx');
    const s = await ort.InferenceSession.create(g.toModelBytes());
    const out = await s.run({ x: new ort.Tensor('float64', Float64Array.from([1, -2, 3]), [3]) });
    expect(Array.from(out.dx!.data as Float64Array)).toEqual([2, -4, 6]);
  });

  it('gives zeros for a value the loss does not depend on', async () => {
    const g = new GraphBuilder({ name: 'unrelated' });
    const x = g.input('x', [2], 'float64');
    const z = g.input('z', [2, 2], 'float64');
    const [dz] = gradients(sumAll(x), [z]);
    g.output(dz!, 'dz');
    const s = await ort.InferenceSession.create(g.toModelBytes());
    const out = await s.run({
      x: new ort.Tensor('float64', new Float64Array(2), [2]),
      z: new ort.Tensor('float64', new Float64Array(4), [2, 2]),
    });
    expect(Array.from(out.dz!.data as Float64Array)).toEqual([0, 0, 0, 0]);
  });

  it('forms no gradient for the network input when only weights are wanted (no ConvTranspose for layer 1)', () => {
    const g = new GraphBuilder({ name: 'prune' });
    const x = g.input('x', [1, 2, 8, 8]);
    const w1 = g.input('w1', [4, 2, 3, 3]);
    const w2 = g.input('w2', [4, 4, 3, 3]);
    const y = conv2d(relu(conv2d(x, w1, undefined, { pads: [1, 1, 1, 1] })), w2, undefined, { pads: [1, 1, 1, 1] });
    const before = g.nodeCount;
    gradients(sumAll(y), [w2]);
    const proto = g.toModelProto() as { graph: { node: { op_type: string }[] } };
    const backwardOps = proto.graph.node.slice(before).map((n) => n.op_type);
    // Only w2 is wanted: neither layer-1 weights nor x need anything, so no ConvTranspose at all.
    expect(backwardOps).not.toContain('ConvTranspose');
    const g2 = new GraphBuilder({ name: 'prune2' });
    const x2 = g2.input('x', [1, 2, 8, 8]);
    const v1 = g2.input('w1', [4, 2, 3, 3]);
    const v2 = g2.input('w2', [4, 4, 3, 3]);
    const y2 = conv2d(relu(conv2d(x2, v1, undefined, { pads: [1, 1, 1, 1] })), v2, undefined, { pads: [1, 1, 1, 1] });
    const before2 = g2.nodeCount;
    gradients(sumAll(y2), [v1, v2]);
    const ops2 = (g2.toModelProto() as { graph: { node: { op_type: string }[] } }).graph.node.slice(before2).map((n) => n.op_type);
    // Layer 1's weights need dL/d(layer-1 output): exactly one ConvTranspose (through layer 2), none for x.
    expect(ops2.filter((o) => o === 'ConvTranspose')).toHaveLength(1);
  });

  it('the finite-difference harness rejects a wrong backward (Exp whose backward forgets the factor y)', async () => {
    const wrongExp = (x: Tensor) => {
      const g = x.graph;
      const y = g.node('Exp', [x], {}, { shape: x.shape, dtype: x.dtype });
      return g.record({ op: 'Exp', inputs: [x], output: y, backward: (gy) => [gy] });
    };
    const r = await gradCheck({ dtype: 'float64', inputs: { x: { shape: [6] } }, build: ({ x }) => wrongExp(x!) });
    expect(r.failures.length).toBeGreaterThan(0);
  });
});
