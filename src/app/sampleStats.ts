/**
 * Percentiles over the most recent samples (a fixed ring, no allocation per sample) plus running totals.
 * Used for the closed loop's latency and inference-time figures.
 */
export interface SampleSummary {
  /** Samples ever added (the percentiles cover the last `capacity` of them). */
  readonly count: number;
  readonly median: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export class SampleStats {
  private readonly samples: Float64Array;
  private count = 0;
  private next = 0;
  private sum = 0;
  private maxSeen = Number.NEGATIVE_INFINITY;

  constructor(readonly capacity = 1 << 16) {
    this.samples = new Float64Array(capacity);
  }

  add(v: number): void {
    this.samples[this.next] = v;
    this.next = (this.next + 1) % this.capacity;
    this.count++;
    this.sum += v;
    if (v > this.maxSeen) this.maxSeen = v;
  }

  /** Samples ever added and their sum (for per-interval means by difference). */
  get total(): { readonly count: number; readonly sum: number } {
    return { count: this.count, sum: this.sum };
  }

  /**
   * The samples added after the first `countBefore` (a `total.count` read earlier), oldest first: figures over an
   * interval. Only the last `capacity` samples are kept, so at most that many come back.
   */
  samplesSince(countBefore: number): Float64Array {
    const n = Math.min(Math.max(0, this.count - countBefore), this.capacity, this.count);
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++) out[k] = this.samples[(this.next - n + k + this.capacity) % this.capacity]!;
    return out;
  }

  /** Nearest-rank percentile (p in (0, 1]) over the kept samples; NaN when there are none. Allocates a sorted copy. */
  percentile(p: number): number {
    const n = Math.min(this.count, this.capacity);
    if (n === 0) return Number.NaN;
    const sorted = Float64Array.from(this.samples.subarray(0, n)).sort();
    return sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))]!;
  }

  summary(): SampleSummary {
    return {
      count: this.count,
      median: this.percentile(0.5),
      p99: this.percentile(0.99),
      max: this.count > 0 ? this.maxSeen : Number.NaN,
      mean: this.count > 0 ? this.sum / this.count : Number.NaN,
    };
  }
}
