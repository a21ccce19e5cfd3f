import { randomInt } from 'node:crypto';
import * as zmq from 'zeromq';
import type { EventBatch } from '../../contracts/eventBatch.js';
import type { EventEncoding } from '../../contracts/eventEncoding.js';
import type { SensorGeometry } from '../../contracts/sensorGeometry.js';
import { checkEndpoint } from './endpoint.js';
import { PacketWriter } from './packetWriter.js';
import { PACKET_MAGIC } from './wireFormat.js';

export interface ZmqEventPublisherOptions {
  /** `tcp://host:port` (port `*` for an OS-chosen one when binding), `ipc:///path`, `inproc://name`. */
  readonly endpoint: string;
  readonly sensorId: number;
  readonly geometry: SensorGeometry;
  /** Payload encoding. Default `evt3`. */
  readonly encoding?: EventEncoding;
  /** `bind` (default: a camera driver binds, subscribers connect) or `connect`. */
  readonly mode?: 'bind' | 'connect';
  /** Longer batches are split into several packets. Default 65 536 events. */
  readonly maxEventsPerPacket?: number;
  /** Packets libzmq queues per subscriber before it drops (PUB semantics: never blocks). Default 1000. */
  readonly sendHighWaterMark?: number;
  /** How long `close()` lets libzmq flush queued packets, ms. Default 1000. */
  readonly lingerMs?: number;
  /** Stream id (see WIRE_FORMAT.md); default random, so subscribers notice a restarted publisher. */
  readonly streamId?: number;
}

/** What the publisher has sent since `open`. */
export interface ZmqPublisherCounters {
  readonly packets: number;
  readonly events: number;
  /** Bytes of packets handed to libzmq (headers included). */
  readonly bytes: number;
  readonly heartbeats: number;
  /** Subscriptions that currently match this sensor (as reported by subscribers; approximate). */
  readonly subscribers: number;
}

/**
 * Publishes event batches as EVPK packets (WIRE_FORMAT.md) on a ZeroMQ publisher socket, as a camera
 * driver does. Used by `evpilot replay` and by the simulator.
 *
 * ZeroMQ PUB semantics hold: `publish` never blocks on slow or absent subscribers; packets beyond
 * their high-water mark are dropped by libzmq (subscribers see the gap in sequence numbers), and
 * packets sent before a subscriber has joined are lost ("slow joiner": see `waitForSubscriber`).
 * The socket is an XPUB so that subscriptions are visible here; it sends exactly like a PUB.
 *
 * Threading: one event loop; calls may overlap (sends are chained in call order).
 */
export class ZmqEventPublisher {
  private readonly opts: ZmqEventPublisherOptions;
  private readonly writer: PacketWriter;
  private socket: zmq.XPublisher | undefined;
  private sendChain: Promise<void> = Promise.resolve();
  private subscriptions = 0;
  private subscriberWaiters: (() => void)[] = [];
  private subscriptionLoop: Promise<void> = Promise.resolve();
  private closed = false;
  /** Read once after bind: libzmq refuses to answer once the socket is closed. */
  private boundEndpoint: string | undefined;
  private packets = 0;
  private events = 0;
  private bytes = 0;
  private heartbeats = 0;

  constructor(options: ZmqEventPublisherOptions) {
    this.opts = options;
    this.writer = new PacketWriter({
      sensorId: options.sensorId,
      geometry: options.geometry,
      encoding: options.encoding ?? 'evt3',
      streamId: options.streamId ?? randomInt(1, 2 ** 32 - 1),
      maxEventsPerPacket: options.maxEventsPerPacket,
    });
  }

  get streamId(): number {
    return this.writer.streamId;
  }

  /** Sequence number of the next packet. */
  get nextSequence(): number {
    return this.writer.nextSequence;
  }

  /** The endpoint actually bound (OS-chosen port resolved) once open; else the endpoint given. */
  get endpoint(): string {
    return this.boundEndpoint ?? this.opts.endpoint;
  }

  get counters(): ZmqPublisherCounters {
    return { packets: this.packets, events: this.events, bytes: this.bytes, heartbeats: this.heartbeats, subscribers: this.subscriptions };
  }

