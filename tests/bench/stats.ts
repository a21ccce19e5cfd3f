import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

/** Summary statistics for benchmark samples (nearest-rank percentiles). */
export interface Summary {
  runs: number;
  median: number;
  p10: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('no samples');
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  return { runs: s.length, median: q(0.5), p10: q(0.1), p90: q(0.9), p99: q(0.99), min: s[0]!, max: s[s.length - 1]! };
}

export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function roundSummary(sum: Summary, digits = 3): Summary {
  return {
    runs: sum.runs,
    median: round(sum.median, digits),
    p10: round(sum.p10, digits),
    p90: round(sum.p90, digits),
    p99: round(sum.p99, digits),
    min: round(sum.min, digits),
    max: round(sum.max, digits),
  };
}

/** Milliseconds elapsed since `start` (from process.hrtime.bigint()). */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Runs a bench module's `run` when the file is executed directly, printing a table or JSON (--json). */
export async function runStandalone(
  importMetaUrl: string,
  run: (opts: { quick: boolean }) => Promise<Record<string, unknown>>,
): Promise<void> {
  const { pathToFileURL } = await import('node:url');
  if (process.argv[1] === undefined || pathToFileURL(process.argv[1]).href !== importMetaUrl) return;
  const quick = process.argv.includes('--quick');
  const figures = await run({ quick });
  if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(figures) + '\n');
  else process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
}

/** One timed figure: per-call milliseconds over repeated runs of the same work. */
export interface TimedFigure {
  events: number;
  medianMs: number;
  p99Ms: number;
  p10Ms: number;
  maxMs: number;
  runs: number;
}

/** Times `body(rep)` `runs` times after `warmup` untimed calls; `setup` runs untimed before each call. */
export function measure(
  events: number,
  warmup: number,
  runs: number,
  body: (rep: number) => void,
  setup?: (rep: number) => void,
): TimedFigure {
  for (let r = 0; r < warmup; r++) {
    setup?.(r);
    body(r);
  }
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    setup?.(warmup + r);
    const start = process.hrtime.bigint();
    body(warmup + r);
    ms.push(msSince(start));
  }
  const s = summarize(ms);
  return { events, medianMs: round(s.median, 4), p99Ms: round(s.p99, 4), p10Ms: round(s.p10, 4), maxMs: round(s.max, 4), runs };
}

/** Runs `step(0 … calls − 1)` and counts the garbage collections that happened meanwhile. */
export async function countGcs(calls: number, step: (r: number) => void): Promise<{ calls: number; minorGcs: number; majorGcs: number }> {
  let minorGcs = 0;
  let majorGcs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) minorGcs++;
      else majorGcs++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  for (let r = 0; r < calls; r++) step(r);
  await new Promise((resolve) => setTimeout(resolve, 50)); // gc entries are delivered asynchronously
  observer.disconnect();
  return { calls, minorGcs, majorGcs };
}

/**
 * Runs `tick(k, dueMs, startMs)` on absolute deadlines t0 + k·periodMs for `seconds` (performance.now() times), so
 * the rate cannot drift; sleeps with setTimeout until each deadline. When the loop has fallen a whole period
 * behind, the slots it cannot run are skipped and counted, as a runtime drops windows rather than queue latency.
 */
export async function atFixedRate(
  periodMs: number,
  seconds: number,
  tick: (k: number, dueMs: number, startMs: number) => Promise<void> | void,
): Promise<{ ticks: number; skipped: number; seconds: number }> {
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let k = 0;
  let ticks = 0;
  let skipped = 0;
  for (;;) {
    const due = t0 + k * periodMs;
    if (due >= end) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, Math.floor(wait)));
    const start = performance.now();
    if (start - due >= periodMs) {
      const behind = Math.floor((start - due) / periodMs);
      skipped += behind;
      k += behind;
      continue;
    }
    await tick(k, due, start);
    ticks++;
    k++;
  }
  return { ticks, skipped, seconds: (performance.now() - t0) / 1000 };
}
