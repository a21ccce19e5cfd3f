import { setImmediate as yieldToLoop, setTimeout as delay } from 'node:timers/promises';
import * as zmq from 'zeromq';
import type { EventBatch } from '../../contracts/eventBatch.js';
import type { EventEncoding } from '../../contracts/eventEncoding.js';
import type { EventSource } from '../../contracts/eventSource.js';
import type { SensorGeometry } from '../../contracts/sensorGeometry.js';
import { checkEndpoint } from './endpoint.js';
import { PacketStreamDecoder } from './packetDecoder.js';
import { DropOldestQueue } from './packetQueue.js';
import { SequenceTracker } from './sequenceTracker.js';
import { MutableSourceCounters, type SourceProblem, type SourceProblemKind, type SourceRejectReason, type ZmqSourceCounters } from './sourceCounters.js';
import { DEFAULT_MAX_PACKET_BYTES, decodePacket, sensorSubscriptionPrefix, type PacketHeader } from './wireFormat.js';

export interface ZmqEventSourceOptions {
  /** Where the camera driver publishes: `tcp://host:port`, `ipc:///path`, `inproc://name`. */
  readonly endpoint: string;
  /** `connect` (default: the driver binds, as a camera does) or `bind` (drivers connect to the runtime). */
  readonly mode?: 'connect' | 'bind';
  /**
   * Follow only this sensor (ZeroMQ filters by the 8-byte prefix "EVPK" + id, on the publisher's side).
   * Without it the source follows the first sensor it hears from and counts packets of any other as
   * `otherSensorPackets`, so one consumer never gets two sensors' events interleaved.
   */
  readonly sensorId?: number;
  /** Packets held for a consumer that is behind; when full the oldest is dropped. Default 256. */
  readonly queueCapacityPackets?: number;
  /** Bytes held likewise. Default 16 MiB. */
  readonly queueCapacityBytes?: number;
  /** Longest packet accepted (header included); longer ones are counted as `oversized`. Default 1 MiB. */
  readonly maxPacketBytes?: number;
  /**
   * libzmq's ZMQ_MAXMSGSIZE: a longer message is refused before it is allocated, and libzmq drops the
   * connection (counted in `disconnects`; the source reconnects). Default 2 × maxPacketBytes, so
   * moderately oversized packets are still received, counted and reported as such.
   */
  readonly transportLimitBytes?: number;
  /** libzmq's receive high-water mark (messages queued inside libzmq before it stops reading). Default 64. */
  readonly receiveHighWaterMark?: number;
  /** Wait before reconnecting after a lost connection, ms. Default 100. */
  readonly reconnectDelayMs?: number;
  /** Largest batch handed to onBatch (events). Default 65 536. */
  readonly batchCapacity?: number;
  /** Called for every problem (malformed packet, gap, drop, …) as it happens; must be cheap and not throw. */
  readonly onProblem?: (problem: SourceProblem) => void;
  /** Called before the first batch of a new encoding or geometry (the first packet included). */
  readonly onFormat?: (geometry: SensorGeometry, encoding: EventEncoding) => void;
}

interface QueuedPacket {
  readonly header: PacketHeader;
  readonly payload: Uint8Array;
}

/** Longest stretch of delivery (decode + consumer) before the receive loop gets a turn, ms. */
const DELIVERY_BUDGET_MS = 2;

/** Messages drained from the socket in a row before the receive loop lets delivery run. */
const RECEIVE_BURST = 64;

/**
 * Live events from a camera-driver process over ZeroMQ (SUB socket; wire format in WIRE_FORMAT.md).
 *
 * Two loops on the event loop: the receive loop drains the socket, validates each message, follows
 * sequence numbers and puts accepted packets in a bounded drop-oldest queue; the delivery loop decodes
 * one packet at a time and calls `onBatch`, yielding between packets so the receive loop keeps up. A
 * consumer that is slower than the stream therefore loses the oldest packets (counted), never memory.
 * Nothing a peer sends stops the source: every bad message is counted by reason and reported.
 *
 * Threading: everything runs on the caller's event loop; `onBatch` is called synchronously with a
 * batch valid only during the call (copy what you keep).
 */
