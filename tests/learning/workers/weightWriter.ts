/** Test worker: publishes versions 1…count of pattern weights (weightPattern) into a shared exchange. */
import { parentPort, workerData } from 'node:worker_threads';
import { WeightExchange } from '../../../src/learning/weightExchange.js';
import { fillWeightPattern } from '../weightPattern.js';

const { buffer, count } = workerData as { buffer: SharedArrayBuffer; count: number };
const exchange = WeightExchange.attach(buffer);
const w = new Float32Array(exchange.length);
let refused = 0;
for (let v = 1; v <= count; v++) {
  fillWeightPattern(w, v);
  if (!exchange.publish(v, w)) refused++;
}
parentPort!.postMessage({ refused });
