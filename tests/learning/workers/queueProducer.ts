/** Test worker: pushes `count` pattern windows into a shared learner queue as fast as it can, then reports. */
import { parentPort, workerData } from 'node:worker_threads';
import { LearnerQueue, type LearnerQueueShared } from '../../../src/learning/learnerQueue.js';
import { PATTERN_MOTION, patternWindow } from '../learnerFixtures.js';

const { shared, count, events } = workerData as { shared: LearnerQueueShared; count: number; events: number };
const queue = LearnerQueue.attach(shared);
// Windows prepared first so the pushes themselves run back to back.
const windows = [patternWindow(0, events), patternWindow(1, events), patternWindow(2, events)];
let dropped = 0;
for (let i = 0; i < count; i++) {
  const w = windows[i % 3]!;
  // Reuse three prepared windows, relabelled: the pattern depends on the index, so rebuild when it changes.
  const win = w.index === i ? w : (windows[i % 3] = patternWindow(i, events));
  if (queue.push(win, PATTERN_MOTION, i)) dropped++;
}
parentPort!.postMessage({ pushed: count, dropped });
