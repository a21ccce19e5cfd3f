/**
 * Configuration of the window cutter: schema (zod), defaults, and the resolved form the cutter uses.
 * Validation happens once at construction; a bad value throws a RangeError that names the field.
 *
 * Values are plain numbers in the units their names carry; a configuration layer that accepts
 * `window: 5 ms` converts with mathjs before it gets here.
 */
import * as z from 'zod';
import { INPUT_SAMPLINGS } from '../contracts/eventWindow.js';
import type { SensorGeometry } from '../contracts/sensorGeometry.js';
import { assertGeometry, type InputFit, type InputSampling } from './inputMapping.js';
import type { InputKind } from './networkInputBuilder.js';

const geometrySchema = z.object({
  widthPx: z.number().int().min(1).max(65536),
  heightPx: z.number().int().min(1).max(65536),
});

export const windowCutterOptionsSchema = z
  .object({
    /** Sensor geometry of incoming events. */
    sensor: geometrySchema,
    /** Network input geometry; default 160 × 120. */
    network: geometrySchema.default({ widthPx: 160, heightPx: 120 }),
    /** Sensor → network fit (see inputMapping.ts); default letterbox (nothing the sensor sees is lost). */
    fit: z.enum(['letterbox', 'crop']).default('letterbox'),
    /**
     * Which sensor pixels count into the network input (inputMapping.ts): `bin` (default) every one; `decimate`
     * one per network pixel, for weights trained on a camera as coarse as the network read through a finer one.
     * The learner's events keep every sensor pixel either way.
     */
    inputSampling: z.enum(INPUT_SAMPLINGS).default('bin'),
    /** Window rate in Hz (sensor time); 100–200 is typical. The period is 1e6 / rateHz µs. */
    rateHz: z.number().gt(0).max(1e6),
    /** Window length in µs; default one period. Longer than the period → overlapping windows. */
    lengthUs: z.number().gt(0).max(1e9).optional(),
    /**
     * Span of the learner's events in µs, ending with the window; default the window's length. The
     * self-supervised loss needs more motion than a 5 ms input window holds (src/learning/EVIDENCE.md:
     * 40 ms), so the learner may look further back than the network input.
     */
    learnerLengthUs: z.number().gt(0).max(1e9).optional(),
    /** Network input kind; default per-polarity counts. */
    inputKind: z.enum(['counts', 'voxel']).default('counts'),
    /** Voxel time bins B (voxel input only); default 5. */
    voxelBins: z.number().int().min(1).max(1024).default(5),
    /** Most events handed to the learner per window (uniform subsampling above it); default 4096. */
    learnerCap: z.number().int().min(1).max(1 << 24).default(4096),
    /**
     * Sensor-time jump (µs) beyond which the cutter re-anchors its grid instead of emitting every window
     * in between (forward) or dropping everything until time catches up (backward); default 1 s.
     * Must be at least one period; at most 60 s (beyond that, emitting every empty window is pointless).
     */
    maxGapUs: z.number().gt(0).max(60_000_000).default(1_000_000),
    /** Events the history ring holds (rounded up to a power of two); default 2^19 (≈ 6.8 MB). */
    ringCapacity: z
      .number()
      .int()
      .min(1)
      .max(2 ** 30)
      .default(2 ** 19),
    /**
     * An event older than the newest accepted one by at most this many µs is accepted (its time raised to
     * the newest, counted as reordered); older than that it is dropped as backwards. Default 100 µs.
     */
    backwardsToleranceUs: z.number().min(0).default(100),
  })
  .check((ctx) => {
    const o = ctx.value;
    const periodUs = 1e6 / o.rateHz;
    if (o.maxGapUs < periodUs) {
      ctx.issues.push({
        code: 'custom',
        message: `maxGapUs (${o.maxGapUs}) must be at least one period (${periodUs} µs)`,
        path: ['maxGapUs'],
        input: o.maxGapUs,
      });
    }
  });

/** Options as a caller writes them (defaults may be left out). */
export type WindowCutterOptions = z.input<typeof windowCutterOptionsSchema>;

/** Options with every default applied and derived values computed. */
export interface ResolvedWindowCutterOptions {
  readonly sensor: SensorGeometry;
  readonly network: SensorGeometry;
  readonly fit: InputFit;
  readonly inputSampling: InputSampling;
  readonly rateHz: number;
  readonly periodUs: number;
  readonly lengthUs: number;
  readonly learnerLengthUs: number;
  readonly inputKind: InputKind;
  readonly voxelBins: number;
  readonly learnerCap: number;
  readonly maxGapUs: number;
  readonly ringCapacity: number;
  readonly backwardsToleranceUs: number;
}

/** Validates and applies defaults; throws RangeError("Invalid window cutter options: …") on bad input. */
export function resolveWindowCutterOptions(options: WindowCutterOptions): ResolvedWindowCutterOptions {
  const parsed = windowCutterOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new RangeError(`Invalid window cutter options:\n${z.prettifyError(parsed.error)}`);
  }
  const o = parsed.data;
  assertGeometry('sensor', o.sensor);
  assertGeometry('network', o.network);
  const periodUs = 1e6 / o.rateHz;
  return {
    ...o,
    periodUs,
    lengthUs: o.lengthUs ?? periodUs,
    learnerLengthUs: o.learnerLengthUs ?? o.lengthUs ?? periodUs,
  };
}
