/** Test worker: beats the inference beat `count` times, `everyMs` apart (inferenceBeat.test.ts). */
import { workerData } from 'node:worker_threads';
import { InferenceBeat } from '../../../src/learning/inferenceBeat.js';

const { buffer, count, everyMs } = workerData as { buffer: SharedArrayBuffer; count: number; everyMs: number };
const beat = InferenceBeat.attach(buffer);
for (let k = 0; k < count; k++) {
  await new Promise((r) => setTimeout(r, everyMs));
  beat.beat();
}
