/**
 * src/graph: a small ONNX graph builder with reverse-mode autodiff (pure: no I/O).
 *
 *   const g = new GraphBuilder({ name: 'demo' });
 *   const x = g.input('x', [1, 2, 8, 8]);
 *   const w = g.input('w', [4, 2, 3, 3]);
 *   const y = relu(conv2d(x, w, undefined, { pads: [1, 1, 1, 1] }));
 *   const [dw] = gradients(sumAll(y), [w]);
 *   g.output(y, 'y'); g.output(dw!, 'dw');
 *   const bytes = g.toModelBytes();          // → ort.InferenceSession.create(bytes)
 */
export * from './autodiff.js';
export * from './attributes.js';
export * from './dtype.js';
export * from './graphBuilder.js';
export * from './ops/index.js';
export * from './tensor.js';
export * from './training/optimizer.js';
export * from './training/trainingGraphs.js';
