/**
 * A training window kept in memory compactly, so pretraining can make several passes over simulated data
 * without simulating it again: the network input as a sparse list of (pixel, count) — a 5 ms window at
 * 160 × 120 touches a few thousand of the 38 400 input values — and the loss window's learner events with
 * coordinates in bytes when the sensor fits (≤ 256 px; else 16 bits) and times relative to the window start
 * in whole µs as 16 bits when the window is at most 65.5 ms long and its times are whole µs (else float32,
 * exact for whole µs up to 16.7 s). About 5 bytes per event: ~100 KB per window at 16 384 events and
 * 160 × 120, against ~360 KB dense. Ground truth ν is kept only when asked (evaluation).
 *
 * `expand` writes a sample back into preallocated buffers as a TrainingSample the Trainer takes.
 */
import type { EventBatch } from '../../contracts/eventBatch.js';
import type { EventWindow, InputMapping } from '../../contracts/eventWindow.js';
import type { CameraMotion, TrainingSample } from '../trainingSample.js';

export interface CompactSample {
  readonly index: number;
  readonly tStartUs: number;
  readonly tEndUs: number;
  /** Network input: nonzero positions (CHW flat index) and their values (event counts, whole numbers). */
  readonly inputIndex: Uint32Array;
  readonly inputValue: Uint16Array;
  readonly eventCount: number;
  readonly x: Uint8Array | Uint16Array;
  readonly y: Uint8Array | Uint16Array;
  readonly p: Uint8Array;
  /** Event time − tStartUs, µs. */
  readonly dtUs: Uint16Array | Float32Array;
  readonly motion: CameraMotion;
  readonly mapping: InputMapping;
  /** Ground truth ν at the window's end (network geometry), when kept. */
  readonly truthNu?: Float32Array;
  /** Ground-truth depth (m, +∞ sky), when kept with ν. */
  readonly truthDepth?: Float32Array;
}

/** Copies the input window's network input, the loss window's learner events and the motion. */
export function compactSample(
  input: EventWindow,
  loss: EventWindow,
  motion: CameraMotion,
  truth?: { readonly invTtcPerS: Float32Array; readonly depthM: Float32Array },
): CompactSample {
  return compactParts(
    {
      index: input.index,
      tStartUs: loss.tStartUs,
      tEndUs: loss.tEndUs,
      input: input.input.data,
      eventCount: loss.eventCount,
      events: loss.learnerEvents,
      motion,
      mapping: input.input.mapping,
      coordinatesFitBytes: loss.sensor.widthPx <= 256 && loss.sensor.heightPx <= 256,
    },
    truth,
  );
}

/**
 * Copies a TrainingSample as the Trainer takes it (views into a queue or a flight's buffers) so it can be
 * trained on again later (the replay reservoir, evaluation/replayReservoir.ts).
 */
export function compactTrainingSample(s: TrainingSample): CompactSample {
  let maxCoord = 0;
  const n = s.events.length;
  for (let i = 0; i < n; i++) maxCoord = Math.max(maxCoord, s.events.x[i]!, s.events.y[i]!);
  return compactParts({
    index: s.windowIndex,
    tStartUs: s.tStartUs,
    tEndUs: s.tEndUs,
    input: s.input,
    eventCount: s.windowEventCount,
    events: s.events,
    motion: s,
    mapping: s.mapping,
    coordinatesFitBytes: maxCoord < 256,
  });
}

interface SampleParts {
  readonly index: number;
  readonly tStartUs: number;
  readonly tEndUs: number;
  readonly input: Float32Array;
  readonly eventCount: number;
  readonly events: EventBatch;
  readonly motion: CameraMotion;
  readonly mapping: InputMapping;
  readonly coordinatesFitBytes: boolean;
}

