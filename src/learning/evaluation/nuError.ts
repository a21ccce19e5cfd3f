/**
 * The ν error: how far a predicted inverse time-to-contact map is from the simulator's ground truth.
 *
 * For one window, with ν̂ the prediction and ν the truth at the window's end (both network geometry, 1/s):
 *
 *   P       = pixels whose truth is usable: depth finite (not sky), ν finite and 0 ≤ ν ≤ νmax
 *             (νmax = 5 1/s by default: contact within 0.2 s; beyond it the drone has already hit)
 *   P_ev    = the pixels of P where the network input of the window has at least one event (either
 *             polarity): where the network saw something and the loss can say something
 *   MAE     = Σ_P |ν̂ − ν| / |P|                         (1/s)
 *   relative = Σ_P |ν̂ − ν| / Σ_P ν                       (dimensionless; a ratio of sums, so pixels with a
 *                                                          tiny ν do not blow it up)
 *   bias    = Σ_P (ν̂ − ν) / |P|                          (1/s; > 0: predicts contact too soon)
 *
 * Over many windows the sums are pooled (every usable pixel of every window weighs the same), not
 * averaged per window. The same figures over P_ev are reported as `events`, and over P \ P_ev (the pixels
 * where the input has no event, of the windows given an input) as `noEvents`: there the network saw nothing
 * in its input window and can only guess from the context.
 *
 * Level and structure. `levelMatched` is the MAE over P after each window's prediction is scaled so that its
 * mean over P equals the truth's (α = Σ_P ν / Σ_P ν̂ per window; a window whose ν̂ sums to 0 keeps α = 1):
 * the error of the map's structure alone. MAE − levelMatched is what an oracle level (one number per window,
 * the truth's mean) removes: about what a perfect per-window gain could win (the MAE-optimal gain, a weighted
 * median, can do a little better than matching the means).
 */

export interface NuErrorOptions {
  /** Largest truth ν counted, 1/s; default 5. */
  readonly maxNuPerS: number;
}

export const DEFAULT_NU_ERROR_OPTIONS: NuErrorOptions = { maxNuPerS: 5 };

export interface NuErrorFigures {
  /** Usable pixels (summed over windows). */
  readonly pixels: number;
  /** Mean absolute error, 1/s (NaN without pixels). */
  readonly maePerS: number;
  /** Σ|ν̂ − ν| / Σν (NaN when Σν = 0). */
  readonly relative: number;
  /** Mean signed error ν̂ − ν, 1/s. */
  readonly biasPerS: number;
  /** Mean truth and mean prediction over the pixels, 1/s. */
  readonly meanTruthPerS: number;
  readonly meanPredPerS: number;
}

export interface NuErrorReport {
  readonly windows: number;
  /** Over every usable pixel. */
  readonly all: NuErrorFigures;
  /** Over the usable pixels that have events in the input. */
  readonly events: NuErrorFigures;
  /** Over the usable pixels without events in the input (windows added with an input only). */
  readonly noEvents: NuErrorFigures;
  /** Over every usable pixel, each window's prediction scaled to the truth's mean (see the file header). */
  readonly levelMatched: { readonly pixels: number; readonly maePerS: number };
}

class Sums {
  n = 0;
  abs = 0;
  signed = 0;
  truth = 0;
  pred = 0;
  add(pred: number, truth: number): void {
    const d = pred - truth;
    this.n++;
    this.abs += Math.abs(d);
    this.signed += d;
    this.truth += truth;
    this.pred += pred;
  }
  merge(o: Sums): void {
    this.n += o.n;
    this.abs += o.abs;
    this.signed += o.signed;
    this.truth += o.truth;
    this.pred += o.pred;
  }
  figures(): NuErrorFigures {
    const n = this.n;
    return {
      pixels: n,
      maePerS: n > 0 ? this.abs / n : NaN,
      relative: this.truth > 0 ? this.abs / this.truth : NaN,
      biasPerS: n > 0 ? this.signed / n : NaN,
      meanTruthPerS: n > 0 ? this.truth / n : NaN,
      meanPredPerS: n > 0 ? this.pred / n : NaN,
    };
  }
}

/** A pixel the ν error counts: finite depth (not sky) and a true ν in [0, maxNuPerS] 1/s. */
export function usableTruthPixel(truthNuPerS: number, truthDepthM: number, maxNuPerS = DEFAULT_NU_ERROR_OPTIONS.maxNuPerS): boolean {
  return Number.isFinite(truthDepthM) && truthNuPerS >= 0 && truthNuPerS <= maxNuPerS;
}

/** Pools the ν error over windows (see the file header for the definitions). */
export class NuErrorAccumulator {
  readonly options: NuErrorOptions;
  private all = new Sums();
  private ev = new Sums();
  private none = new Sums();
  private matchedAbs = 0;
  private windows = 0;

  constructor(options: Partial<NuErrorOptions> = {}) {
    this.options = { ...DEFAULT_NU_ERROR_OPTIONS, ...options };
    if (!(this.options.maxNuPerS > 0)) throw new RangeError(`maxNuPerS must be > 0, got ${this.options.maxNuPerS}`);
  }

  /**
   * One window. `pred`, `truthNu`, `truthDepthM`: one value per network pixel (H × W, row-major);
   * `input`: the window's network input (C × H × W; a pixel has events when any channel is nonzero), or
   * undefined to leave the events figures out for this window.
   */
  add(pred: ArrayLike<number>, truthNu: ArrayLike<number>, truthDepthM: ArrayLike<number>, input?: ArrayLike<number>): void {
    const n = truthNu.length;
    if (pred.length !== n || truthDepthM.length !== n) throw new RangeError(`ν error: ${pred.length} predictions, ${n} truths, ${truthDepthM.length} depths`);
    const channels = input ? input.length / n : 0;
    if (input && !Number.isInteger(channels)) throw new RangeError(`ν error: input of ${input.length} values is not C × ${n}`);
    const max = this.options.maxNuPerS;
    this.windows++;
    let truthSum = 0;
    let predSum = 0;
    for (let i = 0; i < n; i++) {
      const t = truthNu[i]!;
      if (!usableTruthPixel(t, truthDepthM[i]!, max)) continue;
      truthSum += t;
      predSum += pred[i]!;
    }
    const alpha = predSum > 0 ? truthSum / predSum : 1;
    for (let i = 0; i < n; i++) {
      const t = truthNu[i]!;
      if (!usableTruthPixel(t, truthDepthM[i]!, max)) continue;
      const p = pred[i]!;
      this.all.add(p, t);
      this.matchedAbs += Math.abs(alpha * p - t);
      if (input) {
        let any = false;
        for (let c = 0; c < channels; c++) if (input[c * n + i] !== 0) any = true;
        if (any) this.ev.add(p, t);
        else this.none.add(p, t);
      }
    }
  }

  /** Adds another accumulator's sums (same options). */
  merge(o: NuErrorAccumulator): void {
    this.all.merge(o.all);
    this.ev.merge(o.ev);
    this.none.merge(o.none);
    this.matchedAbs += o.matchedAbs;
    this.windows += o.windows;
  }

  report(): NuErrorReport {
    const pixels = this.all.n;
    return {
      windows: this.windows,
      all: this.all.figures(),
      events: this.ev.figures(),
      noEvents: this.none.figures(),
      levelMatched: { pixels, maePerS: pixels > 0 ? this.matchedAbs / pixels : NaN },
    };
  }

  clear(): void {
    this.all = new Sums();
    this.ev = new Sums();
    this.none = new Sums();
    this.matchedAbs = 0;
    this.windows = 0;
  }
}
