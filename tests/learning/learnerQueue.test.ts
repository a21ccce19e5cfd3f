/**
 * The learner's shared-memory sample queue: FIFO, drop-oldest when full (counted), a claimed slot is never
 * overwritten, learner events beyond the cap are subsampled uniformly in time order, a waiting consumer
 * is woken by a push, and across two threads every sample arrives intact (no torn or mixed samples) with
 * pushed = consumed + dropped + left over.
 */
import { describe, expect, it } from 'vitest';
import { LearnerQueue } from '../../src/learning/learnerQueue.js';
import { startTypeScriptWorker } from '../../src/platform/typescriptWorker.js';
import { INPUT_LENGTH, PATTERN_MOTION, patternMismatches, patternWindow } from './learnerFixtures.js';

const layout = (capacity: number, maxEvents = 64) => ({ capacity, inputLength: INPUT_LENGTH, maxEvents });

describe('learner queue', () => {
  it('hands samples out in push order with their contents and motion', () => {
    const q = LearnerQueue.create(layout(4));
    for (let i = 0; i < 3; i++) expect(q.push(patternWindow(i, 10 + i), PATTERN_MOTION, 1000 + i)).toBe(false);
    for (let i = 0; i < 3; i++) {
      const s = q.claim()!;
      expect(s.windowIndex).toBe(i);
      expect(s.events.length).toBe(10 + i);
      expect(patternMismatches(s, i)).toBe(0);
      expect(s.enqueuedTUs).toBe(1000 + i);
      expect(s.bodyRatesCamRadS).toEqual(PATTERN_MOTION.bodyRatesCamRadS);
      expect(s.focusOfExpansionNorm).toEqual(PATTERN_MOTION.focusOfExpansionNorm);
      expect(s.foeFromVelocity).toBe(true);
      expect(s.groundFloor).toEqual(PATTERN_MOTION.groundFloor);
      expect(s.axialSpeedMS).toBe(PATTERN_MOTION.axialSpeedMS);
      expect(s.mapping).toEqual({ fit: 'letterbox', scale: 0.25, offsetXPx: 0, offsetYPx: 0 });
      q.release(s);
    }
    expect(q.claim()).toBeUndefined();
    expect(q.counters()).toMatchObject({ pushed: 3, popped: 3, dropped: 0, ready: 0 });
  });

  it('a window without a ground-floor plane or axial speed comes out without them, after one that had them', () => {
    const q = LearnerQueue.create(layout(2));
    // Both slots have held a plane and a speed before the window without them reuses one.
    for (let i = 0; i < 2; i++) {
      q.push(patternWindow(i, 3), PATTERN_MOTION, i);
      q.release(q.claim()!);
    }
    q.push(patternWindow(2, 3), { ...PATTERN_MOTION, groundFloor: null, axialSpeedMS: null }, 2);
    const s = q.claim()!;
    expect(s.groundFloor).toBeNull();
    expect(s.axialSpeedMS).toBeNull();
    q.release(s);
  });

  it('drops the oldest unread sample when full, and counts it', () => {
    const q = LearnerQueue.create(layout(4));
    const dropped = [0, 1, 2, 3, 4, 5].map((i) => q.push(patternWindow(i, 5), PATTERN_MOTION, i));
    expect(dropped).toEqual([false, false, false, false, true, true]);
    expect(q.counters()).toMatchObject({ pushed: 6, dropped: 2, ready: 4 });
    const order: number[] = [];
    for (let s = q.claim(); s; s = q.claim()) {
      expect(patternMismatches(s, s.windowIndex)).toBe(0);
      order.push(s.windowIndex);
      q.release(s);
    }
    expect(order).toEqual([2, 3, 4, 5]);
  });

  it('never overwrites a claimed sample; drops among the others', () => {
    const q = LearnerQueue.create(layout(3));
    q.push(patternWindow(0, 8), PATTERN_MOTION, 0);
    const held = q.claim()!;
    for (let i = 1; i <= 6; i++) q.push(patternWindow(i, 8), PATTERN_MOTION, i);
    expect(patternMismatches(held, 0)).toBe(0); // still window 0, untouched
    expect(q.counters()).toMatchObject({ pushed: 7, dropped: 4, ready: 2 });
    q.release(held);
    const rest: number[] = [];
    for (let s = q.claim(); s; s = q.claim()) {
      rest.push(s.windowIndex);
      q.release(s);
    }
    expect(rest).toEqual([5, 6]);
  });

  it('subsamples more events than the cap uniformly, keeping time order', () => {
    const q = LearnerQueue.create(layout(2, 100));
    q.push(patternWindow(0, 1000), PATTERN_MOTION, 0);
    const s = q.claim()!;
    expect(s.events.length).toBe(100);
    expect(s.windowEventCount).toBe(1000);
    for (let k = 0; k < 100; k++) expect(s.events.tUs[k]).toBe(k * 10); // every 10th of tUs = k
    expect(q.counters().subsampled).toBe(1);
  });

  it('refuses a window whose input has the wrong size (wiring error)', () => {
    const q = LearnerQueue.create({ capacity: 2, inputLength: 100, maxEvents: 10 });
    expect(() => q.push(patternWindow(0, 1), PATTERN_MOTION, 0)).toThrow(RangeError);
  });

  it('wakes a waiting consumer when a sample is pushed, and reports a timeout otherwise', async () => {
    const q = LearnerQueue.create(layout(2));
    expect(await q.waitForSample(1)).toBe(false);
    const waiting = q.waitForSample(60_000);
    q.push(patternWindow(3, 4), PATTERN_MOTION, 0);
    expect(await waiting).toBe(true);
    expect(q.claim()?.windowIndex).toBe(3);
  });

  it('delivers intact samples across threads while the producer outpaces the consumer', async () => {
    const count = 400;
    const q = LearnerQueue.create(layout(4, 512));
    const worker = startTypeScriptWorker(new URL('./workers/queueProducer.ts', import.meta.url), { workerData: { shared: q.shared, count, events: 500 } });
    const done = new Promise<{ pushed: number; dropped: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    let finished: { pushed: number; dropped: number } | undefined;
    void done.then((r) => (finished = r));
    let consumed = 0;
    let torn = 0;
    let last = -1;
    let outOfOrder = 0;
    while (finished === undefined || q.counters().ready > 0) {
      const s = q.claim();
      if (s === undefined) {
        await q.waitForSample(20);
        continue;
      }
      torn += patternMismatches(s, s.windowIndex) > 0 ? 1 : 0;
      if (s.windowIndex <= last) outOfOrder++;
      last = s.windowIndex;
      consumed++;
      // Hold the slot a little (the learner trains while holding it), so the producer must drop.
      for (let k = 0; k < 20_000; k++) s.input[k % 10] !== -1 || torn++;
      q.release(s);
    }
    await worker.terminate();
    const c = q.counters();
    expect(torn).toBe(0);
    expect(outOfOrder).toBe(0);
    expect(c.pushed).toBe(count);
    expect(c.dropped).toBe(finished!.dropped);
    expect(c.popped).toBe(consumed);
    expect(consumed + c.dropped).toBe(count);
  });
});
