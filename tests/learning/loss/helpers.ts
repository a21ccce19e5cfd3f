/** Shared builders for the loss tests: random windows, ν maps and a finite-difference gradient check. */
import type { EventBatch } from '../../../src/contracts/eventBatch.js';
import type { InputMapping } from '../../../src/contracts/eventWindow.js';
import type { SensorGeometry } from '../../../src/contracts/sensorGeometry.js';
import type { ContrastLossInput, ContrastMaximizationLoss } from '../../../src/learning/loss/index.js';

/** Letterbox/crop mapping (same definition as the InputMapping contract; written out to keep stages apart). */
export function mappingFor(sensor: SensorGeometry, network: SensorGeometry, fit: 'letterbox' | 'crop'): InputMapping {
  const sx = network.widthPx / sensor.widthPx;
  const sy = network.heightPx / sensor.heightPx;
  const scale = fit === 'letterbox' ? Math.min(sx, sy) : Math.max(sx, sy);
  return {
    fit,
    scale,
    offsetXPx: (network.widthPx - sensor.widthPx * scale) / 2,
    offsetYPx: (network.heightPx - sensor.heightPx * scale) / 2,
  };
}

/** `count` random events in [t0, t1) sorted by time; `border` > 0 puts that share within 2 px of an edge. */
export function randomEvents(
  rand: () => number,
  count: number,
  sensor: SensorGeometry,
  t0: number,
  t1: number,
  border = 0,
): EventBatch {
  const x = new Uint16Array(count);
  const y = new Uint16Array(count);
  const p = new Uint8Array(count);
  const tUs = Float64Array.from({ length: count }, () => t0 + rand() * (t1 - t0)).sort();
  for (let i = 0; i < count; i++) {
    if (rand() < border) {
      const side = Math.floor(rand() * 4);
      const along = rand();
      const depth = Math.floor(rand() * 2);
      x[i] = side === 0 ? depth : side === 1 ? sensor.widthPx - 1 - depth : Math.floor(along * sensor.widthPx);
      y[i] = side === 2 ? depth : side === 3 ? sensor.heightPx - 1 - depth : Math.floor(along * sensor.heightPx);
    } else {
      x[i] = Math.floor(rand() * sensor.widthPx);
      y[i] = Math.floor(rand() * sensor.heightPx);
    }
    p[i] = rand() < 0.5 ? 1 : 0;
  }
  return { length: count, x, y, p, tUs };
}

/** A smooth random ν map (1/s) plus per-pixel noise, in [lo, hi]. */
export function randomNuMap(rand: () => number, network: SensorGeometry, lo: number, hi: number): Float64Array {
  const m = new Float64Array(network.widthPx * network.heightPx);
  const a = rand() * 6;
  const b = rand() * 6;
  for (let yy = 0; yy < network.heightPx; yy++) {
    for (let xx = 0; xx < network.widthPx; xx++) {
      const s = 0.5 + 0.35 * Math.sin(a + (xx / network.widthPx) * 5) * Math.cos(b + (yy / network.heightPx) * 4) + 0.15 * (rand() - 0.5);
      m[yy * network.widthPx + xx] = lo + (hi - lo) * Math.min(1, Math.max(0, s));
    }
  }
  return m;
}

export interface FdReport {
  /** Coordinates checked. */
  checked: number;
  /** Coordinates skipped because the active-pixel count changed inside ±h (the loss is piecewise there). */
  skipped: number;
  /** Largest |fd − analytic| / (|analytic| + floor). */
  worstRelError: number;
  /** Largest |analytic| among the checked coordinates (to see the check was not vacuous). */
  largestGrad: number;
}

/**
 * Central finite differences (float64) of `loss.evaluate(...).loss` against the analytic gradient at the
 * map pixels in `indices`, with one Richardson step: D = (4·D(h/2) − D(h)) / 3 cancels the h² term, which
 * matters here because a pixel with a tiny splat weight C makes A = S/(C + ε) strongly curved.
 * error = |D − analytic| / (|analytic| + floorRel · max|analytic|): the floor covers float64 round-off in
 * the quotient (about 1e-16 · Σ|terms| / h ≈ 1e-10 at h = 1e-5), which dominates for pixels whose
 * gradient nearly cancels; it is a fraction of the largest gradient, so a wrong gradient anywhere shows.
 * Coordinates where the active-pixel count changes within ±h (the loss is piecewise there) are skipped
 * and counted.
 */
export function finiteDifferenceCheck(
  loss: ContrastMaximizationLoss,
  input: ContrastLossInput & { invTtcPerS: Float64Array },
  indices: readonly number[],
  h = 2e-5,
  floorRel = 1e-3,
): { report: FdReport; analytic: Float64Array } {
  const map = input.invTtcPerS;
  const analytic = new Float64Array(map.length);
  const base = loss.evaluate(input, analytic);
  const baseActive = base.activePixels;
  let maxAbs = 0;
  for (const k of indices) maxAbs = Math.max(maxAbs, Math.abs(analytic[k]!));
  const floor = floorRel * maxAbs + 1e-300;
  const scratch = new Float64Array(map.length);
  let worst = 0;
  let checked = 0;
  let skipped = 0;
  let largest = 0;
  /** Central difference with step `step`, or NaN when the active-pixel count changes within it. */
  const central = (k: number, step: number): number => {
    const v = map[k]!;
    map[k] = v + step;
    const rp = loss.evaluate(input, scratch);
    const lp = rp.loss;
    const ap = rp.activePixels;
    map[k] = v - step;
    const rm = loss.evaluate(input, scratch);
    const lm = rm.loss;
    const am = rm.activePixels;
    map[k] = v;
    return ap !== baseActive || am !== baseActive ? Number.NaN : (lp - lm) / (2 * step);
  };
  for (const k of indices) {
    const d1 = central(k, h);
    const d2 = central(k, h / 2);
    if (Number.isNaN(d1) || Number.isNaN(d2)) {
      skipped++;
      continue;
    }
    const fd = (4 * d2 - d1) / 3;
    const an = analytic[k]!;
    worst = Math.max(worst, Math.abs(fd - an) / (Math.abs(an) + floor));
    largest = Math.max(largest, Math.abs(an));
    checked++;
  }
  return { report: { checked, skipped, worstRelError: worst, largestGrad: largest }, analytic };
}

/** The `count` map pixels with the largest |gradient| plus `extra` random ones. */
export function pickIndices(grad: Float64Array, count: number, extra: number, rand: () => number): number[] {
  const order = Array.from(grad.keys()).sort((a, b) => Math.abs(grad[b]!) - Math.abs(grad[a]!));
  const picked = new Set(order.slice(0, count));
  for (let k = 0; k < extra; k++) picked.add(Math.floor(rand() * grad.length));
  return [...picked];
}
