import type { DecodeCounters } from '../../contracts/decodeCounters.js';
import type { EventBatch } from '../../contracts/eventBatch.js';
import type { SensorGeometry } from '../../contracts/sensorGeometry.js';
import { createDecoder, type EventDecoder } from '../../formats/evt/index.js';
import type { PacketHeader } from './wireFormat.js';

/** What decoding one packet found. */
export interface PacketDecodeOutcome {
  /** Events delivered from this packet. */
  readonly events: number;
  /** True when this packet's encoding or geometry differs from the previous packet's (a new decoder was made). */
  readonly formatChanged: boolean;
  /** Set when the payload held words that yielded no event (invalid words, out of geometry, no time base,
   *  a trailing partial word) or the event count disagrees with the header: says what, for reporting. */
  readonly problem: string | undefined;
}

type CounterKey = keyof DecodeCounters;
const COUNTER_KEYS: readonly CounterKey[] = [
  'bytes',
  'events',
  'onEvents',
  'offEvents',
  'droppedOutOfGeometry',
  'droppedNoTimeBase',
  'invalidWords',
  'triggers',
  'otherWords',
  'timeWraps',
  'trailingBytes',
];

/**
 * Decodes the payloads of accepted packets with the project's EVT decoders (pure: no I/O).
 *
 * Every packet is self-contained, so the decoder is reset before each one with the header's firstTUs
 * as anchor: the sensor's wrapping time counter (EVT 3.0 wraps every 16.7 s) resolves to the absolute
 * time nearest that anchor, and nothing carries over from a lost or corrupt packet. A change of
 * encoding or geometry mid-stream gets a fresh decoder (out-of-geometry checks must use the new size).
 */
export class PacketStreamDecoder {
  private decoder: EventDecoder | undefined;
  private currentEncoding: string | undefined;
  private currentGeometry: SensorGeometry | undefined;
  /** Counters of decoders already replaced, so totals survive a format change. */
  private readonly retired: Record<CounterKey, number> = Object.fromEntries(COUNTER_KEYS.map((k) => [k, 0])) as Record<CounterKey, number>;
  private packetEvents = 0;
  private packetSink: (batch: EventBatch) => void = () => {};
  private readonly countingSink = (batch: EventBatch): void => {
    this.packetEvents += batch.length;
    this.packetSink(batch);
  };

  /** Packets whose encoding or geometry differed from the packet before (first packet not counted). */
  formatChanges = 0;
  /** Packets whose decoded event count differed from the header's eventCount. */
  eventCountMismatches = 0;
  /** Packets whose payload held words that yielded no event (see `decodeCounters` for which). */
  badPayloadPackets = 0;

  constructor(private readonly batchCapacity = 65536) {}

  /** Geometry of the last decoded packet. */
  get geometry(): SensorGeometry | undefined {
    return this.currentGeometry;
  }

  /** Totals over every decoder this stream has used. */
  get decodeCounters(): DecodeCounters {
    const live = this.decoder?.counters;
    const out = {} as Record<CounterKey, number>;
    for (const k of COUNTER_KEYS) out[k] = this.retired[k] + (live ? live[k] : 0);
    return out;
  }

  /** Decodes one packet's payload, handing batches (valid only during the call) to `onBatch`. */
  decode(header: PacketHeader, payload: Uint8Array, onBatch: (batch: EventBatch) => void): PacketDecodeOutcome {
    const formatChanged = this.selectDecoder(header);
    const decoder = this.decoder!;
    const c = decoder.counters;
    const before = c.invalidWords + c.droppedOutOfGeometry + c.droppedNoTimeBase + c.trailingBytes;
    const invalid0 = c.invalidWords;
    const outside0 = c.droppedOutOfGeometry;
    const noBase0 = c.droppedNoTimeBase;
    const trailing0 = c.trailingBytes;
    this.packetEvents = 0;
    this.packetSink = onBatch;
    try {
      decoder.reset(header.firstTUs);
      decoder.decode(payload, this.countingSink);
      decoder.end(this.countingSink);
    } finally {
      this.packetSink = () => {};
    }
    let problem: string | undefined;
    if (c.invalidWords + c.droppedOutOfGeometry + c.droppedNoTimeBase + c.trailingBytes !== before) {
      this.badPayloadPackets++;
      problem =
        `payload of packet ${header.sequence}: ${c.invalidWords - invalid0} invalid words, ` +
        `${c.droppedOutOfGeometry - outside0} events outside ${header.geometry.widthPx}x${header.geometry.heightPx}, ` +
        `${c.droppedNoTimeBase - noBase0} events before a time base, ${c.trailingBytes - trailing0} trailing bytes`;
    }
    if (this.packetEvents !== header.eventCount) {
      this.eventCountMismatches++;
      const mismatch = `packet ${header.sequence}: header says ${header.eventCount} events, payload held ${this.packetEvents}`;
      problem = problem === undefined ? mismatch : `${problem}; ${mismatch}`;
    }
    return { events: this.packetEvents, formatChanged, problem };
  }

  private selectDecoder(header: PacketHeader): boolean {
    const g = header.geometry;
    const same =
      this.decoder !== undefined &&
      this.currentEncoding === header.encoding &&
      this.currentGeometry!.widthPx === g.widthPx &&
      this.currentGeometry!.heightPx === g.heightPx;
    if (same) return false;
    const changed = this.decoder !== undefined;
    if (this.decoder) {
      for (const k of COUNTER_KEYS) this.retired[k] += this.decoder.counters[k];
      this.formatChanges++;
    }
    this.decoder = createDecoder(header.encoding, g, { batchCapacity: this.batchCapacity });
    this.currentEncoding = header.encoding;
    this.currentGeometry = { widthPx: g.widthPx, heightPx: g.heightPx };
    return changed;
  }
}
