/**
 * The DVS pixel array: turns a sequence of log-intensity images into events.
 *
 * Per pixel (after v2e, Hu et al. 2021, and the DVS pixel of Lichtsteiner et al. 2008):
 * - optional photoreceptor low-pass (first order, cutoff ∝ intensity: dark pixels are slow);
 * - a memorised reference log intensity; when the (filtered) input rises `onThreshold` above it an ON
 *   event fires and the reference moves up by exactly that threshold (OFF likewise), so k crossings
 *   give k events;
 * - ON/OFF thresholds drawn once per pixel from N(nominal, σ) (fixed-pattern mismatch), ≥ minThreshold;
 * - event times interpolated linearly between the two samples at the moment the input crosses each
 *   level, so events are finer-grained than the sampling;
 * - refractory period: a crossing within `refractoryUs` of the pixel's previous event is held until
 *   the period ends (the pixel is held in reset; the reference does not move), then fires if still
 *   due, so no crossing is lost, only delayed (v2e drops them and fires on the next frame, which
 *   amounts to the same count);
 * - leak: the reference drifts down by `leakRateHz · onThreshold` per second (per-pixel rate spread
 *   log-normally), so a static pixel fires ON events at about `leakRateHz`; references start at a random
 *   phase so leak events do not fire in sync (as in v2e);
 * - shot noise: Poisson events at `shotNoiseRateHz` per pixel in the dark, reduced towards
 *   `shotNoiseBrightFactor` × that in full light; a shot event resets the pixel's reference to its input.
 *
 * Timing: `step(logI, tUs)` covers the interval (tPrevUs, tUs] and appends its events, sorted by time
 * (a stable counting sort on the integer microsecond), to the caller's buffer. Times are integers in µs.
 * No wall clock, no allocation per step once buffers have grown; all randomness from the injected Prng.
 */
import type { SensorGeometry } from '../../src/contracts/sensorGeometry.js';
import type { EventBuffer } from '../../src/formats/evt/eventBuffer.js';
import type { Prng } from '../world/prng.js';
import type { DvsParams } from './dvsParams.js';

/** Cumulative counts since construction (not cleared by `reset`). */
export interface DvsCounters {
  onEvents: number;
  offEvents: number;
  /** Of which shot-noise events. */
  shotEvents: number;
  /** Crossings that had to wait for the refractory period to end. */
  refractoryDelays: number;
  /** Crossings beyond `maxEventsPerPixelPerSample` in one sample, dropped. */
  cappedCrossings: number;
}

/** log-intensity range of the intensity look-up (below: darkest; above: clipped to full scale). */
const LUT_MIN_LOG = -10;
const LUT_STEP = 1 / 64;
const THRESHOLD_EPS = 1e-9;
/**
 * Per-pixel state record in `state` (a `const enum`: inlined as literals, whereas V8 re-loads and
 * re-checks module-level consts on every use in optimised loops): the reference and the two
 * comparands of the crossing test (thrOn − ε and ε − thrOff, fixed). One array instead of three: V8
 * re-checks each typed array a loop iteration touches.
 */
const enum St {
  STRIDE = 3,
  REF = 0,
  ON_CMP = 1,
  OFF_CMP = 2,
}

export class DvsModel {
  readonly widthPx: number;
  readonly heightPx: number;
  readonly params: DvsParams;
  readonly counters: DvsCounters = { onEvents: 0, offEvents: 0, shotEvents: 0, refractoryDelays: 0, cappedCrossings: 0 };
  /** Per-pixel thresholds (read-only for callers; tests inspect them). */
  readonly thrOn: Float64Array;
  readonly thrOff: Float64Array;

