import { z } from 'zod';
import { INPUT_SAMPLINGS, type InputSampling } from './eventWindow.js';
import type { SpeedScaling } from './networkOutput.js';

/**
 * A network's parameters as one flat float32 buffer plus a manifest that says where each tensor lies.
 * The learner publishes new weights in this form (a version number and the buffer); the inference
 * stage copies them into its session's weight inputs between runs. On disk: `<name>.weights` holds the
 * raw little-endian float32 values, `<name>.weights.json` the manifest.
 */
export interface WeightsTensorEntry {
  /** The graph input name of the tensor (e.g. `enc1.weight`). */
  readonly name: string;
  readonly shape: readonly number[];
  /** First element in the flat buffer, in float32 elements (not bytes). */
  readonly offset: number;
  /** Number of elements (the product of `shape`). */
  readonly length: number;
}

export interface WeightsManifest {
  readonly format: 'evpilot.weights/1';
  /** Which network the weights belong to (e.g. `proximity-net`). */
  readonly model: string;
  /** Version of these weights (0 = the seeded initialisation; increases with every adopted update). */
  readonly version: number;
  readonly dtype: 'float32';
  /** Total number of float32 elements in the buffer. */
  readonly totalLength: number;
  /** Every tensor, in buffer order, without gaps. */
  readonly tensors: readonly WeightsTensorEntry[];
  /** Where the values come from (e.g. `he-normal seed 1`, or a pretraining run). */
  readonly origin: string;
  /** Present when the output is ν at a reference speed, to be scaled by the axial speed (networkOutput.ts). */
  readonly speedScaling?: SpeedScaling;
  /**
   * Length of the event window the network input counts, µs, ending with each window (the window cutter's
   * `lengthUs`). Absent: one window period, which is what weights without this field were trained on
   * (5 ms at 200 Hz). Inference must count the same span the weights were trained on.
   */
  readonly inputLengthUs?: number;
  /**
   * Noise filter on the network input's events, when the weights were trained with one: an event counts only
   * when at least `minNeighbours` of its 8 neighbouring pixels *of the network grid* fired within ±`supportUs` µs
   * of it, among the events of the input span and `supportUs` before it (the runtime applies the same:
   * app/perceptionWindows.ts, windows/inputEventFilter.ts).
   * Absent: every event counts.
   */
  readonly inputNoiseFilter?: { readonly supportUs: number; readonly minNeighbours: number };
  /**
   * Which camera pixels count into the network input (the window cutter's `inputSampling`,
   * windows/inputMapping.ts). `decimate`: the weights learned from a camera of the network's own resolution,
   * each network pixel the counts of one photodiode, so a finer camera is read one sensor pixel per network
   * pixel (at the network's resolution this is the same as `bin`). Absent: `bin`, every sensor pixel counts.
   */
  readonly inputSampling?: InputSampling;
}

/** Versioned weights as published by the learner (layout as in the network's manifest). */
export interface NetworkWeights {
  readonly version: number;
  /** totalLength float32 values. The receiver copies them; the sender may reuse the buffer afterwards. */
  readonly data: Float32Array;
}

const entrySchema = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().positive()),
  offset: z.number().int().nonnegative(),
  length: z.number().int().positive(),
});

const manifestSchema = z.object({
  format: z.literal('evpilot.weights/1'),
  model: z.string().min(1),
  version: z.number().int().nonnegative(),
  dtype: z.literal('float32'),
  totalLength: z.number().int().nonnegative(),
  tensors: z.array(entrySchema),
  origin: z.string(),
  speedScaling: z.object({ referenceSpeedMS: z.number().positive(), minSpeedMS: z.number().min(0) }).optional(),
  inputLengthUs: z.number().positive().max(1e9).optional(),
  inputNoiseFilter: z.object({ supportUs: z.number().positive().max(1e9), minNeighbours: z.number().int().min(1).max(8) }).optional(),
  inputSampling: z.enum(INPUT_SAMPLINGS).optional(),
});

/** Validates a parsed manifest (types, and that the tensors tile the buffer in order); throws with the reason. */
export function parseWeightsManifest(json: unknown): WeightsManifest {
  const m = manifestSchema.parse(json);
  let offset = 0;
  for (const t of m.tensors) {
    if (t.offset !== offset) throw new Error(`weights manifest: ${t.name} starts at ${t.offset}, expected ${offset}`);
    if (t.length !== t.shape.reduce((a, b) => a * b, 1)) throw new Error(`weights manifest: ${t.name} length does not match its shape`);
    offset += t.length;
  }
  if (offset !== m.totalLength) throw new Error(`weights manifest: tensors cover ${offset} of ${m.totalLength} elements`);
  return m;
}
