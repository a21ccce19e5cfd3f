/**
 * The learner's guards: decide, per update, whether to apply it, skip it, or roll the weights back to the
 * last good ones, and when the last-good snapshot may advance. Pure decisions and counters: the trainer
 * owns the weights and does the copying.
 *
 *   before the step:  loss not finite                               → skip      ('non-finite-loss')
 *                     loss above the spike threshold                → roll back ('loss-spike')
 *   after the step:   the graph reports a non-finite gradient       → skip      ('non-finite-gradient'; the
 *                                                                                graph left the state as it was)
 *                     ‖w − w_ref‖ / ‖w_ref‖ > maxRelativeDrift or NaN → roll back ('drift')
 *
 * Spike threshold: median + (spikeFactor − 1) · |median| of the last `spikeWindow` accepted losses — for a
 * positive loss exactly "loss > spikeFactor × running median"; written this way so it also holds for the
 * IWE-variance objective, whose loss is negative. Checked once `spikeMinHistory` losses are known. Spiking
 * and skipped losses do not enter the history (one bad window must not raise the bar for the next).
 *
 * Last good weights, in two stages: every `snapshotAfterHealthy` healthy updates the trainer takes a
 * *candidate* copy of the current weights; the candidate is promoted to *last good* only after another
 * `snapshotAfterHealthy` healthy updates have followed it. So the weights a rollback returns to have been
 * followed by at least that many updates with sane losses and drift, rather than being the weights of the
 * very update that is about to go wrong. A rollback discards the candidate.
 */

/** Thresholds; every field documented with its default. */
export interface GuardThresholds {
  /** Loss spike factor k (see header); default 3. > 1; Infinity turns the spike check off (evaluation's truth teacher). */
  readonly spikeFactor: number;
  /** Accepted losses the running median covers; default 50. */
  readonly spikeWindow: number;
  /** Losses needed before the spike check runs; default 10. */
  readonly spikeMinHistory: number;
  /** Bound on ‖w − w_ref‖ / ‖w_ref‖ (dimensionless), w_ref = the pretrained weights; default 0.5. */
  readonly maxRelativeDrift: number;
  /** Healthy updates between snapshot stages (candidate taken, then promoted); default 25. */
  readonly snapshotAfterHealthy: number;
}

export const DEFAULT_GUARD_THRESHOLDS: GuardThresholds = {
  spikeFactor: 3,
  spikeWindow: 50,
  spikeMinHistory: 10,
  maxRelativeDrift: 0.5,
  snapshotAfterHealthy: 25,
};

export type SkipReason = 'non-finite-loss' | 'non-finite-gradient';
export type RollbackReason = 'loss-spike' | 'drift';

export type BeforeVerdict = { readonly action: 'step' } | { readonly action: 'skip'; readonly reason: SkipReason } | { readonly action: 'rollback'; readonly reason: RollbackReason };

/** After a healthy update: which snapshot work to do now. */
export type SnapshotAction = 'none' | 'take-candidate' | 'promote-candidate-and-take';

export type AfterVerdict =
  | { readonly action: 'keep'; readonly snapshot: SnapshotAction }
  | { readonly action: 'skip'; readonly reason: SkipReason }
  | { readonly action: 'rollback'; readonly reason: RollbackReason };

/** The last rollback, for status reports. */
export interface RollbackRecord {
  readonly reason: RollbackReason;
  /** Update number (trainer's count of applied updates) when it happened. */
  readonly atUpdate: number;
  /** The loss and the threshold (loss-spike), or the drift and the bound (drift). */
  readonly value: number;
  readonly limit: number;
}

export interface GuardCounters {
  readonly skippedNonFiniteLoss: number;
  readonly skippedNonFiniteGradient: number;
  readonly rollbacksLossSpike: number;
  readonly rollbacksDrift: number;
  /** Median of the accepted-loss history (NaN when empty). */
  readonly lossMedian: number;
  readonly lastRollback: RollbackRecord | null;
}

/** ‖w − ref‖ / ‖ref‖ over all values (frozen tensors contribute 0); NaN when any value is not finite. */
export function relativeDrift(w: Float32Array, ref: Float32Array): number {
  if (w.length !== ref.length) throw new RangeError(`drift: ${w.length} vs ${ref.length} values`);
  let d2 = 0;
  let r2 = 0;
  for (let i = 0; i < w.length; i++) {
    const r = ref[i]!;
    const d = w[i]! - r;
    d2 += d * d;
    r2 += r * r;
  }
  if (!Number.isFinite(d2)) return NaN;
  return r2 > 0 ? Math.sqrt(d2 / r2) : d2 > 0 ? Infinity : 0;
}

