/**
 * Reverse-mode automatic differentiation over a builder's tape: the backward graph is added to the same
 * builder, node by node, as ordinary ONNX operators.
 *
 * Walks the tape in reverse creation order (a valid reverse topological order, since an operation is
 * recorded after its inputs exist), hands each operation the accumulated gradient of its output and adds
 * the gradients it returns to those of its inputs (Add where a value feeds several operations). Only
 * operations that lie on a path from some `wrt` value to a seeded value are differentiated, and an
 * operation is asked only for the input gradients that lead back to a `wrt` value: a frozen first layer
 * costs no backward work, and no gradient is ever formed for the network input.
 */
import { sameShape } from './dtype.js';
import type { GraphBuilder } from './graphBuilder.js';
import { add } from './ops/arithmetic.js';
import type { Tensor } from './tensor.js';

/** A seeded value and dL/d(value) (the upstream gradient, same shape). */
export type Seed = readonly [value: Tensor, gradient: Tensor];

/**
 * Gradients of a scalar `loss` (seed 1), or of Σ seeds ⟨value, gradient⟩ (a vector–Jacobian product), with
 * respect to each of `wrt`. A `wrt` value that the seeds do not depend on gets a zero constant.
 */
export function gradients(lossOrSeeds: Tensor | readonly Seed[], wrt: readonly Tensor[]): Tensor[] {
  const seeds: readonly Seed[] = Array.isArray(lossOrSeeds) ? (lossOrSeeds as readonly Seed[]) : scalarSeed(lossOrSeeds as Tensor);
  if (seeds.length === 0) throw new Error('gradients: no seeds');
  const g: GraphBuilder = seeds[0]![0].graph;
  for (const [value, grad] of seeds) {
    if (value.graph !== g || grad.graph !== g) throw new Error('gradients: seeds from different graphs');
    if (!sameShape(value.shape, grad.shape)) throw new Error(`gradients: seed for ${value} has shape [${grad.shape}]`);
    if (grad.dtype !== value.dtype) throw new Error(`gradients: seed for ${value} is ${grad.dtype}`);
  }
  for (const w of wrt) if (w.graph !== g) throw new Error(`gradients: ${w} belongs to another graph`);

  const tape = g.tape;
  // Forward sweep: values that depend on some wrt value (only they can carry a useful gradient back).
  const active = new Set<string>(wrt.map((w) => w.name));
  for (const e of tape) if (e.inputs.some((i) => active.has(i.name))) active.add(e.output.name);

  const grads = new Map<string, Tensor>();
  const accumulate = (name: string, grad: Tensor) => {
    const prev = grads.get(name);
    grads.set(name, prev ? add(prev, grad) : grad);
  };
  for (const [value, grad] of seeds) accumulate(value.name, grad);

  for (let k = tape.length - 1; k >= 0; k--) {
    const e = tape[k]!;
    const gy = grads.get(e.output.name);
    if (!gy || !active.has(e.output.name)) continue;
    const needed = e.inputs.map((i) => active.has(i.name));
    const gx = e.backward(gy, needed);
    e.inputs.forEach((input, i) => {
      const gi = gx[i];
      if (!needed[i] || !gi) return;
      if (!sameShape(gi.shape, input.shape)) {
        throw new Error(`${e.op} backward: gradient for ${input} has shape [${gi.shape}]`);
      }
      accumulate(input.name, gi);
    });
  }
  return wrt.map((w) => grads.get(w.name) ?? g.filled(0, w.shape, w.dtype));
}

function scalarSeed(loss: Tensor): Seed[] {
  if (loss.size !== 1) throw new Error(`gradients: loss ${loss} is not a scalar; pass seeds instead`);
  return [[loss, loss.graph.filled(1, loss.shape, loss.dtype)]];
}
