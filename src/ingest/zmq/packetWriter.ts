import type { EventBatch } from '../../contracts/eventBatch.js';
import type { EventEncoding } from '../../contracts/eventEncoding.js';
import type { SensorGeometry } from '../../contracts/sensorGeometry.js';
import { createEncoder, type EventEncoder } from '../../formats/evt/index.js';
import { encodePacket, MAX_GEOMETRY_PX } from './wireFormat.js';

/** Default cap on events per packet: keeps an EVT 3.0 packet ≤ 512 KiB, under the reader's 1 MiB default. */
export const DEFAULT_MAX_EVENTS_PER_PACKET = 65536;

export interface PacketWriterOptions {
  readonly sensorId: number;
  readonly geometry: SensorGeometry;
  /** Wire encoding of the payload. Default `evt3` (what Prophesee Gen4/IMX636 drivers stream). */
  readonly encoding?: EventEncoding;
  /** Identifies this run of the publisher; subscribers see a new value as a restart. */
  readonly streamId: number;
  /** Longer batches are split into several packets. Default 65 536. */
  readonly maxEventsPerPacket?: number;
}

/**
 * Turns event batches into EVPK packets (pure: no sockets). Each packet is self-contained: the EVT
 * encoder is reset before every packet, so it starts with TIME_HIGH, TIME_LOW and ADDR_Y and a
 * subscriber that lost the packets before it decodes it in full. Sequence numbers run 0, 1, 2, …
 * for the writer's lifetime.
 *
 * Input events must be in non-decreasing time order with integer µs timestamps (the EVT resolution)
 * and inside the geometry; the encoder throws RangeError otherwise (a bug in the producer).
 */
export class PacketWriter {
  readonly sensorId: number;
  readonly geometry: SensorGeometry;
  readonly encoding: EventEncoding;
  readonly streamId: number;
  private readonly maxEvents: number;
  private readonly encoder: EventEncoder;
  private sequence = 0;

  constructor(options: PacketWriterOptions) {
    this.sensorId = options.sensorId;
    this.geometry = { widthPx: options.geometry.widthPx, heightPx: options.geometry.heightPx };
    this.encoding = options.encoding ?? 'evt3';
    this.streamId = options.streamId;
    this.maxEvents = Math.max(1, Math.floor(options.maxEventsPerPacket ?? DEFAULT_MAX_EVENTS_PER_PACKET));
    this.encoder = createEncoder(this.encoding);
    const { widthPx, heightPx } = this.geometry;
    if (!(widthPx >= 1 && widthPx <= MAX_GEOMETRY_PX && heightPx >= 1 && heightPx <= MAX_GEOMETRY_PX)) {
      throw new RangeError(`geometry ${widthPx}x${heightPx} outside 1..${MAX_GEOMETRY_PX}`);
    }
  }

  /** Sequence number the next packet will carry (= packets written so far). */
  get nextSequence(): number {
    return this.sequence;
  }

  /**
   * The packets for `batch` (none for an empty batch), each a fresh buffer the caller owns. The batch
   * is read before this returns, so the caller may reuse it at once.
   */
  write(batch: EventBatch): Uint8Array[] {
    const packets: Uint8Array[] = [];
    for (let start = 0; start < batch.length; start += this.maxEvents) {
      const end = Math.min(batch.length, start + this.maxEvents);
      const part = start === 0 && end === batch.length ? batch : sliceBatch(batch, start, end);
      this.encoder.reset();
      const payload = this.encoder.encode(part);
      packets.push(
        encodePacket(
          {
            sensorId: this.sensorId,
            encoding: this.encoding,
            geometry: this.geometry,
            streamId: this.streamId,
            eventCount: end - start,
            sequence: this.sequence++,
            firstTUs: batch.tUs[start]!,
            lastTUs: batch.tUs[end - 1]!,
          },
          payload,
        ),
      );
    }
    return packets;
  }

  /**
   * A packet with no events that tells subscribers the sensor's time is `tUs` and the stream is
   * alive (a quiet scene produces no events). It takes a sequence number like any packet.
   */
  heartbeat(tUs: number): Uint8Array {
    return encodePacket(
      {
        sensorId: this.sensorId,
        encoding: this.encoding,
        geometry: this.geometry,
        streamId: this.streamId,
        eventCount: 0,
        sequence: this.sequence++,
        firstTUs: tUs,
        lastTUs: tUs,
      },
      new Uint8Array(0),
    );
  }
}

/** Views of events [start, end): no copy. */
function sliceBatch(batch: EventBatch, start: number, end: number): EventBatch {
  return {
    length: end - start,
    x: batch.x.subarray(start, end),
    y: batch.y.subarray(start, end),
    p: batch.p.subarray(start, end),
    tUs: batch.tUs.subarray(start, end),
  };
}
