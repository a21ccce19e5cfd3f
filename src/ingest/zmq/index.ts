/**
 * Live event streams over ZeroMQ: the EVPK wire format (pure), the subscriber-side EventSource and the
 * publisher used by replay and the simulator. See WIRE_FORMAT.md for the format.
 */
export {
  decodePacket,
  encodePacket,
  sensorSubscriptionPrefix,
  DEFAULT_MAX_PACKET_BYTES,
  MAX_GEOMETRY_PX,
  PACKET_HEADER_BYTES,
  PACKET_MAGIC,
  PACKET_REJECT_REASONS,
  PACKET_VERSION,
  type DecodedPacket,
  type DecodePacketOptions,
  type PacketFields,
  type PacketHeader,
  type PacketRejectReason,
} from './wireFormat.js';
export { PacketWriter, DEFAULT_MAX_EVENTS_PER_PACKET, type PacketWriterOptions } from './packetWriter.js';
export { checkEndpoint } from './endpoint.js';
export { ZmqEventSource, type ZmqEventSourceOptions } from './zmqEventSource.js';
export { ZmqEventPublisher, type ZmqEventPublisherOptions, type ZmqPublisherCounters } from './zmqEventPublisher.js';
export {
  SOURCE_REJECT_REASONS,
  type SourceProblem,
  type SourceProblemKind,
  type SourceRejectReason,
  type ZmqSourceCounters,
} from './sourceCounters.js';
