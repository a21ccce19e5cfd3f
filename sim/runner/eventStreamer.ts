/**
 * Streams a simulated flight's events the way a camera driver does: cut by sensor time into packets
 * (1 ms by default, as WIRE_FORMAT.md recommends), a heartbeat for every packet interval without
 * events, and (optionally) each packet released no earlier than its sensor time on an injected wall
 * clock. The sink is anything with the ZeroMQ publisher's two methods (src/ingest/zmq's
 * `ZmqEventPublisher` fits; the composition root wires it in), so this file stays free of sockets.
 */
import type { EventBatch } from '../../src/contracts/eventBatch.js';
import { runClosedLoop, type ClosedLoopSummary, type Controller } from './closedLoop.js';
import type { Simulation } from './simulation.js';
import type { TruthFrame } from '../truth/groundTruth.js';

/** Where packets go: `ZmqEventPublisher` implements this. */
export interface EventPacketSink {
  /** Sends the events (non-decreasing integer µs times) as one or more packets. */
  publish(batch: EventBatch): Promise<void>;
  /** Sends an event-less packet saying the sensor's time is `tUs`. */
  publishHeartbeat(tUs: number): Promise<void>;
}

export interface StreamOptions {
  readonly sim: Simulation;
  readonly sink: EventPacketSink;
  readonly controller: Controller;
  readonly durationS: number;
  /** Control rate of the closed loop, Hz (default 100). */
  readonly controlRateHz?: number;
  /** Packet length in sensor time, µs (default 1000); must divide the control period. */
  readonly packetUs?: number;
  /** Wait until a packet's end time is due on the wall clock before sending it (real time); absent = as fast as possible. */
  readonly pace?: (simTUs: number) => Promise<void>;
  readonly onCollision?: 'stop' | 'respawn' | 'continue';
  /** Called after every window (progress reports). */
  readonly onWindow?: (tUs: number, events: number, truth: TruthFrame | undefined) => void;
  /** Ground truth every n-th control period, handed to `onWindow` (0 = never; default 0). */
  readonly truthEvery?: number;
}

export interface StreamSummary extends ClosedLoopSummary {
  readonly packets: number;
  readonly heartbeats: number;
}

export async function streamEvents(opts: StreamOptions): Promise<StreamSummary> {
  const packetUs = opts.packetUs ?? 1000;
  const rate = opts.controlRateHz ?? 100;
  const periodUs = 1e6 / rate;
  if (!Number.isInteger(packetUs) || packetUs <= 0 || periodUs % packetUs !== 0) {
    throw new Error(`packet length ${packetUs} µs must be a whole number of µs dividing the control period ${periodUs} µs`);
  }
  let packets = 0;
  let heartbeats = 0;
  const summary = await runClosedLoop({
    sim: opts.sim,
    controller: opts.controller,
    controlRateHz: rate,
    durationS: opts.durationS,
    onCollision: opts.onCollision ?? 'respawn',
    onCourseEnd: 'respawn',
    truthEvery: opts.truthEvery ?? 0,
    onWindow: async (window, _vehicle, truth) => {
      const ev = window.events;
      let k = 0;
      // Packets cover (t, t + packetUs]: the window is (tStart, tEnd].
      for (let t = window.tStartUs; t < window.tEndUs; t += packetUs) {
        const end = Math.min(t + packetUs, window.tEndUs);
        const from = k;
        while (k < ev.length && ev.tUs[k]! <= end) k++;
        if (opts.pace) await opts.pace(end);
        if (k > from) {
          await opts.sink.publish(slice(ev, from, k));
          packets++;
        } else {
          await opts.sink.publishHeartbeat(end);
          heartbeats++;
        }
      }
      opts.onWindow?.(window.tEndUs, ev.length, truth);
    },
  });
  return { ...summary, packets, heartbeats };
}

function slice(b: EventBatch, start: number, end: number): EventBatch {
  return { length: end - start, x: b.x.subarray(start, end), y: b.y.subarray(start, end), p: b.p.subarray(start, end), tUs: b.tUs.subarray(start, end) };
}
