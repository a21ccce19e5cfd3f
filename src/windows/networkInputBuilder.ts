/**
 * Turns a window's events into the network input tensor (row-major CHW Float32Array at network
 * geometry), into one preallocated buffer reused for every window.
 *
 * Pure algorithm code: no I/O, no clock. Hot loops read typed arrays only and allocate nothing.
 *
 * - counts: channel 0 = OFF counts, channel 1 = ON counts (see `NetworkInput`).
 * - voxel: B channels = time bins over the window [tStartUs, tEndUs). An event at time t has the
 *   normalised time τ = (B − 1)(t − tStartUs)/(tEndUs − tStartUs) ∈ [0, B − 1); it adds
 *   pol · (1 − frac(τ)) to bin ⌊τ⌋ and pol · frac(τ) to bin ⌊τ⌋ + 1, pol = +1 (ON) / −1 (OFF)
 *   (Zhu et al. 2019, but normalised by the window, not by the first and last event, so a window's
 *   bins always mean the same times). τ is clamped into [0, B − 1] so an event handed in slightly
 *   outside the window cannot write outside its pixel's bins.
 */
import type { EventBatch } from '../contracts/eventBatch.js';
import type { InputMapping, NetworkInput } from '../contracts/eventWindow.js';
import type { SensorGeometry } from '../contracts/sensorGeometry.js';
import { buildInputLookup, type InputFit, type InputLookup, type InputSampling } from './inputMapping.js';

export type InputKind = NetworkInput['kind'];

/** Just the event arrays; the range to read is passed separately. */
export type EventArrays = Pick<EventBatch, 'x' | 'y' | 'p' | 'tUs'>;

/**
 * Adds events [from, to) of `src` as per-polarity counts into `out` (2 planes of Wn × Hn).
 * Returns how many of them were counted (the rest lie outside the network with `crop`, or outside the
 * sensor geometry, which the caller should already have dropped).
 */
export function accumulateCounts(
  lut: InputLookup,
  src: EventArrays,
  from: number,
  to: number,
  out: Float32Array,
): number {
  const { columnToNetX: col, rowToNetOffset: row } = lut;
  const ws = col.length;
  const hs = row.length;
  const plane = lut.network.widthPx * lut.network.heightPx;
  const xs = src.x;
  const ys = src.y;
  const ps = src.p;
  let counted = 0;
  for (let i = from; i < to; i++) {
    const x = xs[i];
    const y = ys[i];
    if (x >= ws || y >= hs) continue;
    const idx = col[x] + row[y];
    if (idx < 0) continue;
    // Channel 1 = ON: any non-zero polarity byte counts as ON (same as `p === 1` for valid data).
    // Arithmetic, not a branch: polarities are close to random, a branch would mispredict half the time.
    out[idx + plane * +(ps[i] !== 0)] += 1;
    counted++;
  }
  return counted;
}

/**
 * Adds events [from, to) of `src` into a B-bin voxel grid `out` (B planes of Wn × Hn) for the window
 * [tStartUs, tEndUs) (tEndUs > tStartUs). Returns how many events were counted.
 */
export function accumulateVoxel(
  lut: InputLookup,
  src: EventArrays,
  from: number,
  to: number,
  tStartUs: number,
  tEndUs: number,
  bins: number,
  out: Float32Array,
): number {
  const { columnToNetX: col, rowToNetOffset: row } = lut;
  const ws = col.length;
  const hs = row.length;
  const plane = lut.network.widthPx * lut.network.heightPx;
  const xs = src.x;
  const ys = src.y;
  const ps = src.p;
  const ts = src.tUs;
  if (bins === 1) return accumulateSignedCounts(col, row, xs, ys, ps, from, to, out);
  const lastBin = bins - 1;
  const binsPerUs = lastBin / (tEndUs - tStartUs);
  const maxLow = lastBin - 1; // the lower bin of a pair is at most B − 2
  let counted = 0;
  for (let i = from; i < to; i++) {
    const x = xs[i];
    const y = ys[i];
    if (x >= ws || y >= hs) continue;
    const idx = col[x] + row[y];
    if (idx < 0) continue;
    let tau = (ts[i] - tStartUs) * binsPerUs;
    if (!(tau > 0)) tau = 0; // also catches NaN
    else if (tau > lastBin) tau = lastBin;
    let low = Math.floor(tau);
    if (low > maxLow) low = maxLow;
    const frac = tau - low;
    const pol = 2 * +(ps[i] !== 0) - 1; // +1 ON, −1 OFF, without a branch (polarities are near random)
    const at = low * plane + idx;
    out[at] += pol * (1 - frac);
    out[at + plane] += pol * frac; // low + 1 ≤ B − 1: always inside the grid
    counted++;
  }
  return counted;
}

