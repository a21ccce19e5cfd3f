/** Fixed-rate windows and the network input: the public surface of the windows stage. */
export { WindowCutter, type WindowCallback, type WindowCutterOptions } from './windowCutter.js';
export type { InputEventFilter, InputEventFilterFactory } from './inputEventFilter.js';
export { windowCutterOptionsSchema, type ResolvedWindowCutterOptions } from './windowCutterOptions.js';
export { buildInputLookup, computeInputMapping, type InputFit, type InputLookup, type InputSampling } from './inputMapping.js';
export { NetworkInputBuilder, accumulateCounts, accumulateVoxel, type InputKind } from './networkInputBuilder.js';
export { LearnerEventBuffer, subsampleUniform, PLAIN_ARRAY_MASK } from './learnerSubsampler.js';