  private readonly prng: Prng;
  /** Per pixel (see St): reference, crossing-test comparands. */
  private readonly state: Float64Array;
  /** Filtered log intensity at the previous sample, with low-pass or leak (else prevLogI). */
  private readonly lpPrev: Float64Array;
  private readonly pixels: number;
  /**
   * Without low-pass and leak the filtered input is the input itself: the previous sample's image is
   * then kept as a copy of it (`prevLogI`, one memcpy per step) rather than written pixel by pixel
   * into `state`, which leaves the state untouched except where a pixel fires.
   */
  private readonly plain: boolean;
  private readonly prevLogI: Float32Array;
  private readonly lastEventUs: Float64Array;
  private readonly leakPerUs: Float64Array;
  /** Linear intensity in [0, 1] (normalised to full scale) by log intensity, for bandwidth and shot noise. */
  private readonly intensityLut: Float32Array;
  private tPrevUs = Number.NaN;
  // Staging: the step's events in pixel order, before the time sort.
  /** Staged event k: pixel index · 2 + polarity (sxyp), time offset from the step's start (st). */
  private sxyp = new Int32Array(4096);
  private st = new Int32Array(4096);
  private staged = 0;
  /** [refractoryUs, maxEventsPerPixelPerSample] as numbers the hot paths read without property loads. */
  private readonly cfg: Float64Array;
  private bucket = new Int32Array(1024);
  /**
   * [lPrev, l, t0, dtUs] for `fire`: passed through a typed array because doubles passed to a call
   * V8 does not inline are boxed (allocated) on every call.
   */
  private readonly fireArgs = new Float64Array(4);

  constructor(geometry: SensorGeometry, params: DvsParams, prng: Prng) {
    this.widthPx = geometry.widthPx;
    this.heightPx = geometry.heightPx;
    this.params = params;
    this.cfg = Float64Array.of(params.refractoryUs, params.maxEventsPerPixelPerSample);
    this.prng = prng;
    const n = geometry.widthPx * geometry.heightPx;
    this.pixels = n;
    this.state = new Float64Array(n * St.STRIDE);
    this.plain = !(params.cutoffHz > 0) && !(params.leakRateHz > 0);
    this.prevLogI = new Float32Array(n);
    this.lpPrev = new Float64Array(this.plain ? 0 : n);
    this.lastEventUs = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
    this.thrOn = new Float64Array(n);
    this.thrOff = new Float64Array(n);
    this.leakPerUs = new Float64Array(n);
    const mismatch = prng.derive('threshold-mismatch');
    for (let i = 0; i < n; i++) {
      this.thrOn[i] = Math.max(params.minThreshold, params.onThreshold + params.thresholdSigma * mismatch.normal());
      this.thrOff[i] = Math.max(params.minThreshold, params.offThreshold + params.thresholdSigma * mismatch.normal());
    }
    for (let i = 0; i < n; i++) {
      this.state[i * St.STRIDE + St.ON_CMP] = this.thrOn[i]! - THRESHOLD_EPS;
      this.state[i * St.STRIDE + St.OFF_CMP] = THRESHOLD_EPS - this.thrOff[i]!;
    }
    if (params.leakRateHz > 0) {
      const leak = prng.derive('leak-rates');
      for (let i = 0; i < n; i++) {
        const rate = params.leakRateHz * 10 ** (params.noiseRateSpreadDecades * leak.normal());
        this.leakPerUs[i] = (rate * this.thrOn[i]!) / 1e6;
      }
    }
    const lutN = Math.ceil(-LUT_MIN_LOG / LUT_STEP) + 2;
    this.intensityLut = new Float32Array(lutN);
    for (let k = 0; k < lutN; k++) this.intensityLut[k] = Math.min(1, Math.exp(LUT_MIN_LOG + k * LUT_STEP));
  }

  /** Time of the last sample fed (NaN before `reset`). */
  get lastSampleUs(): number {
    return this.tPrevUs;
  }

  /**
   * Starts (or restarts, after a scene cut) from a first image: references set to it, no events.
   * With leak enabled, references start a random fraction of a threshold below the input (v2e).
   */
  reset(logI: Float32Array, tUs: number): void {
    this.checkFrame(logI, tUs);
    const n = this.pixels;
    const phase = this.params.leakRateHz > 0 ? this.prng.derive(`leak-phase-${tUs}`) : undefined;
    const S = this.state;
    for (let i = 0; i < n; i++) {
      const l = logI[i]!;
      if (!this.plain) this.lpPrev[i] = l;
      S[i * St.STRIDE + St.REF] = phase ? l - phase.next() * this.thrOn[i]! : l;
    }
    this.prevLogI.set(logI);
    this.lastEventUs.fill(Number.NEGATIVE_INFINITY);
    this.tPrevUs = tUs;
  }

