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

/**
 * The network input's noise filter as the window cutter takes it (windows/inputEventFilter.ts), or undefined
 * without settings. Pretraining (simClips.ts) and the runtime (app/perceptionWindows.ts) both build it here, so
 * the input the weights learn from and the input they fly on are filtered alike.
 */
export function inputNoiseFilterFor(settings: NoiseFilterSettings | undefined): ((network: SensorGeometry) => BackgroundActivityFilter) | undefined {
  return settings ? (network) => new BackgroundActivityFilter(network, settings) : undefined;
}

export class BackgroundActivityFilter {
  readonly settings: NoiseFilterSettings;
  private readonly widthPx: number;
  private readonly heightPx: number;
  /**
   * Per sensor pixel (with a one-pixel border): time of its latest event in the current pass, µs, or NEVER.
   * A pass puts back NEVER at the pixels its events wrote when it ends, so it costs what its events cost, not
   * what the sensor's size would (clearing a 640 × 480 sensor twice per window cost more than filtering), and
   * the neighbour test needs no "written in this pass" check beside the time comparison.
   */
  private readonly lastUs: Float64Array;
  /**
   * The stream's memory for `judgeNext` (the window cutter's input filter): per pixel, the time of its latest
   * event handed so far, or NEVER (a reset writes NEVER everywhere). Separate from `lastUs`, which every
   * `keep` and every backward pass use. Allocated by the first `judgeNext`: the loss's filters (sensor-sized)
   * never stream.
   */
  private streamLastUs = new Float64Array(0);
  private capacity = 0;
  /** Per event: bit k set when neighbour k fired within ±supportUs. */
  private mask = new Uint8Array(0);
  private keepFlags = new Uint8Array(0);
  private x = new Uint16Array(0);
  private y = new Uint16Array(0);
  private p = new Uint8Array(0);
  private t = new Float64Array(0);
  /** Events the last `apply`, `keep` or `judgeNext` dropped as noise. */
  dropped = 0;

  constructor(sensor: SensorGeometry, settings: NoiseFilterSettings, initialCapacity = 16_384) {
    checkNoiseFilterSettings(settings);
    this.settings = { supportUs: settings.supportUs, minNeighbours: settings.minNeighbours };
    this.widthPx = sensor.widthPx;
    this.heightPx = sensor.heightPx;
    // One pixel of border all round (see markNeighbours).
    this.lastUs = new Float64Array((sensor.widthPx + 2) * (sensor.heightPx + 2)).fill(NEVER);
    this.grow(initialCapacity);
  }

  /**
   * The span before a window's start whose events can support one inside it, µs (= supportUs): what the
   * window cutter keeps and hands over in front of an input window when this filters the network input
   * (windows/inputEventFilter.ts).
   */
  get lookbackUs(): number {
    return this.settings.supportUs;
  }

  /** The events with enough neighbourhood support, in their original order. */
  apply(events: EventBatch): EventBatch {
    const n = events.length;
    const { x: ex, y: ey, tUs: et } = events;
    const keep = this.keep(events);
    let m = 0;
    for (let i = 0; i < n; i++) {
      if (keep[i] === 0) continue;
      this.x[m] = ex[i]!;
      this.y[m] = ey[i]!;
      this.p[m] = events.p[i]!;
      this.t[m] = et[i]!;
      m++;
    }
    return { length: m, x: this.x, y: this.y, p: this.p, tUs: this.t };
  }

  /** Per event: 1 when it has enough neighbourhood support among `events`, else 0 (a view valid until the next call). */
  keep(events: EventBatch): Uint8Array {
    return this.judge(events, this.lastUs);
  }

  /**
   * The stream's next events (windows/inputEventFilter.ts): in time order, none earlier than any handed before
   * since the last `reset`. Per event: 1 when it has enough support among all the events handed so far,
   * these included, else 0 (a view valid until the next call). Its past is the per-pixel latest times
   * the stream left, so each event is read once, however long its span of support reaches back.
   */
  judgeNext(events: EventBatch): Uint8Array {
    if (this.streamLastUs.length === 0) this.streamLastUs = new Float64Array(this.lastUs.length).fill(NEVER);
    return this.judge(events, this.streamLastUs);
  }

  /** Forgets the stream's past (`judgeNext`): the next events are supported only by each other and later ones. */
  reset(): void {
    this.streamLastUs.fill(NEVER);
  }

