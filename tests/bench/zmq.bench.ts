/**
 * Live event transport over ZeroMQ on loopback: EVPK packets from ZmqEventPublisher to ZmqEventSource.
 *
 * - latency: time from just before `publish` (EVT 3.0 encode + header + send) to the consumer's
 *   onBatch (receive + validation + queue + decode), per packet. Two set-ups: both ends on one thread
 *   (ping-pong: one packet in flight), and the publisher on a worker thread sending at 1 kHz like a
 *   camera driver (each end has its own thread, wake-ups included).
 * - throughput: the worker publishes packets back to back; events delivered per second at the
 *   consumer, with what was lost (queue drops, sequence gaps) reported next to it. Measured end to end
 *   (the worker encodes every packet) and for the receiving side alone (the worker sends pre-encoded
 *   packets), since encoding on the worker may be the slower end.
 *
 * Run alone: `node --import tsx tests/bench/zmq.bench.ts [--json] [--quick]`.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { EventBatch } from '../../src/contracts/eventBatch.js';
import * as zmq from 'zeromq';
import { PacketWriter, ZmqEventPublisher, ZmqEventSource } from '../../src/ingest/zmq/index.js';
import { randomStream } from '../helpers/events.js';
import { roundSummary, runStandalone, summarize } from './stats.js';

const GEOM = { widthPx: 640, heightPx: 480 };

/** Wall time in ms on an epoch shared by all threads (performance.now() alone is per thread). */
const epochMs = () => performance.timeOrigin + performance.now();

/** `packets` batches of `eventsPerPacket` events spread evenly over consecutive 1 ms slices. */
function packetBatches(eventsPerPacket: number, packets: number, seed: number): EventBatch[] {
  const all = randomStream(eventsPerPacket * packets, seed, GEOM.widthPx, GEOM.heightPx);
  const out: EventBatch[] = [];
  for (let k = 0; k < packets; k++) {
    const t = new Float64Array(eventsPerPacket);
    for (let i = 0; i < eventsPerPacket; i++) t[i] = 1_000_000 + k * 1000 + Math.floor((i * 1000) / eventsPerPacket);
    const s = k * eventsPerPacket;
    const e = s + eventsPerPacket;
    out.push({ length: eventsPerPacket, x: all.x.slice(s, e), y: all.y.slice(s, e), p: all.p.slice(s, e), tUs: t });
  }
  return out;
}

interface WorkerJob {
  readonly endpoint: string;
  readonly eventsPerPacket: number;
  readonly packets: number;
  /** 0 = back to back; else the interval between packets, ms. */
  readonly intervalMs: number;
  readonly sendTimes: SharedArrayBuffer;
  /** Encode once up front and send copies (sequence patched): measures the receiving side alone. */
  readonly preEncoded?: boolean;
}

/** Worker side: binds a publisher, waits for the subscriber, sends, reports 'done'. */
async function publisherWorker(job: WorkerJob): Promise<void> {
  const batches = packetBatches(job.eventsPerPacket, Math.min(job.packets, 200), 7);
  const sendTimes = new Float64Array(job.sendTimes);
  const pub = new ZmqEventPublisher({ endpoint: job.endpoint, sensorId: 1, geometry: GEOM, sendHighWaterMark: 100_000 });
  let raw: zmq.XPublisher | undefined;
  if (job.preEncoded === true) {
    raw = new zmq.XPublisher({ sendHighWaterMark: 100_000, linger: 1000 });
    await raw.bind(job.endpoint);
    parentPort!.postMessage({ endpoint: raw.lastEndpoint });
    await raw.receive(); // the subscription
  } else {
    await pub.open();
    parentPort!.postMessage({ endpoint: pub.endpoint });
    await pub.waitForSubscriber(30_000);
  }
  const writer = new PacketWriter({ sensorId: 1, geometry: GEOM, streamId: 1 });
  const encoded = raw !== undefined ? batches.map((b) => Buffer.from(writer.write(b)[0]!)) : [];
  let next = performance.now();
  for (let k = 0; k < job.packets; k++) {
    if (job.intervalMs > 0) {
      next += job.intervalMs;
      while (performance.now() < next) {
        // spin: timers are too coarse for a 1 kHz camera
      }
    }
    if (raw !== undefined) {
      const bytes = Buffer.from(encoded[k % encoded.length]!);
      bytes.writeUInt32LE(k, 24); // sequence (low half)
      sendTimes[k] = epochMs();
      await raw.send(bytes);
      continue;
    }
    const b = batches[k % batches.length]!;
    // keep time increasing across reused batches
    const shifted = { ...b, tUs: b.tUs.map((t) => t + Math.floor(k / batches.length) * batches.length * 1000) };
    sendTimes[k] = epochMs();
    await pub.publish(shifted);
  }
  if (raw !== undefined) raw.close();
  else await pub.close();
  parentPort!.postMessage({ done: true });
}

if (!isMainThread && (workerData as { zmqBench?: WorkerJob } | undefined)?.zmqBench) {
  await publisherWorker((workerData as { zmqBench: WorkerJob }).zmqBench);
}

