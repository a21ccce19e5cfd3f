/** Test worker: writes `count` truth maps whose every pixel equals the map's number (its time), then exits. */
import { workerData } from 'node:worker_threads';
import { SharedTruthChannel } from '../../../src/app/sharedTruthChannel.js';

const { buffer, count } = workerData as { buffer: SharedArrayBuffer; count: number };
const channel = SharedTruthChannel.attach(buffer);
const map = new Float32Array(channel.geometry.widthPx * channel.geometry.heightPx);
for (let k = 1; k <= count; k++) {
  map.fill(k);
  channel.write(k, map);
}