export class ZmqEventSource implements EventSource {
  private readonly opts: ZmqEventSourceOptions;
  private readonly maxPacketBytes: number;
  private readonly reconnectDelayMs: number;
  private readonly queue: DropOldestQueue<QueuedPacket>;
  private readonly sequence = new SequenceTracker();
  private readonly decoder: PacketStreamDecoder;
  private readonly c = new MutableSourceCounters();
  private socket: zmq.Subscriber | undefined;
  private followedSensor: number | undefined;
  private currentGeometry: SensorGeometry | undefined;
  private currentEncoding: EventEncoding | undefined;
  private deliveringHeader: PacketHeader | undefined;
  private consumer: (batch: EventBatch) => void = () => {};
  private timeConsumer: ((tUs: number) => void) | undefined;
  private wakeDelivery: (() => void) | undefined;
  private loops: Promise<void>[] = [];
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** libzmq announced it is retrying the lost connection itself ('connect:retry' since the last drop). */
  private libzmqRetrying = false;
  private connectedSinceDrop = true;
  private started = false;
  private closed = false;
  private problem: SourceProblem | undefined;
  /** Read once after bind: libzmq refuses to answer once the socket is closed. */
  private boundEndpoint: string | undefined;

  constructor(options: ZmqEventSourceOptions) {
    this.opts = options;
    this.maxPacketBytes = options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
    this.reconnectDelayMs = options.reconnectDelayMs ?? 100;
    this.queue = new DropOldestQueue(options.queueCapacityPackets ?? 256, options.queueCapacityBytes ?? 16 * 1024 * 1024);
    this.decoder = new PacketStreamDecoder(options.batchCapacity ?? 65536);
    this.followedSensor = options.sensorId;
  }

  /** Geometry of the packets being delivered; undefined until the first packet. */
  get geometry(): SensorGeometry | undefined {
    return this.currentGeometry;
  }

  /** Header of the packet whose events are being delivered (valid during onBatch; for sequence, sensor id, times). */
  get currentPacket(): PacketHeader | undefined {
    return this.deliveringHeader;
  }

  /** The most recent problem, for status displays and telemetry. */
  get lastProblem(): SourceProblem | undefined {
    return this.problem;
  }

  /** The bound endpoint in `bind` mode (with the OS-chosen port resolved), else the endpoint given. */
  get endpoint(): string {
    return this.boundEndpoint ?? this.opts.endpoint;
  }

  /** A snapshot of the counters (allocates: for reporting, not per event). */
  get counters(): ZmqSourceCounters {
    const c = this.c;
    return {
      messages: c.messages,
      bytes: c.bytes,
      packets: c.packets,
      heartbeats: c.heartbeats,
      deliveredPackets: c.deliveredPackets,
      events: c.events,
      rejected: c.rejected,
      rejectedByReason: { ...c.rejectedByReason },
      otherSensorPackets: c.otherSensorPackets,
      sequenceGaps: this.sequence.gaps,
      packetsLost: this.sequence.packetsLost,
      streamRestarts: this.sequence.restarts,
      queueDrops: this.queue.dropped,
      queueDroppedEvents: c.queueDroppedEvents,
      queueLength: this.queue.length,
      queueHighWater: this.queue.highWater,
      formatChanges: this.decoder.formatChanges,
      eventCountMismatches: this.decoder.eventCountMismatches,
      badPayloadPackets: this.decoder.badPayloadPackets,
      consumerErrors: c.consumerErrors,
      connects: c.connects,
      disconnects: c.disconnects,
      forcedReconnects: c.forcedReconnects,
      receiveErrors: c.receiveErrors,
      decode: this.decoder.decodeCounters,
    };
  }

