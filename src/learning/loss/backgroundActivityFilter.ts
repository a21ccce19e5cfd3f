/**
 * Background-activity (noise) filter for the loss's events: keeps an event only when at least
 * `minNeighbours` of its 8 neighbouring pixels fired within ±`supportUs` of it (either polarity, within
 * the same window). A moving edge fires neighbouring pixels within a few milliseconds of each other;
 * shot noise and leak events are isolated in space. The classic filter (Delbruck 2008) looks only into the
 * past and counts any one neighbour; the loss sees a whole window at once, so this one looks both ways
 * and can ask for more than one supporting neighbour.
 *
 * Why the loss needs it: stationary noise pulls the contrast objective toward ν = 0 (noise does not move
 * with the flow, so any warp smears it). In the simulator's noisy domain B, without the filter the focus
 * loss along α·ν_true is lowest at α = 0; with it (5 ms, 2 neighbours) at α = 1 (src/learning/EVIDENCE.md).
 * The filter depends only on where and when events fired, not on ν, so the loss's gradient with respect
 * to ν is unchanged in form: the filter just selects the events it is computed over.
 *
 * Pure computation over preallocated typed arrays. Events must be in time order (as windows deliver them);
 * the result is a view into the filter's buffers, valid until the next `apply`.
 */
import type { EventBatch } from '../../contracts/eventBatch.js';
import type { SensorGeometry } from '../../contracts/sensorGeometry.js';

/** Settings of the background-activity filter. */
export interface NoiseFilterSettings {
  /** Half-width of the time window in which a neighbour supports an event, µs (> 0). */
  readonly supportUs: number;
  /** Neighbouring pixels (of 8) that must have fired within ±supportUs, 1–8. */
  readonly minNeighbours: number;
}

/** The setting measured in domain B (EVIDENCE.md): 5 ms, 2 neighbours. */
export const DEFAULT_NOISE_FILTER: NoiseFilterSettings = { supportUs: 5000, minNeighbours: 2 };

export function checkNoiseFilterSettings(s: NoiseFilterSettings): void {
  if (!(s.supportUs > 0 && Number.isFinite(s.supportUs))) throw new RangeError(`noise filter supportUs must be finite and > 0, got ${String(s.supportUs)}`);
  if (!(Number.isInteger(s.minNeighbours) && s.minNeighbours >= 1 && s.minNeighbours <= 8)) {
    throw new RangeError(`noise filter minNeighbours must be an integer in 1..8, got ${String(s.minNeighbours)}`);
  }
}

// Neighbour k (bit k of the mask) at pixel offset (DX[k], DY[k]).
const DX = [-1, 0, 1, -1, 1, -1, 0, 1];
const DY = [-1, -1, -1, 0, 0, 1, 1, 1];

export class BackgroundActivityFilter {
  readonly settings: NoiseFilterSettings;
  private readonly widthPx: number;
  private readonly heightPx: number;
  /** Per sensor pixel: time of its latest event seen in the current pass (µs). */
  private readonly lastUs: Float64Array;
  private capacity = 0;
  /** Per event: bit k set when neighbour k fired within ±supportUs. */
  private mask = new Uint8Array(0);
  private x = new Uint16Array(0);
  private y = new Uint16Array(0);
  private p = new Uint8Array(0);
  private t = new Float64Array(0);
  /** Events the last `apply` dropped as noise. */
  dropped = 0;

  constructor(sensor: SensorGeometry, settings: NoiseFilterSettings, initialCapacity = 16_384) {
    checkNoiseFilterSettings(settings);
    this.settings = { supportUs: settings.supportUs, minNeighbours: settings.minNeighbours };
    this.widthPx = sensor.widthPx;
    this.heightPx = sensor.heightPx;
    this.lastUs = new Float64Array(sensor.widthPx * sensor.heightPx);
    this.grow(initialCapacity);
  }

  /** The events with enough neighbourhood support, in their original order. */
  apply(events: EventBatch): EventBatch {
    const n = events.length;
    if (n > this.capacity) this.grow(Math.max(n, 2 * this.capacity));
    const { x: ex, y: ey, tUs: et } = events;
    const mask = this.mask;
    mask.fill(0, 0, n);
    this.markNeighbours(ex, ey, et, 0, n, 1, Number.NEGATIVE_INFINITY);
    this.markNeighbours(ex, ey, et, n - 1, -1, -1, Number.POSITIVE_INFINITY);
    const need = this.settings.minNeighbours;
    let m = 0;
    for (let i = 0; i < n; i++) {
      if (popcount8(mask[i]!) < need) continue;
      this.x[m] = ex[i]!;
      this.y[m] = ey[i]!;
      this.p[m] = events.p[i]!;
      this.t[m] = et[i]!;
      m++;
    }
    this.dropped = n - m;
    return { length: m, x: this.x, y: this.y, p: this.p, tUs: this.t };
  }

  /**
   * One pass in time order (forward: step +1) or reverse (step −1): for each event, the neighbours whose
   * latest event in this pass lies within supportUs set their bit; then the event becomes its pixel's latest.
   */
  private markNeighbours(ex: Uint16Array, ey: Uint16Array, et: Float64Array, from: number, to: number, step: number, never: number): void {
    const W = this.widthPx;
    const H = this.heightPx;
    const last = this.lastUs;
    const mask = this.mask;
    const support = this.settings.supportUs;
    last.fill(never);
    for (let i = from; i !== to; i += step) {
      const x = ex[i]!;
      const y = ey[i]!;
      const t = et[i]!;
      if (x >= W || y >= H) continue;
      let bits = mask[i]!;
      for (let k = 0; k < 8; k++) {
        const xx = x + DX[k]!;
        const yy = y + DY[k]!;
        if (xx < 0 || yy < 0 || xx >= W || yy >= H) continue;
        if (Math.abs(t - last[yy * W + xx]!) <= support) bits |= 1 << k;
      }
      mask[i] = bits;
      last[y * W + x] = t;
    }
  }

  private grow(capacity: number): void {
    this.capacity = capacity;
    this.mask = new Uint8Array(capacity);
    this.x = new Uint16Array(capacity);
    this.y = new Uint16Array(capacity);
    this.p = new Uint8Array(capacity);
    this.t = new Float64Array(capacity);
  }
}

function popcount8(v: number): number {
  v = v - ((v >> 1) & 0x55);
  v = (v & 0x33) + ((v >> 2) & 0x33);
  return (v + (v >> 4)) & 0x0f;
}
