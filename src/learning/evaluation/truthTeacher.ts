/**
 * A teacher that knows the answer: the simulator's ν in place of the self-supervised loss, for the adaptation
 * evaluation only (`eval:learning --parts b --teacher truth`). Never used in flight or in pretraining.
 *
 * Why: figure (b) asks how far online learning lowers the ν error in 60 s. How far the *contrast loss* gets
 * there mixes two limits — what this network can learn at the learner's rate and schedule from any signal, and
 * how good the self-supervised signal is. Training the same learner on the truth separates them: its figures
 * are the ceiling of what any loss could reach with this network, rate, schedule and guards (but the spike
 * guard, which is tuned to the contrast loss's scale and is turned off for the teacher).
 *
 * Loss, per window: L = Σ_P |ν̂ − ν| / |P| over the usable truth pixels P (nuError.ts: finite depth, 0 ≤ ν ≤
 * νmax), the ν MAE the evaluation scores; dL/dν̂ = sign(ν̂ − ν) / |P| on P and 0 elsewhere (0 where ν̂ = ν).
 * The count it reports for the trainer's sparse-window rule is the window's learner events, so the teacher
 * trains on exactly the windows the contrast loss would.
 */
import type { ContrastLossInput } from '../loss/index.js';
import type { WindowLoss } from '../trainer.js';
import { DEFAULT_NU_ERROR_OPTIONS, usableTruthPixel } from './nuError.js';

/** The truth of one window: ν (1/s) and depth (m), network geometry, row-major. */
export interface WindowTruth {
  readonly invTtcPerS: ArrayLike<number>;
  readonly depthM: ArrayLike<number>;
}

export class TruthTeacher implements WindowLoss {
  private truth: WindowTruth | undefined;

  constructor(private readonly maxNuPerS = DEFAULT_NU_ERROR_OPTIONS.maxNuPerS) {}

  /** The truth of the window the next `evaluate` is for (the evaluation sets it before offering the window). */
  setTruth(truth: WindowTruth): void {
    this.truth = truth;
  }

  evaluate(input: Pick<ContrastLossInput, 'invTtcPerS' | 'events'>, gradOut: Float32Array | Float64Array): { readonly loss: number; readonly events: number } {
    const t = this.truth;
    if (!t) throw new Error('truth teacher: no truth set for this window');
    const pred = input.invTtcPerS;
    const n = pred.length;
    if (t.invTtcPerS.length !== n || t.depthM.length !== n || gradOut.length !== n) {
      throw new RangeError(`truth teacher: ${n} predictions, ${t.invTtcPerS.length} truths, ${t.depthM.length} depths, ${gradOut.length} gradient entries`);
    }
    let usable = 0;
    for (let i = 0; i < n; i++) if (usableTruthPixel(t.invTtcPerS[i]!, t.depthM[i]!, this.maxNuPerS)) usable++;
    gradOut.fill(0);
    let sum = 0;
    if (usable > 0) {
      const w = 1 / usable;
      for (let i = 0; i < n; i++) {
        const truth = t.invTtcPerS[i]!;
        if (!usableTruthPixel(truth, t.depthM[i]!, this.maxNuPerS)) continue;
        const d = pred[i]! - truth;
        sum += Math.abs(d);
        gradOut[i] = Math.sign(d) * w;
      }
    }
    this.truth = undefined; // one truth, one window: a missing setTruth must not train on a stale one
    return { loss: usable > 0 ? sum / usable : 0, events: input.events.length };
  }
}
