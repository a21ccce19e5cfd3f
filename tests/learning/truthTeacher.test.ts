/**
 * The adaptation evaluation's truth teacher: its loss is the ν MAE over the usable truth pixels, its gradient
 * matches central finite differences (away from the kinks), unusable pixels get none, and a window without
 * its own truth is refused rather than trained on a stale one.
 */
import { describe, expect, it } from 'vitest';
import { NuErrorAccumulator } from '../../src/learning/evaluation/nuError.js';
import { TruthTeacher } from '../../src/learning/evaluation/truthTeacher.js';

const n = 12;
// Truth: usable pixels, one sky (depth ∞), one beyond νmax (6 1/s), one NaN.
const truthNu = Float64Array.from([0.4, 1.2, 0.0, 2.5, 0.8, 6, 0.3, NaN, 1.0, 0.6, 0.05, 3.0]);
const depthM = Float64Array.from([5, 2, Infinity, 1, 3, 0.2, 7, 1, 2, 4, 40, 0.9]);
const events = { length: 321, x: new Uint16Array(0), y: new Uint16Array(0), p: new Uint8Array(0), tUs: new Float64Array(0) };

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function lossAt(teacher: TruthTeacher, nu: Float64Array): number {
  teacher.setTruth({ invTtcPerS: truthNu, depthM });
  return teacher.evaluate({ invTtcPerS: nu, events }, new Float64Array(n)).loss;
}

describe('truth teacher', () => {
  it('its loss is the ν MAE the evaluation scores, and it reports the window\'s learner events', () => {
    const rnd = seeded(7);
    const nu = Float64Array.from({ length: n }, () => 3 * rnd());
    const teacher = new TruthTeacher();
    teacher.setTruth({ invTtcPerS: truthNu, depthM });
    const r = teacher.evaluate({ invTtcPerS: nu, events }, new Float64Array(n));
    const acc = new NuErrorAccumulator();
    acc.add(nu, truthNu, depthM);
    expect(r.loss).toBeCloseTo(acc.report().all.maePerS, 12);
    expect(r.events).toBe(321);
  });

  it('dL/dν matches central finite differences, and is 0 where the truth is unusable', () => {
    const rnd = seeded(11);
    const teacher = new TruthTeacher();
    for (let trial = 0; trial < 5; trial++) {
      // Predictions at least 0.05 from the truth, so ±h never crosses a kink of |ν̂ − ν|.
      const nu = Float64Array.from(truthNu, (t) => (Number.isFinite(t) ? t + (rnd() < 0.5 ? -1 : 1) * (0.05 + rnd()) : rnd()));
      const grad = new Float64Array(n);
      teacher.setTruth({ invTtcPerS: truthNu, depthM });
      teacher.evaluate({ invTtcPerS: nu, events }, grad);
      const h = 1e-4;
      for (let i = 0; i < n; i++) {
        const up = Float64Array.from(nu);
        const down = Float64Array.from(nu);
        up[i]! += h;
        down[i]! -= h;
        const fd = (lossAt(teacher, up) - lossAt(teacher, down)) / (2 * h);
        expect(grad[i]).toBeCloseTo(fd, 8);
      }
      for (const i of [2, 5, 7]) expect(grad[i]).toBe(0); // sky, beyond νmax, NaN
      expect(grad.filter((g) => g !== 0).length).toBe(9);
    }
  });

  it('refuses a window without its own truth, a size mismatch, and gives 0 without usable pixels', () => {
    const teacher = new TruthTeacher();
    const nu = new Float64Array(n);
    expect(() => teacher.evaluate({ invTtcPerS: nu, events }, new Float64Array(n))).toThrow(/no truth/);
    teacher.setTruth({ invTtcPerS: truthNu, depthM });
    teacher.evaluate({ invTtcPerS: nu, events }, new Float64Array(n));
    expect(() => teacher.evaluate({ invTtcPerS: nu, events }, new Float64Array(n))).toThrow(/no truth/); // used up
    teacher.setTruth({ invTtcPerS: truthNu, depthM });
    expect(() => teacher.evaluate({ invTtcPerS: nu, events }, new Float64Array(n - 1))).toThrow(RangeError);
    const sky = new Float64Array(n).fill(Infinity);
    teacher.setTruth({ invTtcPerS: truthNu, depthM: sky });
    const grad = new Float64Array(n).fill(9);
    expect(teacher.evaluate({ invTtcPerS: nu, events }, grad).loss).toBe(0);
    expect(grad.every((g) => g === 0)).toBe(true);
  });
});
