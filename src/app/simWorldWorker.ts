/**
 * Worker-thread entry of the simulated world (started by simWorldHost.ts through
 * src/platform/typescriptWorker.ts). Protocol (simWorldHost.ts has the types):
 *   worker → host: ready {info, nice} | done {summary} | fatal {error}
 *   host → worker: run | stop
 * After `done` it waits for `stop` (after a fatal error it does not), then closes its publisher and lets the
 * thread end.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { setThisThreadNice } from '../platform/threadPriority.js';
import { SharedTruthChannel } from './sharedTruthChannel.js';
import { SharedVehicleChannel } from './sharedVehicleChannel.js';
import { SimWorld, type SimWorldOptions } from './simWorld.js';
import type { SimWorldToHost, SimWorldWorkerData, HostToSimWorld } from './simWorldHost.js';

if (parentPort === null) throw new Error('simWorldWorker.ts must run in a worker thread');
const port = parentPort;
const post = (msg: SimWorldToHost) => port.postMessage(msg);
const data = workerData as SimWorldWorkerData;
const stop = new AbortController();
let world: SimWorld | undefined;
let running = false;

async function finish(): Promise<void> {
  await world?.close().catch(() => undefined);
  port.close(); // nothing else holds the thread open: it ends here
}

port.on('message', (msg: HostToSimWorld) => {
  if (msg.type === 'stop') {
    stop.abort();
    if (!running) void finish();
  } else if (msg.type === 'run' && world !== undefined && !running && !stop.signal.aborted) {
    const w = world;
    running = true;
    // After the flight the publisher stays open until the host says stop, so the runtime does not see
    // its event source vanish while it is still shutting down in order.
    w.run(stop.signal).then(
      (summary) => {
        running = false;
        post({ type: 'done', summary });
        if (stop.signal.aborted) void finish();
      },
      (err: unknown) => {
        post({ type: 'fatal', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
        void finish();
      },
    );
  }
});

// The world yields to the runtime when both want a core (see simWorldHost.ts).
const nice = data.threadNice === null ? null : setThisThreadNice(data.threadNice).nice;
try {
  const truth = data.truth === null ? undefined : SharedTruthChannel.attach(data.truth);
  world = await SimWorld.create(data.options as SimWorldOptions, SharedVehicleChannel.attach(data.channel), truth);
  post({ type: 'ready', info: world.info, nice });
} catch (err) {
  post({ type: 'fatal', error: err instanceof Error ? err.message : String(err) });
  await finish();
}