function compactParts(w: SampleParts, truth?: { readonly invTtcPerS: Float32Array; readonly depthM: Float32Array }): CompactSample {
  const data = w.input;
  let nz = 0;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) nz++;
  const inputIndex = new Uint32Array(nz);
  const inputValue = new Uint16Array(nz);
  for (let i = 0, k = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v !== 0) {
      if (!(Number.isInteger(v) && v > 0 && v < 65536)) throw new Error(`compactSample: input value ${v} is not a count`);
      inputIndex[k] = i;
      inputValue[k++] = v;
    }
  }
  const e = w.events;
  const n = e.length;
  let wholeShort = w.tEndUs - w.tStartUs <= 65_535;
  for (let i = 0; i < n && wholeShort; i++) {
    const d = e.tUs[i]! - w.tStartUs;
    if (!(Number.isInteger(d) && d >= 0 && d <= 65_535)) wholeShort = false;
  }
  const dtUs = wholeShort ? new Uint16Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) dtUs[i] = e.tUs[i]! - w.tStartUs;
  const x = w.coordinatesFitBytes ? new Uint8Array(n) : new Uint16Array(n);
  const y = w.coordinatesFitBytes ? new Uint8Array(n) : new Uint16Array(n);
  x.set(e.x.subarray(0, n));
  y.set(e.y.subarray(0, n));
  const motion = w.motion;
  return {
    index: w.index,
    tStartUs: w.tStartUs,
    tEndUs: w.tEndUs,
    inputIndex,
    inputValue,
    eventCount: w.eventCount,
    x,
    y,
    p: e.p.slice(0, n),
    dtUs,
    motion: {
      bodyRatesCamRadS: { ...motion.bodyRatesCamRadS },
      focusOfExpansionNorm: { ...motion.focusOfExpansionNorm },
      foeFromVelocity: motion.foeFromVelocity,
      groundFloor: motion.groundFloor ? { ...motion.groundFloor } : null,
      axialSpeedMS: motion.axialSpeedMS,
    },
    mapping: { ...w.mapping },
    ...(truth ? { truthNu: Float32Array.from(truth.invTtcPerS), truthDepth: Float32Array.from(truth.depthM) } : {}),
  };
}

/** Bytes a sample holds (for reports). */
export function compactBytes(s: CompactSample): number {
  return s.inputIndex.byteLength + s.inputValue.byteLength + s.x.byteLength + s.y.byteLength + s.p.byteLength + s.dtUs.byteLength + (s.truthNu?.byteLength ?? 0) + (s.truthDepth?.byteLength ?? 0);
}

/** Preallocated buffers a compact sample expands into (one set per consumer; reused). */
export class SampleExpander {
  readonly input: Float32Array;
  private readonly x: Uint16Array;
  private readonly y: Uint16Array;
  private readonly p: Uint8Array;
  private readonly t: Float64Array;

  constructor(inputLength: number, maxEvents: number) {
    this.input = new Float32Array(inputLength);
    this.x = new Uint16Array(maxEvents);
    this.y = new Uint16Array(maxEvents);
    this.p = new Uint8Array(maxEvents);
    this.t = new Float64Array(maxEvents);
  }

  /** Writes the input into `input` (dense) only. */
  expandInput(s: CompactSample): Float32Array {
    this.input.fill(0);
    for (let k = 0; k < s.inputIndex.length; k++) this.input[s.inputIndex[k]!] = s.inputValue[k]!;
    return this.input;
  }

  /** The sample as the Trainer takes it; valid until the next call. */
  expand(s: CompactSample): TrainingSample {
    this.expandInput(s);
    const n = s.x.length;
    if (n > this.x.length) throw new Error(`SampleExpander: ${n} events, room for ${this.x.length}`);
    this.x.set(s.x);
    this.y.set(s.y);
    this.p.set(s.p);
    for (let i = 0; i < n; i++) this.t[i] = s.tStartUs + s.dtUs[i]!;
    const events: EventBatch = { length: n, x: this.x, y: this.y, p: this.p, tUs: this.t };
    return {
      ...s.motion,
      windowIndex: s.index,
      tStartUs: s.tStartUs,
      tEndUs: s.tEndUs,
      windowEventCount: s.eventCount,
      mapping: s.mapping,
      input: this.input,
      events,
      enqueuedTUs: 0,
    };
  }
}
