/** The in-flight learner's configuration: its defaults and what it refuses. */
import { describe, expect, it } from 'vitest';
import { defaultLearnerEventCap, LEARNER_EVENT_CAP, ONLINE_LR_SETTLING, resolveLearnerConfig } from '../../src/learning/learnerConfig.js';
import { DEFAULT_NOISE_FILTER } from '../../src/learning/loss/backgroundActivityFilter.js';
import { DEFAULT_GROUND_FLOOR, ONLINE_GROUND_FLOOR } from '../../src/learning/loss/groundFloor.js';

const CAMERA = { sensor: { widthPx: 160, heightPx: 120 }, intrinsics: { fxPx: 120, fyPx: 120, cxPx: 80, cyPx: 60 } };

describe('learner config', () => {
  it('by default trains with the noise filter and without the ground-floor prior (pretraining has it)', () => {
    const c = resolveLearnerConfig({ ...CAMERA });
    expect(c.loss.noiseFilter).toEqual(DEFAULT_NOISE_FILTER);
    expect(ONLINE_GROUND_FLOOR).toBeNull();
    expect(c.loss.groundFloor).toBeNull();
    expect(DEFAULT_GROUND_FLOOR.weight).toBeGreaterThan(0);
    // A partial loss section fills the same defaults.
    expect(resolveLearnerConfig({ ...CAMERA, loss: { smoothnessWeight: 0.1 } }).loss.groundFloor).toBeNull();
  });

  it('settles its learning rate by default (as evaluated), and can keep it constant', () => {
    const c = resolveLearnerConfig({ ...CAMERA });
    expect(c.trainer.settleOverUpdates).toBe(ONLINE_LR_SETTLING.overUpdates);
    expect(c.trainer.settledFraction).toBe(ONLINE_LR_SETTLING.fraction);
    expect(c.trainer.learningRate).toBe(1e-4);
    expect(resolveLearnerConfig({ ...CAMERA, trainer: { settleOverUpdates: 0 } }).trainer.settleOverUpdates).toBe(0);
    expect(() => resolveLearnerConfig({ ...CAMERA, trainer: { settledFraction: 0 } })).toThrow(/trainer\.settledFraction/);
  });

  it('turns the prior on when asked, filling the horizon cut-off', () => {
    const c = resolveLearnerConfig({ ...CAMERA, loss: { groundFloor: { weight: 0.3, margin: 0.1 } } });
    expect(c.loss.groundFloor).toEqual(DEFAULT_GROUND_FLOOR);
  });

  it('caps the loss\'s events per window by the camera: 16 384 at 160 × 120, growing with the pixels to 65 536', () => {
    const cap = (w: number, h: number): number => resolveLearnerConfig({ ...CAMERA, sensor: { widthPx: w, heightPx: h } }).maxEvents;
    expect(cap(160, 120)).toBe(16_384);
    expect(cap(320, 240)).toBe(65_536); // four times the pixels
    expect(cap(240, 180)).toBe(36_864); // 2.25 × 16 384, a whole multiple of 1024
    expect(cap(640, 480)).toBe(LEARNER_EVENT_CAP.most); // what the learner affords, not 16 × 16 384
    expect(cap(128, 96)).toBe(16_384); // never fewer than pretrained with
    // Between the anchors the cap grows monotonically with the pixel count and stays a multiple of 1024.
    let last = 0;
    for (let w = 160; w <= 400; w += 8) {
      const c = defaultLearnerEventCap({ widthPx: w, heightPx: (w * 3) / 4 });
      expect(c % 1024).toBe(0);
      expect(c).toBeGreaterThanOrEqual(last);
      last = c;
    }
    // An explicit cap wins.
    expect(resolveLearnerConfig({ ...CAMERA, sensor: { widthPx: 320, heightPx: 240 }, maxEvents: 20_000 }).maxEvents).toBe(20_000);
    expect(() => resolveLearnerConfig({ ...CAMERA, maxEvents: 0 })).toThrow(/maxEvents/);
  });

  it('names what is wrong', () => {
    expect(() => resolveLearnerConfig({ ...CAMERA, loss: { groundFloor: { weight: 0.3, margin: 1 } } })).toThrow(/loss\.groundFloor\.margin/);
    expect(() => resolveLearnerConfig({ ...CAMERA, loss: { groundFloor: { weight: -1, margin: 0.1 } } })).toThrow(/loss\.groundFloor\.weight/);
  });
});