  /**
   * Feeds the image sampled at `tUs` (> the previous sample's time, integer µs) and appends the events
   * of (previous, tUs] to `out` in time order. Returns the number of events appended.
   */
  step(logI: Float32Array, tUs: number, out: EventBuffer): number {
    this.checkFrame(logI, tUs);
    if (Number.isNaN(this.tPrevUs)) throw new Error('DvsModel.step before reset');
    const t0 = this.tPrevUs;
    const dtUs = tUs - t0;
    if (!(dtUs > 0)) throw new Error(`DvsModel.step: time ${tUs} µs is not after the previous sample ${t0} µs`);
    this.staged = 0;
    this.pixelPass(logI, t0, dtUs);
    if (this.params.shotNoiseRateHz > 0) this.shotNoise(t0, dtUs);
    this.tPrevUs = tUs;
    return this.flushSorted(t0, dtUs, out);
  }

  private checkFrame(logI: Float32Array, tUs: number): void {
    if (logI.length !== this.pixels) throw new Error(`DvsModel: image has ${logI.length} pixels, sensor ${this.pixels}`);
    if (!Number.isInteger(tUs)) throw new Error(`DvsModel: sample time ${tUs} µs is not an integer`);
  }

  private pixelPass(logI: Float32Array, t0: number, dtUs: number): void {
    const p = this.params;
    const n = this.pixels | 0;
    const S = this.state;
    const leakPerUs = this.leakPerUs;
    const leak = p.leakRateHz > 0;
    const lowpass = p.cutoffHz > 0;
    // Per-sample filter gain at full intensity: 2π·fc·dt (v2e), capped at 1 (no overshoot).
    const gainFull = 2 * Math.PI * p.cutoffHz * dtUs * 1e-6;
    const lut = this.intensityLut;
    const lutLast = lut.length - 1;
    const lutMin = +LUT_MIN_LOG;
    const lutScale = 1 / LUT_STEP;
    const fireArgs = this.fireArgs;
    fireArgs[2] = t0;
    fireArgs[3] = dtUs;
    if (this.plain) {
      // The common (clean) case without the optional stages: the tightest loop.
      const prev = this.prevLogI;
      for (let i = 0, k = 0; i < n; i++, k = (k + St.STRIDE) | 0) {
        const l = logI[i]!;
        const d = l - S[k]!;
        if (d >= S[(k + St.ON_CMP) | 0]! || d <= S[(k + St.OFF_CMP) | 0]!) {
          fireArgs[0] = prev[i]!;
          fireArgs[1] = l;
          this.fire(i);
        }
      }
      prev.set(logI);
      return;
    }
    const lpPrev = this.lpPrev;
    for (let i = 0, k = 0; i < n; i++, k = (k + St.STRIDE) | 0) {
      const lPrev = lpPrev[i]!;
      let l = logI[i]!;
      if (lowpass) {
        let m = ((l - lutMin) * lutScale) | 0;
        m = m < 0 ? 0 : m > lutLast ? lutLast : m;
        const g = gainFull * lut[m]!;
        l = lPrev + (l - lPrev) * (g < 1 ? g : 1);
      }
      if (leak) S[k] = S[k]! - leakPerUs[i]! * dtUs;
      const d = l - S[k]!;
      if (d >= S[(k + St.ON_CMP) | 0]! || d <= S[(k + St.OFF_CMP) | 0]!) {
        fireArgs[0] = lPrev;
        fireArgs[1] = l;
        this.fire(i);
      }
      lpPrev[i] = l;
    }
  }

  /** Emits the crossings of pixel i between the samples (fireArgs: lPrev at t0, l at t0 + dt). */
  private fire(i: number): void {
    const lPrev = this.fireArgs[0]!;
    const l = this.fireArgs[1]!;
    const t0 = this.fireArgs[2]!;
    const dtUs = this.fireArgs[3]!;
    const refractoryUs = this.cfg[0]!;
    const maxEvents = this.cfg[1]!;
    const S = this.state;
    const k0 = i * St.STRIDE;
    let ref = S[k0 + St.REF]!;
    const on = l > ref;
    const thr = on ? this.thrOn[i]! : this.thrOff[i]!;
    const step = on ? thr : -thr;
    // THRESHOLD_EPS: the reference is advanced by repeated additions of the threshold, whose rounding
    // must not swallow an exact multiple (0.2 · 5 ≠ 1.0 in binary).
    const thrEps = thr - THRESHOLD_EPS;
    const slope = l - lPrev;
    const tEnd = t0 + dtUs;
    const code = (i << 1) | (on ? 1 : 0);
    let last = this.lastEventUs[i]!;
    let emitted = 0;
    while (on ? l - ref >= thrEps : ref - l >= thrEps) {
      if (emitted >= maxEvents) {
        this.counters.cappedCrossings++;
        break;
      }
      const level = ref + step;
      // When the crossing happened: where the straight line from lPrev to l meets the level (clamped:
      // a level already passed before t0 — held by the refractory period — fires at once).
      let frac = slope !== 0 ? (level - lPrev) / slope : 0;
      frac = frac < 0 ? 0 : frac > 1 ? 1 : frac;
      let t = t0 + frac * dtUs;
      if (t < last + refractoryUs) {
        t = last + refractoryUs;
        this.counters.refractoryDelays++;
        if (t > tEnd) break;
      }
      const m = this.staged;
      if (m === this.st.length) this.growStaging();
      this.sxyp[m] = code;
      this.st[m] = Math.round(t) - t0;
      this.staged = m + 1;
      ref = level;
      last = t;
      emitted++;
    }
    S[k0 + St.REF] = ref;
    this.lastEventUs[i] = last;
    if (on) this.counters.onEvents += emitted;
    else this.counters.offEvents += emitted;
  }

