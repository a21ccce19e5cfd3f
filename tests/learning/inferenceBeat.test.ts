/**
 * The inference beat (src/learning/inferenceBeat.ts): the control path's count of finished inferences, which a
 * learner with `yieldToInference` waits on before each heavy phase; here across threads, with its timeout, and in
 * the learner worker end to end (it trains on beats, and without any).
 */
import { describe, expect, it } from 'vitest';
import { InferenceBeat } from '../../src/learning/inferenceBeat.js';
import { LearnerHost } from '../../src/learning/learnerHost.js';
import { resolveLearnerConfig } from '../../src/learning/learnerConfig.js';
import { realClock } from '../../src/platform/time.js';
import { startTypeScriptWorker } from '../../src/platform/typescriptWorker.js';
import { sceneWindows, vehicleAt } from './learnerFixtures.js';

describe('InferenceBeat', () => {
  it('counts beats and wakes a waiter in another thread at each one', async () => {
    const beat = InferenceBeat.create();
    const worker = startTypeScriptWorker(new URL('./workers/beater.ts', import.meta.url), { workerData: { buffer: beat.buffer, count: 3, everyMs: 30 } });
    const exited = new Promise((r) => worker.once('exit', r));
    // Each wait ends at a beat: the count has moved when it returns.
    for (let seen = beat.count; seen < 3; seen = beat.count) {
      expect(await beat.next(5000)).toBe(true);
      expect(beat.count).toBeGreaterThan(seen);
    }
    await exited;
    expect(beat.count).toBe(3);
  });

  it('gives up after its timeout when no beat comes, and a second view sees the same count', async () => {
    const beat = InferenceBeat.create();
    expect(await beat.next(20)).toBe(false);
    const other = InferenceBeat.attach(beat.buffer);
    other.beat();
    expect(beat.count).toBe(1);
  });

  it('refuses a buffer that is not shared memory of at least one word', () => {
    expect(() => InferenceBeat.attach(new ArrayBuffer(4) as unknown as SharedArrayBuffer)).toThrow(TypeError);
    expect(() => InferenceBeat.attach(new SharedArrayBuffer(2))).toThrow(TypeError);
  });
});

describe('learner with yieldToInference', () => {
  const scene = sceneWindows({ count: 4, windowUs: 5_000, events: 4000, seed: 3 });

  it('is off by default', () => {
    expect(resolveLearnerConfig({ sensor: scene.sensor, intrinsics: scene.intrinsics }).yieldToInference).toBe(false);
  });

  it('trains on windows followed by beats, and still trains (each phase after its timeout) without any', async () => {
    // Not SCHED_IDLE here, as in learnerWorker.test.ts: the test would measure the machine's load.
    const host = await LearnerHost.start({ sensor: scene.sensor, intrinsics: scene.intrinsics, checkpointDir: null, threadSchedIdle: false, yieldToInference: true, trainer: { minEventsPerWindow: 100 } });
    const updates = async () => (await host.status()).worker?.trainer.updates ?? -1;
    try {
      for (const withBeats of [true, false]) {
        await host.clearFigures();
        const before = await updates();
        for (let k = 0; k < 400 && (await updates()) < before + 3; k++) {
          host.enqueue(scene.windows[k % scene.windows.length]!.window, vehicleAt(realClock.nowUs()));
          if (withBeats) host.inferenceDone();
          await new Promise((r) => setTimeout(r, 5));
        }
        expect(await updates()).toBeGreaterThanOrEqual(before + 3);
        // Without beats each of an update's two phases first waits out the 10 ms timeout (never less).
        if (!withBeats) expect((await host.status()).worker!.trainer.timings.update.medianMs).toBeGreaterThanOrEqual(20);
      }
      expect((await host.status()).worker!.updateErrors).toBe(0);
    } finally {
      await host.close();
    }
  });
});