/** Runs one worker job against a source on this thread; returns per-packet latencies and totals. */
async function crossThread(eventsPerPacket: number, packets: number, intervalMs: number, preEncoded = false) {
  const sendTimes = new SharedArrayBuffer(8 * packets);
  const sent = new Float64Array(sendTimes);
  const job: WorkerJob = { endpoint: 'tcp://127.0.0.1:*', eventsPerPacket, packets, intervalMs, sendTimes, preEncoded };
  // Node 20 workers do not inherit tsx's loader: the worker registers it, then loads this file.
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); });`;
  const worker = new Worker(boot, { eval: true, workerData: { zmqBench: job } });
  const latenciesMs: number[] = [];
  let firstMs = 0;
  let lastMs = 0;
  let events = 0;
  let lastSeq = -1;
  let resolveDone!: () => void;
  const allSent = new Promise<void>((r) => (resolveDone = r));
  const endpoint = await new Promise<string>((resolve, reject) => {
    worker.on('message', (m: { endpoint?: string; done?: boolean }) => {
      if (m.endpoint) resolve(m.endpoint);
      if (m.done) resolveDone();
    });
    worker.on('error', reject);
  });
  const src = new ZmqEventSource({ endpoint, queueCapacityPackets: 4096, queueCapacityBytes: 512 * 1024 * 1024, receiveHighWaterMark: 1000 });
  await src.start((b) => {
    const now = epochMs();
    const seq = src.currentPacket!.sequence;
    if (seq !== lastSeq) {
      lastSeq = seq;
      latenciesMs.push(now - sent[seq]!);
      if (firstMs === 0) firstMs = now;
    }
    lastMs = now;
    events += b.length;
  });
  await allSent;
  // wait (bounded) for the tail to drain
  const deadline = performance.now() + 10_000;
  while (src.counters.deliveredPackets + src.counters.queueDrops + src.counters.packetsLost < packets && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 2));
  }
  const c = src.counters;
  await src.close();
  await worker.terminate();
  // lost: dropped by libzmq (gaps), by the source's queue, or not arrived by the deadline
  return { latenciesMs, events, seconds: (lastMs - firstMs) / 1000, delivered: c.deliveredPackets, lost: packets - c.deliveredPackets };
}

/** Both ends on this thread, one packet in flight at a time. */
async function sameThread(eventsPerPacket: number, packets: number): Promise<number[]> {
  const pub = new ZmqEventPublisher({ endpoint: 'tcp://127.0.0.1:*', sensorId: 1, geometry: GEOM });
  await pub.open();
  let delivered: (() => void) | undefined;
  const source = new ZmqEventSource({ endpoint: pub.endpoint });
  await source.start(() => delivered?.());
  await pub.waitForSubscriber(30_000);
  const batches = packetBatches(eventsPerPacket, 50, 3);
  const out: number[] = [];
  for (let k = 0; k < packets; k++) {
    const b = batches[k % batches.length]!;
    const shifted = { ...b, tUs: b.tUs.map((t) => t + Math.floor(k / batches.length) * batches.length * 1000) };
    const got = new Promise<void>((r) => (delivered = r));
    const t0 = performance.now();
    await pub.publish(shifted);
    await got;
    out.push(performance.now() - t0);
  }
  await source.close();
  await pub.close();
  return out;
}

export async function run(opts: { quick: boolean }): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const latencyPackets = opts.quick ? 300 : 3000;
  for (const eventsPerPacket of [1000, 10_000]) {
    await sameThread(eventsPerPacket, 100); // warm-up
    const same = await sameThread(eventsPerPacket, latencyPackets);
    out[`latencySameThreadMs_${eventsPerPacket}evPerPacket`] = roundSummary(summarize(same), 3);
    const cross = await crossThread(eventsPerPacket, latencyPackets, 1);
    out[`latencyWorker1kHzMs_${eventsPerPacket}evPerPacket`] = { ...roundSummary(summarize(cross.latenciesMs.slice(50)), 3), lostPackets: cross.lost };
  }
  const tpRuns = opts.quick ? 3 : 7;
  const tpPackets = opts.quick ? 300 : 1000;
  const eventsPerPacket = 20_000;
  for (const [name, preEncoded] of [
    ['throughputMeps', false],
    ['receiveDecodeThroughputMeps', true],
  ] as const) {
    const meps: number[] = [];
    let lost = 0;
    for (let r = 0; r < tpRuns + 1; r++) {
      const res = await crossThread(eventsPerPacket, tpPackets, 0, preEncoded);
      if (r === 0) continue; // warm-up
      meps.push(res.events / res.seconds / 1e6);
      lost += res.lost;
    }
    out[name] = { eventsPerPacket, packetsPerRun: tpPackets, ...roundSummary(summarize(meps), 2), lostPacketsAllRuns: lost };
  }
  out.note = 'loopback tcp, one process; the publisher runs on a worker thread except in latencySameThread';
  return out;
}

if (isMainThread) await runStandalone(import.meta.url, run);