export function validateGuardThresholds(t: GuardThresholds): GuardThresholds {
  const ok = (cond: boolean, what: string) => {
    if (!cond) throw new RangeError(`guard thresholds: ${what}`);
  };
  ok(t.spikeFactor > 1, `spikeFactor must be > 1 (Infinity disables), got ${t.spikeFactor}`);
  ok(Number.isInteger(t.spikeWindow) && t.spikeWindow >= 1, `spikeWindow must be an integer ≥ 1, got ${t.spikeWindow}`);
  ok(Number.isInteger(t.spikeMinHistory) && t.spikeMinHistory >= 1 && t.spikeMinHistory <= t.spikeWindow, `spikeMinHistory must be an integer in [1, spikeWindow], got ${t.spikeMinHistory}`);
  ok(t.maxRelativeDrift > 0, `maxRelativeDrift must be > 0 (Infinity disables), got ${t.maxRelativeDrift}`);
  ok(Number.isInteger(t.snapshotAfterHealthy) && t.snapshotAfterHealthy >= 1, `snapshotAfterHealthy must be an integer ≥ 1, got ${t.snapshotAfterHealthy}`);
  return t;
}

export class LearnerGuards {
  readonly thresholds: GuardThresholds;
  /** Ring of accepted losses. */
  private readonly history: Float64Array;
  private readonly sorted: Float64Array;
  private historyCount = 0;
  private historyNext = 0;
  private healthy = 0;
  private hasCandidate = false;
  private counts = { skippedNonFiniteLoss: 0, skippedNonFiniteGradient: 0, rollbacksLossSpike: 0, rollbacksDrift: 0 };
  private lastRollback: RollbackRecord | null = null;
  private pendingLoss = NaN;

  constructor(thresholds: Partial<GuardThresholds> = {}) {
    this.thresholds = validateGuardThresholds({ ...DEFAULT_GUARD_THRESHOLDS, ...thresholds });
    this.history = new Float64Array(this.thresholds.spikeWindow);
    this.sorted = new Float64Array(this.thresholds.spikeWindow);
  }

  /** Current spike threshold (NaN while the history is shorter than spikeMinHistory, or with the check off). */
  spikeThreshold(): number {
    if (this.historyCount < this.thresholds.spikeMinHistory || this.thresholds.spikeFactor === Infinity) return NaN;
    const med = this.median();
    return med + (this.thresholds.spikeFactor - 1) * Math.abs(med);
  }

  /** Before the training step, with the update's loss (mean over its windows). */
  beforeStep(loss: number, atUpdate: number): BeforeVerdict {
    if (!Number.isFinite(loss)) {
      this.counts.skippedNonFiniteLoss++;
      return { action: 'skip', reason: 'non-finite-loss' };
    }
    const limit = this.spikeThreshold();
    if (loss > limit) {
      this.rolledBack({ reason: 'loss-spike', atUpdate, value: loss, limit });
      return { action: 'rollback', reason: 'loss-spike' };
    }
    this.pendingLoss = loss;
    return { action: 'step' };
  }

  /** After the training step: whether the graph skipped it, and the new weights' relative drift. */
  afterStep(nonFiniteGradient: boolean, drift: number, atUpdate: number): AfterVerdict {
    if (nonFiniteGradient) {
      this.counts.skippedNonFiniteGradient++;
      return { action: 'skip', reason: 'non-finite-gradient' };
    }
    if (!(drift <= this.thresholds.maxRelativeDrift)) {
      this.rolledBack({ reason: 'drift', atUpdate, value: drift, limit: this.thresholds.maxRelativeDrift });
      return { action: 'rollback', reason: 'drift' };
    }
    this.record(this.pendingLoss);
    this.healthy++;
    if (this.healthy < this.thresholds.snapshotAfterHealthy) return { action: 'keep', snapshot: 'none' };
    this.healthy = 0;
    const snapshot: SnapshotAction = this.hasCandidate ? 'promote-candidate-and-take' : 'take-candidate';
    this.hasCandidate = true;
    return { action: 'keep', snapshot };
  }

  /** Forget the loss history and the candidate (new weights from outside: reset or resume). */
  reset(): void {
    this.historyCount = 0;
    this.historyNext = 0;
    this.healthy = 0;
    this.hasCandidate = false;
  }

  counters(): GuardCounters {
    return { ...this.counts, lossMedian: this.historyCount > 0 ? this.median() : NaN, lastRollback: this.lastRollback };
  }

  private rolledBack(r: RollbackRecord): void {
    if (r.reason === 'loss-spike') this.counts.rollbacksLossSpike++;
    else this.counts.rollbacksDrift++;
    this.lastRollback = r;
    this.healthy = 0;
    this.hasCandidate = false;
  }

  private record(loss: number): void {
    if (!Number.isFinite(loss)) return;
    this.history[this.historyNext] = loss;
    this.historyNext = (this.historyNext + 1) % this.history.length;
    this.historyCount = Math.min(this.historyCount + 1, this.history.length);
  }

  /** Median of the history (sorting ≤ spikeWindow numbers per update: microseconds). */
  private median(): number {
    const n = this.historyCount;
    const s = this.sorted.subarray(0, n);
    s.set(this.history.subarray(0, n));
    s.sort();
    return n % 2 === 1 ? s[(n - 1) >> 1]! : 0.5 * (s[n / 2 - 1]! + s[n / 2]!);
  }
}
