/**
 * Per-phase durations of the learner's updates: the last `capacity` samples of each phase in a ring
 * (no allocation per sample), summarised on request as median / p90 / p99 / max (nearest rank). Pure; the
 * caller measures with its Clock.
 */

/** Summary of one phase, milliseconds. */
export interface PhaseSummary {
  /** Samples in the ring (≤ capacity). */
  readonly samples: number;
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Total over the phase's whole life (not only the ring), ms. */
  readonly totalMs: number;
}

class Ring {
  readonly values: Float64Array;
  count = 0;
  next = 0;
  totalMs = 0;
  constructor(capacity: number) {
    this.values = new Float64Array(capacity);
  }
  add(ms: number): void {
    this.values[this.next] = ms;
    this.next = (this.next + 1) % this.values.length;
    this.count = Math.min(this.count + 1, this.values.length);
    this.totalMs += ms;
  }
}

export class PhaseTimings<Phase extends string> {
  private readonly rings = new Map<Phase, Ring>();

  constructor(
    phases: readonly Phase[],
    capacity = 2048,
  ) {
    for (const p of phases) this.rings.set(p, new Ring(capacity));
  }

  /** Records one duration of `phase` in microseconds. */
  add(phase: Phase, durationUs: number): void {
    this.rings.get(phase)?.add(durationUs / 1000);
  }

  /** Forget every sample (e.g. after a warm-up). */
  clear(): void {
    for (const r of this.rings.values()) {
      r.count = 0;
      r.next = 0;
      r.totalMs = 0;
    }
  }

  summary(): Record<Phase, PhaseSummary> {
    const out = {} as Record<Phase, PhaseSummary>;
    for (const [phase, r] of this.rings) {
      const s = Float64Array.from(r.values.subarray(0, r.count)).sort();
      const q = (p: number) => (s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!);
      out[phase] = { samples: s.length, medianMs: q(0.5), p90Ms: q(0.9), p99Ms: q(0.99), maxMs: s.length ? s[s.length - 1]! : NaN, totalMs: r.totalMs };
    }
    return out;
  }
}