  /**
   * Opens the socket and starts both loops. Resolves once the socket is bound or connecting (ZeroMQ
   * connects in the background and reconnects by itself); rejects on a bad endpoint or a failed bind.
   * Events then flow until `close()`.
   */
  async start(onBatch: (batch: EventBatch) => void, onSensorTime?: (tUs: number) => void): Promise<void> {
    if (this.started) throw new Error('ZmqEventSource.start called twice');
    this.started = true;
    this.timeConsumer = onSensorTime;
    const mode = this.opts.mode ?? 'connect';
    const bad = checkEndpoint(this.opts.endpoint, mode);
    if (bad !== undefined) throw new Error(bad);
    this.consumer = onBatch;
    const socket = new zmq.Subscriber({
      receiveHighWaterMark: this.opts.receiveHighWaterMark ?? 64,
      maxMessageSize: this.opts.transportLimitBytes ?? 2 * this.maxPacketBytes,
      linger: 0,
      reconnectInterval: this.reconnectDelayMs,
    });
    this.socket = socket;
    socket.events.on('connect', () => this.onConnected());
    socket.events.on('accept', () => this.onConnected());
    socket.events.on('disconnect', (e) => this.onDisconnected(e.address, mode));
    socket.events.on('connect:retry', () => this.onLibzmqRetrying());
    if (this.opts.sensorId !== undefined) socket.subscribe(Buffer.from(sensorSubscriptionPrefix(this.opts.sensorId)));
    // Subscribing to everything lets garbage reach us, so it is counted rather than silently filtered.
    else socket.subscribe();
    try {
      if (mode === 'bind') {
        await socket.bind(this.opts.endpoint);
        this.boundEndpoint = socket.lastEndpoint ?? undefined;
      } else {
        socket.connect(this.opts.endpoint);
      }
    } catch (err) {
      socket.close();
      this.closed = true;
      throw new Error(`cannot ${mode} ${this.opts.endpoint}: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.loops = [this.receiveLoop(socket), this.deliveryLoop()];
  }

  /** Stops both loops and closes the socket; queued packets are discarded. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) {
      await Promise.all(this.loops);
      return;
    }
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.socket?.close();
    this.queue.clear();
    this.wakeDelivery?.();
    await Promise.all(this.loops);
  }

  private async receiveLoop(socket: zmq.Subscriber): Promise<void> {
    let burst = 0;
    while (!this.closed) {
      let frames: Buffer[];
      try {
        frames = await socket.receive();
      } catch (err) {
        if (this.closed) break;
        this.c.receiveErrors++;
        this.report('receive-error', err instanceof Error ? err.message : String(err));
        await delay(this.reconnectDelayMs);
        continue;
      }
      this.accept(frames);
      // receive() resolves at once while messages are waiting; give delivery a turn now and then.
      if (++burst >= RECEIVE_BURST) {
        burst = 0;
        await yieldToLoop();
      }
    }
  }

  /** Validates one message and queues it, or counts why not. */
  private accept(frames: Buffer[]): void {
    const c = this.c;
    c.messages++;
    let total = 0;
    for (const f of frames) total += f.length;
    c.bytes += total;
    if (frames.length !== 1) {
      this.reject('multipart', `${frames.length} frames (${total} bytes); a packet is one frame`);
      return;
    }
    const result = decodePacket(frames[0]!, { maxPacketBytes: this.maxPacketBytes });
    if (!result.ok) {
      this.reject(result.reason, result.detail);
      return;
    }
    const h = result.header;
    this.followedSensor ??= h.sensorId;
    if (h.sensorId !== this.followedSensor) {
      c.otherSensorPackets++;
      this.report('other-sensor', `packet from sensor ${h.sensorId}; following sensor ${this.followedSensor}`);
      return;
    }
    const verdict = this.sequence.observe(h.streamId, h.sequence);
    if (verdict === 'gap') {
      this.report('sequence-gap', `sensor ${h.sensorId}: ${this.sequence.lastGap} packets lost before sequence ${h.sequence}`);
    } else if (verdict === 'restart') {
      this.report('stream-restart', `sensor ${h.sensorId}: publisher restarted (stream ${hex32(h.streamId)}, sequence ${h.sequence})`);
    }
    c.packets++;
    if (h.eventCount === 0 && h.payloadBytes === 0) c.heartbeats++;
    this.queue.push({ header: h, payload: result.payload }, total, this.onQueueDrop);
    const wake = this.wakeDelivery;
    this.wakeDelivery = undefined;
    wake?.();
  }

  private readonly onQueueDrop = (old: QueuedPacket): void => {
    this.c.queueDroppedEvents += old.header.eventCount;
    this.report('queue-drop', `consumer behind: dropped packet ${old.header.sequence} (${old.header.eventCount} events)`);
  };

  private async deliveryLoop(): Promise<void> {
    while (!this.closed) {
      const item = this.queue.shift();
      if (item === undefined) {
        await new Promise<void>((resolve) => (this.wakeDelivery = resolve));
        continue;
      }
      // Deliver queued packets for up to DELIVERY_BUDGET_MS, then give the receive loop (and timers) a
      // turn, so the socket is drained (and the oldest dropped when the consumer is behind) in between.
      // One packet per turn would cap delivery at the event loop's turn rate under load.
      const budgetEndMs = performance.now() + DELIVERY_BUDGET_MS;
      let next: QueuedPacket | undefined = item;
      while (next !== undefined) {
        this.deliver(next);
        if (this.closed || performance.now() >= budgetEndMs) break;
        next = this.queue.shift();
      }
      await yieldToLoop();
    }
  }

  private deliver(item: QueuedPacket): void {
    const h = item.header;
    if (
      this.currentGeometry === undefined ||
      this.currentEncoding !== h.encoding ||
      this.currentGeometry.widthPx !== h.geometry.widthPx ||
      this.currentGeometry.heightPx !== h.geometry.heightPx
    ) {
      if (this.currentGeometry !== undefined) {
        this.report(
          'format-change',
          `sensor ${h.sensorId}: ${this.currentEncoding} ${this.currentGeometry.widthPx}x${this.currentGeometry.heightPx} → ` +
            `${h.encoding} ${h.geometry.widthPx}x${h.geometry.heightPx}`,
        );
      }
      this.currentGeometry = h.geometry;
      this.currentEncoding = h.encoding;
      this.callSafely(() => this.opts.onFormat?.(h.geometry, h.encoding));
    }
    this.deliveringHeader = h;
    const outcome = this.decoder.decode(h, item.payload, this.sink);
    this.deliveringHeader = undefined;
    this.c.deliveredPackets++;
    if (outcome.problem !== undefined) this.report('bad-payload', outcome.problem);
    // Everything up to the packet's last timestamp has been delivered (a heartbeat carries only that).
    const timeConsumer = this.timeConsumer;
    if (timeConsumer !== undefined) this.callSafely(() => timeConsumer(h.lastTUs));
  }

  /** The consumer's errors must not kill the loop (nor leave the decoder half-way through a packet). */
  private readonly sink = (batch: EventBatch): void => {
    this.c.events += batch.length;
    this.callSafely(() => this.consumer(batch));
  };

  private callSafely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.c.consumerErrors++;
      this.report('consumer-error', err instanceof Error ? err.message : String(err));
    }
  }

  private onConnected(): void {
    this.connectedSinceDrop = true;
    this.c.connects++;
  }

  private onDisconnected(address: string, mode: 'connect' | 'bind'): void {
    this.c.disconnects++;
    this.report(
      'disconnect',
      `lost the connection to ${address} (publisher gone, or it sent a message over the ` +
        `${this.opts.transportLimitBytes ?? 2 * this.maxPacketBytes}-byte transport limit)`,
    );
    if (mode !== 'connect' || this.closed) return;
    // libzmq reconnects by itself after the peer went away (and says so with a 'connect:retry' event right
    // after the 'disconnect'), but not after a protocol error such as a message over ZMQ_MAXMSGSIZE: it gives
    // that connection up for good, with no retry event. Re-connect by hand in that case only. Doing it
    // while libzmq retries would be harmful: a connection libzmq had just re-established (its 'connect'
    // event still on its way here) would be torn down, and whatever the publisher sent on it lost.
    this.connectedSinceDrop = false;
    this.libzmqRetrying = false;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.reconnect(), this.reconnectDelayMs);
  }

  private onLibzmqRetrying(): void {
    this.libzmqRetrying = true;
    clearTimeout(this.reconnectTimer);
  }

  private reconnect(): void {
    const socket = this.socket;
    if (this.closed || this.connectedSinceDrop || this.libzmqRetrying || socket === undefined) return;
    this.c.forcedReconnects++;
    try {
      socket.disconnect(this.opts.endpoint);
    } catch {
      // The endpoint may already be gone from libzmq's list; connecting again is what matters.
    }
    try {
      socket.connect(this.opts.endpoint);
    } catch (err) {
      this.report('receive-error', `reconnect to ${this.opts.endpoint} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private reject(reason: SourceRejectReason, detail: string): void {
    this.c.rejected++;
    this.c.rejectedByReason[reason]++;
    this.report(reason, detail);
  }

  private report(kind: SourceProblemKind, detail: string): void {
    const problem = { kind, detail };
    this.problem = problem;
    const sink = this.opts.onProblem;
    if (sink === undefined) return;
    try {
      sink(problem);
    } catch {
      // A broken logger must not stop the stream.
    }
  }
}

function hex32(v: number): string {
  return v.toString(16).padStart(8, '0');
}
