/** Every operator of the graph builder, one family per file. */
export * from './activations.js';
export * from './arithmetic.js';
export * from './broadcast.js';
export * from './conv.js';
export * from './logic.js';
export * from './matmul.js';
export * from './minmax.js';
export * from './reduce.js';
export * from './resize.js';
export * from './shape.js';
export * from './unaryMath.js';
