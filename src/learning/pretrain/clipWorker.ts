/**
 * Worker-thread entry: runs one clip job (workerData: ClipJob), posts progress messages while it flies and
 * the result at the end, with the samples' buffers transferred (not copied).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { collectClipSamples, type ClipJob } from './clipSamples.js';

export type ClipWorkerMessage =
  | { readonly type: 'progress'; readonly simulatedS: number }
  | { readonly type: 'done'; readonly result: Awaited<ReturnType<typeof collectClipSamples>> }
  | { readonly type: 'error'; readonly message: string };

if (parentPort === null) throw new Error('clipWorker.ts must run in a worker thread');
const port = parentPort;
try {
  const result = await collectClipSamples(workerData as ClipJob, (simulatedS) => port.postMessage({ type: 'progress', simulatedS } satisfies ClipWorkerMessage));
  const transfer: ArrayBuffer[] = [];
  for (const s of result.samples) {
    for (const a of [s.inputIndex, s.inputValue, s.x, s.y, s.p, s.dtUs, s.truthNu, s.truthDepth]) if (a) transfer.push(a.buffer as ArrayBuffer);
  }
  port.postMessage({ type: 'done', result } satisfies ClipWorkerMessage, transfer);
} catch (err) {
  port.postMessage({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies ClipWorkerMessage);
}