  /** Shot noise by thinning: candidates at the dark-pixel rate, kept with the pixel's relative rate. */
  private shotNoise(t0: number, dtUs: number): void {
    const p = this.params;
    const n = this.pixels;
    const prng = this.prng;
    const count = prng.poisson(n * p.shotNoiseRateHz * dtUs * 1e-6);
    const lut = this.intensityLut;
    const lutLast = lut.length - 1;
    for (let c = 0; c < count; c++) {
      const i = prng.int(n);
      const on = prng.next() < 0.5;
      const u = prng.next();
      const tOff = 1 + Math.floor(prng.next() * dtUs);
      const l = this.plain ? this.prevLogI[i]! : this.lpPrev[i]!;
      let k = ((l - LUT_MIN_LOG) * (1 / LUT_STEP)) | 0;
      k = k < 0 ? 0 : k > lutLast ? lutLast : k;
      const relRate = 1 - (1 - p.shotNoiseBrightFactor) * lut[k]!;
      if (u >= relRate) continue;
      const t = t0 + tOff;
      if (t < this.lastEventUs[i]! + p.refractoryUs) continue;
      this.stage((i << 1) | (on ? 1 : 0), tOff);
      this.state[i * St.STRIDE + St.REF] = l;
      this.lastEventUs[i] = t;
      this.counters.shotEvents++;
      if (on) this.counters.onEvents++;
      else this.counters.offEvents++;
    }
  }

  private stage(code: number, tOffUs: number): void {
    const k = this.staged;
    if (k === this.st.length) this.growStaging();
    this.sxyp[k] = code;
    this.st[k] = tOffUs;
    this.staged = k + 1;
  }

  private growStaging(): void {
    const cap = this.st.length * 2;
    const sxyp = new Int32Array(cap);
    sxyp.set(this.sxyp);
    this.sxyp = sxyp;
    const st = new Int32Array(cap);
    st.set(this.st);
    this.st = st;
  }

  /** Stable counting sort of the staged events by time offset (0..dtUs) into `out`. */
  private flushSorted(t0: number, dtUs: number, out: EventBuffer): number {
    const m = this.staged;
    if (m === 0) return 0;
    if (this.bucket.length < dtUs + 2) this.bucket = new Int32Array(Math.max(dtUs + 2, this.bucket.length * 2));
    const bucket = this.bucket;
    bucket.fill(0, 0, dtUs + 2);
    const st = this.st;
    for (let k = 0; k < m; k++) bucket[st[k]! + 1]!++;
    for (let b = 1; b <= dtUs + 1; b++) bucket[b]! += bucket[b - 1]!;
    const base = out.length;
    out.reserve(base + m);
    const ox = out.x;
    const oy = out.y;
    const op = out.p;
    const ot = out.tUs;
    const sxyp = this.sxyp;
    const W = this.widthPx;
    for (let k = 0; k < m; k++) {
      const off = st[k]!;
      const dst = base + bucket[off]!++;
      const code = sxyp[k]!;
      const i = code >> 1;
      const y = (i / W) | 0;
      ox[dst] = i - y * W;
      oy[dst] = y;
      op[dst] = code & 1;
      ot[dst] = t0 + off;
    }
    out.length = base + m;
    return m;
  }
}
