/**
 * The contrast loss plus pseudo-labels from a local contrast search (contrastSearch.ts), for the adaptation
 * evaluation only (`eval:learning --parts b --teacher search`): round 9's attempt at a self-supervised signal for the
 * pixels where the network sees no input event. Never used in flight or in pretraining.
 *
 * Loss, per window: L = L_contrast + λ · Σ_B |ν̂ − ℓ| / |B|, over the pixels B whose label ℓ won with a prominence in
 * [minProminence, maxProminence) (round 9 measured the labels better than the map only there); dL/dν̂ = the contrast
 * loss's gradient + λ · sign(ν̂ − ℓ) / |B| on B. λ = 0 trains exactly as the contrast loss and only measures the labels.
 * The reported loss is the contrast loss's (the spike guard's scale), the count its events.
 *
 * Diagnostics: when the evaluation sets the window's truth, every labelled pixel with a usable truth is scored by
 * prominence band: the label's and the map's absolute error there, how often the label is the closer one, and the
 * label's bias.
 */
import type { SensorGeometry } from '../../contracts/sensorGeometry.js';
import type { ContrastLossInput, ContrastMaximizationLoss } from '../loss/index.js';
import type { WindowLoss } from '../trainer.js';
import { ContrastSearch, evenCandidates } from './contrastSearch.js';
import { DEFAULT_NU_ERROR_OPTIONS, usableTruthPixel } from './nuError.js';
import type { WindowTruth } from './truthTeacher.js';

export interface SearchTeacherOptions {
  /** λ, the labels' weight against the contrast loss (≥ 0; 0 = measure only). */
  readonly weight: number;
  /** The prominence band whose labels train, [min, max). */
  readonly minProminence: number;
  readonly maxProminence: number;
  /** Box half-width the search pools over, network px. */
  readonly poolRadiusPx: number;
}

/** Round 9's setting: λ 1, band [0.4, 0.6), 9 × 9 pooling. */
export const DEFAULT_SEARCH_TEACHER: SearchTeacherOptions = { weight: 1, minProminence: 0.4, maxProminence: 0.6, poolRadiusPx: 4 };

/** Prominence band edges of the diagnostics. */
export const SEARCH_PROMINENCE_BANDS = [0, 0.2, 0.4, 0.6, 1.000001] as const;

/** One prominence band of the label diagnostics (errors in 1/s over labelled pixels with a usable truth). */
export interface SearchLabelBand {
  readonly fromProminence: number;
  readonly toProminence: number;
  readonly pixels: number;
  readonly labelMaePerS: number;
  readonly mapMaePerS: number;
  /** Share of the pixels where the label is closer to the truth than the map. */
  readonly labelCloserShare: number;
  readonly labelBiasPerS: number;
}

export interface SearchTeacherReport {
  readonly options: SearchTeacherOptions;
  /** Windows the teacher evaluated, and those with a truth to score. */
  readonly windows: number;
  readonly windowsScored: number;
  /** Mean pixels per window that trained (labels in the band). */
  readonly trainedPixelsPerWindow: number;
  readonly bands: readonly SearchLabelBand[];
}

export class SearchTeacher implements WindowLoss {
  private truth: WindowTruth | undefined;
  private readonly search: ContrastSearch;
  private readonly tally = SEARCH_PROMINENCE_BANDS.slice(1).map(() => ({ pixels: 0, label: 0, map: 0, closer: 0, bias: 0 }));
  private windows = 0;
  private windowsScored = 0;
  private trainedPixels = 0;

  /** `loss`: the contrast loss it adds to; the labels are searched over the events it staged (its filter and splat). */
  constructor(
    private readonly loss: ContrastMaximizationLoss,
    network: SensorGeometry,
    readonly options: SearchTeacherOptions = DEFAULT_SEARCH_TEACHER,
  ) {
    if (!(options.weight >= 0 && Number.isFinite(options.weight))) throw new RangeError(`search teacher: weight must be finite and ≥ 0, got ${options.weight}`);
    if (!(options.minProminence < options.maxProminence)) throw new RangeError('search teacher: minProminence must be below maxProminence');
    this.search = new ContrastSearch({ network, splat: loss.splat, candidatesPerS: evenCandidates(2.5, 0.1), poolRadiusPx: options.poolRadiusPx, minEvents: 20 });
  }

  /** The truth of the window the next `evaluate` is for, or undefined (no diagnostics for it). */
  setTruth(truth: WindowTruth | undefined): void {
    this.truth = truth;
  }

  evaluate(input: ContrastLossInput, gradOut: Float32Array): { readonly loss: number; readonly events: number } {
    const r = this.loss.evaluate(input, gradOut);
    const truth = this.truth;
    this.truth = undefined; // one truth, one window
    this.windows++;
    const s = this.search;
    s.run(this.loss.stagedEvents); // none after a window without usable events: no labels
    const pred = input.invTtcPerS;
    const { minProminence: lo, maxProminence: hi, weight } = this.options;
    if (truth) this.score(pred, truth);
    const trains = (p: number) => s.prominence[p]! >= lo && s.prominence[p]! < hi && !Number.isNaN(s.labelPerS[p]!);
    let trained = 0;
    for (let p = 0; p < pred.length; p++) if (trains(p)) trained++;
    this.trainedPixels += trained;
    if (weight > 0 && trained > 0) {
      const w = weight / trained;
      for (let p = 0; p < pred.length; p++) if (trains(p)) gradOut[p] += Math.sign(pred[p]! - s.labelPerS[p]!) * w;
    }
    return r;
  }

  private score(pred: ArrayLike<number>, truth: WindowTruth): void {
    const s = this.search;
    this.windowsScored++;
    const edges = SEARCH_PROMINENCE_BANDS;
    for (let p = 0; p < pred.length; p++) {
      const label = s.labelPerS[p]!;
      const nu = truth.invTtcPerS[p]!;
      if (Number.isNaN(label) || !usableTruthPixel(nu, truth.depthM[p]!, DEFAULT_NU_ERROR_OPTIONS.maxNuPerS)) continue;
      let b = 0;
      while (b < this.tally.length - 1 && s.prominence[p]! >= edges[b + 1]!) b++;
      const t = this.tally[b]!;
      const eLabel = Math.abs(label - nu);
      const eMap = Math.abs(pred[p]! - nu);
      t.pixels++;
      t.label += eLabel;
      t.map += eMap;
      t.bias += label - nu;
      if (eLabel < eMap) t.closer++;
    }
  }

  report(): SearchTeacherReport {
    return {
      options: this.options,
      windows: this.windows,
      windowsScored: this.windowsScored,
      trainedPixelsPerWindow: this.windows > 0 ? this.trainedPixels / this.windows : 0,
      bands: this.tally.map((t, b) => ({
        fromProminence: SEARCH_PROMINENCE_BANDS[b]!,
        toProminence: Math.min(1, SEARCH_PROMINENCE_BANDS[b + 1]!),
        pixels: t.pixels,
        labelMaePerS: t.pixels > 0 ? t.label / t.pixels : NaN,
        mapMaePerS: t.pixels > 0 ? t.map / t.pixels : NaN,
        labelCloserShare: t.pixels > 0 ? t.closer / t.pixels : NaN,
        labelBiasPerS: t.pixels > 0 ? t.bias / t.pixels : NaN,
      })),
    };
  }
}