  /**
   * The flags of `events`: a forward pass against the per-pixel latest times in `last`, which it updates (the
   * stream's memory, or the scratch `lastUs`, put back to NEVER afterwards), then a backward pass over the
   * events alone on the scratch (an event the forward pass already kept only leaves its time: more bits
   * cannot drop it).
   */
  private judge(events: EventBatch, last: Float64Array): Uint8Array {
    const n = events.length;
    if (n > this.capacity) this.grow(Math.max(n, 2 * this.capacity));
    const mask = this.mask;
    mask.fill(0, 0, n);
    const need = this.settings.minNeighbours;
    this.markNeighbours(events.x, events.y, events.tUs, 0, n, 1, last, need);
    if (last === this.lastUs) this.forget(events.x, events.y, n);
    this.markNeighbours(events.x, events.y, events.tUs, n - 1, -1, -1, this.lastUs, need);
    this.forget(events.x, events.y, n);
    const keep = this.keepFlags;
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const k = POPCOUNT[mask[i]!]! >= need ? 1 : 0;
      keep[i] = k;
      kept += k;
    }
    this.dropped = n - kept;
    return keep;
  }

  /**
   * One pass in time order (forward: step +1) or reverse (step −1): for each event, the neighbours whose
   * latest event in this pass lies within supportUs set their bit; then the event becomes its pixel's latest.
   * The per-pixel arrays have a one-pixel border that is never written (NEVER: no time is near it), so the
   * eight neighbour reads need no bounds checks. Only whether an event's bits reach `enough` (= minNeighbours)
   * matters, so one that reached it in the forward pass only leaves its time in the backward one.
   *
   * The eight tests are combined without a branch: whether a neighbour supports an event is close to a coin
   * toss at a moving edge, and a loop that stopped early at `enough` spent a third of its time on mispredicted
   * branches (0.30 → 0.20 ms for the windows bench's 10 000 events at 1 M events/s; same verdicts).
   */
  private markNeighbours(
    ex: Uint16Array,
    ey: Uint16Array,
    et: Float64Array,
    from: number,
    to: number,
    step: number,
    last: Float64Array,
    enough: number,
  ): void {
    const W = this.widthPx;
    const H = this.heightPx;
    const PW = W + 2;
    const mask = this.mask;
    const S = this.settings.supportUs;
    for (let i = from; i !== to; i += step) {
      const x = ex[i]!;
      const y = ey[i]!;
      if (x >= W || y >= H) continue;
      const t = et[i]!;
      const c = (y + 1) * PW + x + 1;
      let bits = mask[i]!;
      if (POPCOUNT[bits]! >= enough) {
        last[c] = t;
        continue;
      }
      // Bit k = the neighbour (−1,−1) (0,−1) (1,−1) (−1,0) (1,0) (−1,1) (0,1) (1,1): rows above, level, below.
      const up = c - PW - 1;
      const level = c - 1;
      const down = c + PW - 1;
      bits |=
        near(last, up, t, S) |
        (near(last, up + 1, t, S) << 1) |
        (near(last, up + 2, t, S) << 2) |
        (near(last, level, t, S) << 3) |
        (near(last, level + 2, t, S) << 4) |
        (near(last, down, t, S) << 5) |
        (near(last, down + 1, t, S) << 6) |
        (near(last, down + 2, t, S) << 7);
      mask[i] = bits;
      last[c] = t;
    }
  }

  /** Puts NEVER back into the scratch `lastUs` at the pixels of events [0, n) (what a pass on it wrote). */
  private forget(ex: Uint16Array, ey: Uint16Array, n: number): void {
    const W = this.widthPx;
    const H = this.heightPx;
    const PW = W + 2;
    const last = this.lastUs;
    for (let i = 0; i < n; i++) {
      const x = ex[i]!;
      const y = ey[i]!;
      if (x < W && y < H) last[(y + 1) * PW + x + 1] = NEVER;
    }
  }

  private grow(capacity: number): void {
    this.capacity = capacity;
    this.mask = new Uint8Array(capacity);
    this.keepFlags = new Uint8Array(capacity);
    this.x = new Uint16Array(capacity);
    this.y = new Uint16Array(capacity);
    this.p = new Uint8Array(capacity);
    this.t = new Float64Array(capacity);
  }
}

/** A pixel's time before it has an event: no event time is within any support of it (|t − NEVER| = ∞). */
const NEVER = -Infinity;

/** 1 when pixel q's latest event of this pass lies within ±supportUs of t, else 0 (no branch: see markNeighbours). */
function near(last: Float64Array, q: number, t: number, supportUs: number): number {
  return +(Math.abs(t - last[q]!) <= supportUs);
}

/** Set bits of each byte value. */
const POPCOUNT = Uint8Array.from({ length: 256 }, (_, v) => {
  let c = 0;
  for (let b = v; b !== 0; b >>= 1) c += b & 1;
  return c;
});