  /** Binds or connects. Rejects with a message naming the endpoint when that fails. */
  async open(): Promise<void> {
    if (this.socket !== undefined) throw new Error('ZmqEventPublisher.open called twice');
    const mode = this.opts.mode ?? 'bind';
    const bad = checkEndpoint(this.opts.endpoint, mode);
    if (bad !== undefined) throw new Error(bad);
    const socket = new zmq.XPublisher({ sendHighWaterMark: this.opts.sendHighWaterMark ?? 1000, linger: this.opts.lingerMs ?? 1000 });
    // Every subscribe/unsubscribe message, so each subscriber is counted, not only the first.
    socket.verbosity = 'allSubsUnsubs';
    try {
      if (mode === 'bind') await socket.bind(this.opts.endpoint);
      else socket.connect(this.opts.endpoint);
    } catch (err) {
      socket.close();
      throw new Error(`cannot ${mode} ${this.opts.endpoint}: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.socket = socket;
    if (mode === 'bind') this.boundEndpoint = socket.lastEndpoint ?? undefined;
    this.subscriptionLoop = this.watchSubscriptions(socket);
  }

  /**
   * Sends `batch` as one packet, or several when it holds more than maxEventsPerPacket events; an
   * empty batch sends nothing. The batch is encoded before this returns its promise, so the caller
   * may reuse it at once. Events: non-decreasing integer µs timestamps, inside the geometry.
   */
  async publish(batch: EventBatch): Promise<void> {
    const socket = this.requireOpen();
    const packets = this.writer.write(batch);
    this.events += batch.length;
    return this.send(socket, packets);
  }

  /** Sends an event-less packet saying the sensor's time is `tUs` (keeps consumers' clocks moving in a quiet scene). */
  async publishHeartbeat(tUs: number): Promise<void> {
    const socket = this.requireOpen();
    this.heartbeats++;
    return this.send(socket, [this.writer.heartbeat(tUs)]);
  }

  /**
   * Resolves true once a subscriber whose subscription matches this sensor has joined (at once if one
   * has), false after `timeoutMs`. libzmq has applied the subscription by then, so packets published
   * afterwards reach it: the cure for the slow-joiner loss at start-up.
   */
  waitForSubscriber(timeoutMs: number): Promise<boolean> {
    if (this.subscriptions > 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.subscriberWaiters = this.subscriberWaiters.filter((w) => w !== onSubscribe);
        resolve(ok);
      };
      const onSubscribe = () => done(true);
      const timer = setTimeout(() => done(false), Math.max(0, timeoutMs));
      this.subscriberWaiters.push(onSubscribe);
    });
  }

  /** Waits for queued sends, then closes (libzmq flushes for up to lingerMs). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.sendChain.catch(() => {});
    this.socket?.close();
    await this.subscriptionLoop;
    for (const w of this.subscriberWaiters.splice(0)) w();
  }

  private requireOpen(): zmq.XPublisher {
    if (this.socket === undefined || this.closed) throw new Error('ZmqEventPublisher is not open');
    return this.socket;
  }

  private send(socket: zmq.XPublisher, packets: Uint8Array[]): Promise<void> {
    // zeromq.js allows one send in flight per socket: chain them so overlapping calls keep their order.
    const next = this.sendChain.then(async () => {
      for (const p of packets) {
        await socket.send(p);
        this.packets++;
        this.bytes += p.length;
      }
    });
    this.sendChain = next.catch(() => {});
    return next;
  }

  /** Reads the XPUB's subscription messages (byte 1 = subscribe, 0 = unsubscribe, then the prefix). */
  private async watchSubscriptions(socket: zmq.XPublisher): Promise<void> {
    const ours = new Uint8Array(8);
    ours.set(PACKET_MAGIC, 0);
    new DataView(ours.buffer).setUint32(4, this.opts.sensorId, true);
    for (;;) {
      let frames: Buffer[];
      try {
        frames = await socket.receive();
      } catch {
        return; // socket closed
      }
      const msg = frames[0];
      if (msg === undefined || msg.length === 0 || !matchesPrefix(ours, msg.subarray(1))) continue;
      if (msg[0] === 1) {
        this.subscriptions++;
        for (const w of this.subscriberWaiters.slice()) w();
      } else if (msg[0] === 0) {
        this.subscriptions = Math.max(0, this.subscriptions - 1);
      }
    }
  }
}

/** True when a subscription `prefix` would let our packets through (it is a prefix of "EVPK"+id, or longer and decided later). */
function matchesPrefix(ours: Uint8Array, prefix: Uint8Array): boolean {
  const n = Math.min(ours.length, prefix.length);
  for (let i = 0; i < n; i++) if (ours[i] !== prefix[i]) return false;
  return true;
}
