/**
 * The learner's guards on synthetic loss and drift sequences: non-finite losses and gradients skip the
 * update (counted); a loss above spikeFactor × the running median rolls back (also for the negative losses
 * of the IWE-variance objective), only once the history is long enough, and spikes do not enter the
 * history; drift beyond the bound (or NaN) rolls back; the last-good snapshot advances in two stages;
 * relative drift is ‖w − ref‖ / ‖ref‖; thresholds are validated.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_GUARD_THRESHOLDS, LearnerGuards, relativeDrift } from '../../src/learning/learnerGuards.js';

/** Feeds `losses` as healthy updates (step, then keep with a small drift). */
function feed(g: LearnerGuards, losses: number[]): void {
  for (const l of losses) {
    expect(g.beforeStep(l, 0)).toEqual({ action: 'step' });
    expect(g.afterStep(false, 0.01, 0).action).toBe('keep');
  }
}

describe('learner guards', () => {
  it('skips non-finite losses and gradients and counts them', () => {
    const g = new LearnerGuards();
    expect(g.beforeStep(NaN, 0)).toEqual({ action: 'skip', reason: 'non-finite-loss' });
    expect(g.beforeStep(Infinity, 0)).toEqual({ action: 'skip', reason: 'non-finite-loss' });
    expect(g.beforeStep(0.5, 0)).toEqual({ action: 'step' });
    expect(g.afterStep(true, NaN, 0)).toEqual({ action: 'skip', reason: 'non-finite-gradient' });
    const c = g.counters();
    expect(c.skippedNonFiniteLoss).toBe(2);
    expect(c.skippedNonFiniteGradient).toBe(1);
    expect(c.rollbacksLossSpike + c.rollbacksDrift).toBe(0);
  });

  it('rolls back on a loss above k × the running median, with the reason and figures', () => {
    const g = new LearnerGuards({ spikeFactor: 3, spikeWindow: 20, spikeMinHistory: 5 });
    feed(g, [1, 1.1, 0.9, 1, 1.05, 0.95]);
    expect(g.spikeThreshold()).toBeCloseTo(3 * 1, 10); // median of the six = 1
    expect(g.beforeStep(2.9, 6)).toEqual({ action: 'step' });
    g.afterStep(false, 0.01, 6);
    expect(g.beforeStep(3.5, 7)).toEqual({ action: 'rollback', reason: 'loss-spike' });
    const c = g.counters();
    expect(c.rollbacksLossSpike).toBe(1);
    expect(c.lastRollback).toMatchObject({ reason: 'loss-spike', atUpdate: 7, value: 3.5 });
    expect(c.lastRollback!.limit).toBeCloseTo(3, 10);
  });

  it('does not check spikes before spikeMinHistory losses', () => {
    const g = new LearnerGuards({ spikeMinHistory: 5 });
    feed(g, [1, 1, 1, 1]);
    expect(g.beforeStep(100, 4)).toEqual({ action: 'step' });
    g.afterStep(false, 0.01, 4);
    expect(g.beforeStep(100, 5)).toEqual({ action: 'rollback', reason: 'loss-spike' });
  });

  it('keeps spiking losses out of the history', () => {
    const g = new LearnerGuards({ spikeMinHistory: 3, spikeWindow: 5 });
    feed(g, [1, 1, 1]);
    const before = g.spikeThreshold();
    for (let k = 0; k < 10; k++) expect(g.beforeStep(50, k).action).toBe('rollback');
    expect(g.spikeThreshold()).toBe(before);
  });

  it('handles negative losses (IWE variance): a rise by (k − 1)·|median| is a spike', () => {
    const g = new LearnerGuards({ spikeFactor: 3, spikeMinHistory: 3 });
    feed(g, [-20, -21, -19]);
    expect(g.spikeThreshold()).toBeCloseTo(-20 + 2 * 20, 10);
    expect(g.beforeStep(-5, 3).action).toBe('step');
    g.afterStep(false, 0, 3);
    expect(g.beforeStep(25, 4)).toEqual({ action: 'rollback', reason: 'loss-spike' });
  });

  it('rolls back when the drift exceeds the bound or is not a number', () => {
    const g = new LearnerGuards({ maxRelativeDrift: 0.2 });
    g.beforeStep(1, 0);
    expect(g.afterStep(false, 0.2, 0).action).toBe('keep');
    g.beforeStep(1, 1);
    expect(g.afterStep(false, 0.21, 1)).toEqual({ action: 'rollback', reason: 'drift' });
    g.beforeStep(1, 2);
    expect(g.afterStep(false, NaN, 2)).toEqual({ action: 'rollback', reason: 'drift' });
    expect(g.counters().rollbacksDrift).toBe(2);
    expect(g.counters().lastRollback).toMatchObject({ reason: 'drift', limit: 0.2 });
  });

  it('takes a candidate after M healthy updates and promotes it after M more; a rollback discards it', () => {
    const g = new LearnerGuards({ snapshotAfterHealthy: 3 });
    const snaps: string[] = [];
    const healthy = (n: number) => {
      for (let k = 0; k < n; k++) {
        g.beforeStep(1, 0);
        const v = g.afterStep(false, 0, 0);
        snaps.push(v.action === 'keep' ? v.snapshot : v.action);
      }
    };
    healthy(6);
    expect(snaps).toEqual(['none', 'none', 'take-candidate', 'none', 'none', 'promote-candidate-and-take']);
    g.beforeStep(1, 0);
    expect(g.afterStep(false, 99, 0).action).toBe('rollback');
    snaps.length = 0;
    healthy(3);
    expect(snaps).toEqual(['none', 'none', 'take-candidate']); // the old candidate is gone
  });

  it('relative drift is ‖w − ref‖ / ‖ref‖, NaN for non-finite weights', () => {
    const ref = Float32Array.from([3, 4, 0]);
    expect(relativeDrift(Float32Array.from([3, 4, 0]), ref)).toBe(0);
    expect(relativeDrift(Float32Array.from([3, 4, 5]), ref)).toBeCloseTo(1, 12);
    expect(relativeDrift(Float32Array.from([0, 0, 0]), ref)).toBeCloseTo(1, 12);
    expect(relativeDrift(Float32Array.from([NaN, 4, 0]), ref)).toBeNaN();
    expect(relativeDrift(Float32Array.from([1, 0]), Float32Array.from([0, 0]))).toBe(Infinity);
  });

  it('validates thresholds and states its defaults', () => {
    expect(DEFAULT_GUARD_THRESHOLDS).toEqual({ spikeFactor: 3, spikeWindow: 50, spikeMinHistory: 10, maxRelativeDrift: 0.5, snapshotAfterHealthy: 25 });
    expect(() => new LearnerGuards({ spikeFactor: 1 })).toThrow(RangeError);
    expect(() => new LearnerGuards({ spikeMinHistory: 60 })).toThrow(RangeError);
    expect(() => new LearnerGuards({ maxRelativeDrift: 0 })).toThrow(RangeError);
    expect(() => new LearnerGuards({ snapshotAfterHealthy: 0 })).toThrow(RangeError);
    expect(() => new LearnerGuards({ spikeFactor: NaN })).toThrow(RangeError);
  });

  it('spikeFactor Infinity turns the spike check off, and only it', () => {
    const g = new LearnerGuards({ spikeFactor: Infinity, spikeMinHistory: 3, maxRelativeDrift: 0.5 });
    for (let i = 0; i < 5; i++) {
      expect(g.beforeStep(1, i)).toEqual({ action: 'step' });
      g.afterStep(false, 0.1, i);
    }
    expect(g.spikeThreshold()).toBeNaN();
    expect(g.beforeStep(1e6, 5)).toEqual({ action: 'step' }); // would be a spike at k = 3
    expect(g.afterStep(false, 0.6, 5)).toEqual({ action: 'rollback', reason: 'drift' }); // the drift bound still holds
    expect(g.beforeStep(NaN, 6)).toEqual({ action: 'skip', reason: 'non-finite-loss' });
  });
});
