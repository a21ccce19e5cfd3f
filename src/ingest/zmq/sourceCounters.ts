import type { DecodeCounters } from '../../contracts/decodeCounters.js';
import { PACKET_REJECT_REASONS, type PacketRejectReason } from './wireFormat.js';

/** Why the source refused a message: a wire-format reason, or a message of more than one frame. */
export type SourceRejectReason = PacketRejectReason | 'multipart';

export const SOURCE_REJECT_REASONS: readonly SourceRejectReason[] = [...PACKET_REJECT_REASONS, 'multipart'];

/** Everything the source reports through `onProblem` / `lastProblem`. */
export type SourceProblemKind =
  | SourceRejectReason
  | 'other-sensor' // a valid packet from a sensor this source does not follow
  | 'sequence-gap'
  | 'stream-restart'
  | 'queue-drop'
  | 'format-change' // encoding or geometry changed mid-stream
  | 'bad-payload' // payload words that yielded no event, or an event count that disagrees with the header
  | 'consumer-error' // the consumer's onBatch threw
  | 'disconnect'
  | 'receive-error';

/** One reportable occurrence: what happened and the details a person needs to act on it. */
export interface SourceProblem {
  readonly kind: SourceProblemKind;
  readonly detail: string;
}

/**
 * What a ZeroMQ event source has seen since `start`. All counts are cumulative. Every received message
 * lands in exactly one of `rejected`, `otherSensorPackets` or `packets`; every accepted packet is then
 * either delivered (`deliveredPackets`), dropped from the queue (`queueDrops`) or still queued
 * (`queueLength`). Packets that never arrived show as `packetsLost` (from sequence numbers).
 */
export interface ZmqSourceCounters {
  /** ZeroMQ messages received, whatever they held. */
  readonly messages: number;
  /** Bytes of those messages (all frames). */
  readonly bytes: number;
  /** Valid packets of the followed sensor, accepted into the queue. */
  readonly packets: number;
  /** Accepted packets that carried no events (heartbeats). */
  readonly heartbeats: number;
  /** Packets decoded and handed to the consumer. */
  readonly deliveredPackets: number;
  /** Events handed to the consumer. */
  readonly events: number;
  /** Messages refused (sum of `rejectedByReason`). */
  readonly rejected: number;
  readonly rejectedByReason: Readonly<Record<SourceRejectReason, number>>;
  /** Valid packets of another sensor than the one followed: dropped. */
  readonly otherSensorPackets: number;
  /** Times the sequence number jumped forward within a stream. */
  readonly sequenceGaps: number;
  /** Sum of the sizes of those jumps: packets the publisher sent (or meant to) that never arrived. */
  readonly packetsLost: number;
  /** Times the publisher restarted (new stream id or a sequence number that did not move forward). */
  readonly streamRestarts: number;
  /** Packets dropped from the queue (oldest first) because the consumer fell behind. */
  readonly queueDrops: number;
  /** Events those dropped packets carried, by their headers. */
  readonly queueDroppedEvents: number;
  /** Packets waiting for the consumer now. */
  readonly queueLength: number;
  /** Most packets ever waiting at once. */
  readonly queueHighWater: number;
  /** Encoding or geometry changes mid-stream (each got a fresh decoder). */
  readonly formatChanges: number;
  /** Packets whose decoded event count differed from the header's. */
  readonly eventCountMismatches: number;
  /** Packets whose payload held words that yielded no event (details in `decode`). */
  readonly badPayloadPackets: number;
  /** Times the consumer's onBatch threw (the batch is lost; the source goes on). */
  readonly consumerErrors: number;
  /** Transport connections established (a connecting source counts each reconnection). */
  readonly connects: number;
  /**
   * Transport connections lost: the publisher went away, or it sent a message over the transport
   * limit (libzmq refuses such a message before allocating it and drops the connection; the source
   * reconnects).
   */
  readonly disconnects: number;
  /**
   * Lost connections the source re-established by hand: those libzmq gave up on (a message over the
   * transport limit). After a publisher merely went away libzmq retries by itself and this stays 0.
   */
  readonly forcedReconnects: number;
  /** Receive calls that failed (socket errors other than closing). */
  readonly receiveErrors: number;
  /** The EVT decoders' totals over every packet delivered. */
  readonly decode: DecodeCounters;
}

/** Mutable form used inside the source; snapshots are handed out. */
export class MutableSourceCounters {
  messages = 0;
  bytes = 0;
  packets = 0;
  heartbeats = 0;
  deliveredPackets = 0;
  events = 0;
  rejected = 0;
  readonly rejectedByReason: Record<SourceRejectReason, number> = Object.fromEntries(
    SOURCE_REJECT_REASONS.map((r) => [r, 0]),
  ) as Record<SourceRejectReason, number>;
  otherSensorPackets = 0;
  queueDroppedEvents = 0;
  consumerErrors = 0;
  connects = 0;
  disconnects = 0;
  forcedReconnects = 0;
  receiveErrors = 0;
}