/** B = 1 voxel grid: one plane of ON − OFF counts (every event at τ = 0 with weight 1). */
function accumulateSignedCounts(
  col: Int32Array,
  row: Int32Array,
  xs: Uint16Array,
  ys: Uint16Array,
  ps: Uint8Array,
  from: number,
  to: number,
  out: Float32Array,
): number {
  const ws = col.length;
  const hs = row.length;
  let counted = 0;
  for (let i = from; i < to; i++) {
    const x = xs[i];
    const y = ys[i];
    if (x >= ws || y >= hs) continue;
    const idx = col[x] + row[y];
    if (idx < 0) continue;
    out[idx] += 2 * +(ps[i] !== 0) - 1;
    counted++;
  }
  return counted;
}

/** Configuration of a `NetworkInputBuilder`. */
export interface NetworkInputBuilderOptions {
  readonly sensor: SensorGeometry;
  readonly network: SensorGeometry;
  readonly fit: InputFit;
  /** Which sensor pixels count (inputMapping.ts); default `bin`, every one. */
  readonly sampling?: InputSampling;
  readonly kind: InputKind;
  /** Voxel time bins B (≥ 1); ignored for counts. */
  readonly voxelBins: number;
}

/**
 * Owns one network input tensor and fills it window after window:
 *     builder.begin(tStartUs, tEndUs); builder.add(events, from, to) …; builder.input.data is ready.
 * `input` (and its `data`) is the same object for every window: consumers copy what they keep.
 */
export class NetworkInputBuilder {
  readonly lookup: InputLookup;
  readonly input: NetworkInput;
  private readonly data: Float32Array;
  private readonly bins: number;
  private tStartUs = 0;
  private tEndUs = 1;

  constructor(options: NetworkInputBuilderOptions) {
    const { kind, voxelBins } = options;
    if (kind !== 'counts' && kind !== 'voxel') {
      throw new RangeError(`input kind must be 'counts' or 'voxel', got ${String(kind)}`);
    }
    if (kind === 'voxel' && (!Number.isInteger(voxelBins) || voxelBins < 1)) {
      throw new RangeError(`voxelBins must be an integer ≥ 1, got ${String(voxelBins)}`);
    }
    this.lookup = buildInputLookup(options.sensor, options.network, options.fit, options.sampling);
    this.bins = kind === 'voxel' ? voxelBins : 2;
    const { network, mapping } = this.lookup;
    this.data = new Float32Array(this.bins * network.widthPx * network.heightPx);
    this.input = { kind, channels: this.bins, geometry: network, mapping, data: this.data };
  }

  get mapping(): InputMapping {
    return this.lookup.mapping;
  }

  /** Clears the tensor for a new window covering [tStartUs, tEndUs) (sensor µs, tEndUs > tStartUs). */
  begin(tStartUs: number, tEndUs: number): void {
    this.tStartUs = tStartUs;
    this.tEndUs = tEndUs;
    this.data.fill(0);
  }

  /** Adds events [from, to) of `src`; returns how many landed in the tensor. */
  add(src: EventArrays, from: number, to: number): number {
    if (this.input.kind === 'counts') return accumulateCounts(this.lookup, src, from, to, this.data);
    return accumulateVoxel(this.lookup, src, from, to, this.tStartUs, this.tEndUs, this.bins, this.data);
  }
}
