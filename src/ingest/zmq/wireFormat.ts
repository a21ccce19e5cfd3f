/**
 * The evpilot live event packet ("EVPK", version 1): the bytes a camera-driver process (or the
 * simulator, or `evpilot replay`) puts in one ZeroMQ message. Pure code: no sockets, no clocks.
 * The normative description, with a worked hex example, is WIRE_FORMAT.md next to this file.
 *
 * Layout (little-endian, 56-byte header, then `payloadBytes` of raw EVT words):
 *
 * | off | size | field                                                               |
 * | 0   | 4    | magic "EVPK" (45 56 50 4B)                                          |
 * | 4   | 4    | sensorId u32                                                        |
 * | 8   | 1    | version u8 = 1                                                      |
 * | 9   | 1    | encoding u8: 2 = EVT 2.0, 3 = EVT 3.0                               |
 * | 10  | 2    | headerBytes u16 (56 in this revision; payload starts here)          |
 * | 12  | 2    | widthPx u16 (1..2048)                                               |
 * | 14  | 2    | heightPx u16 (1..2048)                                              |
 * | 16  | 4    | streamId u32 (chosen at random each time a publisher starts)        |
 * | 20  | 4    | eventCount u32 (CD events in the payload)                           |
 * | 24  | 8    | sequence u64 (0, 1, 2, … within a stream; < 2^53)                   |
 * | 32  | 8    | firstTUs u64 (absolute sensor time of the first event, µs; < 2^53)  |
 * | 40  | 8    | lastTUs u64 (sensor time of the last event, µs; ≥ firstTUs)         |
 * | 48  | 4    | payloadBytes u32                                                    |
 * | 52  | 4    | flags u32 (reserved: writers write 0, readers ignore)               |
 *
 * Magic and sensorId come first so that a subscriber filters one sensor with the 8-byte ZeroMQ
 * subscription prefix `EVPK` + sensorId (see `sensorSubscriptionPrefix`). Every payload is
 * self-contained (starts with a full time and row state), so a subscriber that lost packets decodes
 * the next one at once.
 */
import type { EventEncoding } from '../../contracts/eventEncoding.js';
import type { SensorGeometry } from '../../contracts/sensorGeometry.js';

export const PACKET_MAGIC = new Uint8Array([0x45, 0x56, 0x50, 0x4b]); // "EVPK"
export const PACKET_VERSION = 1;
/** Header size written by this revision; readers accept larger values (fields appended later). */
export const PACKET_HEADER_BYTES = 56;
/** Largest headerBytes a reader accepts: bounds what a corrupt header can make it skip. */
export const MAX_HEADER_BYTES = 1024;
/** EVT addresses are 11 bits wide, so no sensor is larger than this in either direction. */
export const MAX_GEOMETRY_PX = 2048;
/** Default limit on a whole packet (header + payload), bytes. A 65 536-event EVT 3.0 packet needs ≤ 512 KiB. */
export const DEFAULT_MAX_PACKET_BYTES = 1 << 20;

const ENCODING_CODE: Readonly<Record<EventEncoding, number>> = { evt2: 2, evt3: 3 };
/** Bytes per EVT word: payloads are whole words. */
export const WORD_BYTES: Readonly<Record<EventEncoding, number>> = { evt2: 4, evt3: 2 };
const TWO_32 = 2 ** 32;
const TWO_53 = 2 ** 53;

/** A decoded header. Times in µs of sensor time; sizes in bytes. */
export interface PacketHeader {
  readonly sensorId: number;
  readonly version: number;
  readonly encoding: EventEncoding;
  readonly headerBytes: number;
  readonly geometry: SensorGeometry;
  readonly streamId: number;
  /** CD events the writer put in the payload (advisory: the decoder's count is the truth). */
  readonly eventCount: number;
  readonly sequence: number;
  readonly firstTUs: number;
  readonly lastTUs: number;
  readonly payloadBytes: number;
  readonly flags: number;
}

/** What a writer supplies; version, headerBytes and payloadBytes are filled in by `encodePacket`. */
export interface PacketFields {
  readonly sensorId: number;
  readonly encoding: EventEncoding;
  readonly geometry: SensorGeometry;
  readonly streamId: number;
  readonly eventCount: number;
  readonly sequence: number;
  readonly firstTUs: number;
  readonly lastTUs: number;
}

/** Why a message was rejected. Each is counted separately by the source. */
export type PacketRejectReason =
  | 'empty' // zero-length message
  | 'oversized' // message longer than the reader's limit
  | 'bad-magic' // does not start with "EVPK"
  | 'unsupported-version'
  | 'too-short' // shorter than the 56-byte header
  | 'bad-header-length' // headerBytes < 56, > 1024 or beyond the message
  | 'unknown-encoding'
  | 'bad-geometry' // width or height 0 or above 2048
  | 'bad-sequence' // sequence ≥ 2^53
  | 'bad-time' // a time ≥ 2^53 µs, or lastTUs < firstTUs
  | 'length-mismatch' // headerBytes + payloadBytes ≠ message length
  | 'misaligned-payload'; // payload is not a whole number of EVT words

export const PACKET_REJECT_REASONS: readonly PacketRejectReason[] = [
  'empty',
  'oversized',
  'bad-magic',
  'unsupported-version',
  'too-short',
  'bad-header-length',
  'unknown-encoding',
  'bad-geometry',
  'bad-sequence',
  'bad-time',
  'length-mismatch',
  'misaligned-payload',
];

export type DecodedPacket =
  | { readonly ok: true; readonly header: PacketHeader; /** View into the message bytes (no copy). */ readonly payload: Uint8Array }
  | { readonly ok: false; readonly reason: PacketRejectReason; /** Human-readable: what was wrong. */ readonly detail: string };

export interface DecodePacketOptions {
  /** Longest accepted message, header included, in bytes. Default `DEFAULT_MAX_PACKET_BYTES` (1 MiB). */
  readonly maxPacketBytes?: number;
}

/** Builds one packet: header followed by a copy of `payload`. Throws RangeError on fields a writer must never produce. */
export function encodePacket(fields: PacketFields, payload: Uint8Array): Uint8Array {
  const { geometry } = fields;
  checkU32('sensorId', fields.sensorId);
  checkU32('streamId', fields.streamId);
  checkU32('eventCount', fields.eventCount);
  checkSafe('sequence', fields.sequence);
  checkSafe('firstTUs', fields.firstTUs);
  checkSafe('lastTUs', fields.lastTUs);
  if (fields.lastTUs < fields.firstTUs) throw new RangeError(`lastTUs ${fields.lastTUs} < firstTUs ${fields.firstTUs}`);
  if (!validSide(geometry.widthPx) || !validSide(geometry.heightPx)) {
    throw new RangeError(`geometry ${geometry.widthPx}x${geometry.heightPx} outside 1..${MAX_GEOMETRY_PX}`);
  }
  if (payload.length % WORD_BYTES[fields.encoding] !== 0) {
    throw new RangeError(`payload of ${payload.length} bytes is not a whole number of ${fields.encoding} words`);
  }
  const out = new Uint8Array(PACKET_HEADER_BYTES + payload.length);
  const v = new DataView(out.buffer);
  out.set(PACKET_MAGIC, 0);
  v.setUint32(4, fields.sensorId, true);
  v.setUint8(8, PACKET_VERSION);
  v.setUint8(9, ENCODING_CODE[fields.encoding]);
  v.setUint16(10, PACKET_HEADER_BYTES, true);
  v.setUint16(12, geometry.widthPx, true);
  v.setUint16(14, geometry.heightPx, true);
  v.setUint32(16, fields.streamId, true);
  v.setUint32(20, fields.eventCount, true);
  setU64(v, 24, fields.sequence);
  setU64(v, 32, fields.firstTUs);
  setU64(v, 40, fields.lastTUs);
  v.setUint32(48, payload.length, true);
  v.setUint32(52, 0, true);
  out.set(payload, PACKET_HEADER_BYTES);
  return out;
}

/**
 * Checks and parses one message. Never throws: anything wrong comes back as `{ ok: false, reason,
 * detail }`. Checks run cheapest and most telling first (size before content), so a huge message is
 * reported as oversized rather than as whatever garbage it holds.
 */
export function decodePacket(bytes: Uint8Array, options: DecodePacketOptions = {}): DecodedPacket {
  const maxBytes = options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
  const n = bytes.length;
  if (n === 0) return reject('empty', 'zero-length message');
  if (n > maxBytes) return reject('oversized', `${n} bytes, limit ${maxBytes}`);
  for (let i = 0; i < PACKET_MAGIC.length && i < n; i++) {
    if (bytes[i] !== PACKET_MAGIC[i]) return reject('bad-magic', `starts with ${hexPrefix(bytes)}, expected 45 56 50 4b ("EVPK")`);
  }
  if (n > 8 && bytes[8] !== PACKET_VERSION) return reject('unsupported-version', `version ${bytes[8]}, this reader knows ${PACKET_VERSION}`);
  if (n < PACKET_HEADER_BYTES) return reject('too-short', `${n} bytes, the header alone is ${PACKET_HEADER_BYTES}`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, n);
  const headerBytes = v.getUint16(10, true);
  if (headerBytes < PACKET_HEADER_BYTES || headerBytes > MAX_HEADER_BYTES || headerBytes > n) {
    return reject('bad-header-length', `headerBytes ${headerBytes} (must be ${PACKET_HEADER_BYTES}..${MAX_HEADER_BYTES} and ≤ message length ${n})`);
  }
  const code = v.getUint8(9);
  const encoding: EventEncoding | undefined = code === 2 ? 'evt2' : code === 3 ? 'evt3' : undefined;
  if (encoding === undefined) return reject('unknown-encoding', `encoding code ${code} (2 = EVT 2.0, 3 = EVT 3.0)`);
  const widthPx = v.getUint16(12, true);
  const heightPx = v.getUint16(14, true);
  if (!validSide(widthPx) || !validSide(heightPx)) return reject('bad-geometry', `geometry ${widthPx}x${heightPx} outside 1..${MAX_GEOMETRY_PX}`);
  const sequence = getU64(v, 24);
  if (sequence === undefined) return reject('bad-sequence', 'sequence ≥ 2^53');
  const firstTUs = getU64(v, 32);
  const lastTUs = getU64(v, 40);
  if (firstTUs === undefined || lastTUs === undefined) return reject('bad-time', 'firstTUs or lastTUs ≥ 2^53 µs');
  if (lastTUs < firstTUs) return reject('bad-time', `lastTUs ${lastTUs} < firstTUs ${firstTUs}`);
  const payloadBytes = v.getUint32(48, true);
  if (headerBytes + payloadBytes !== n) {
    return reject('length-mismatch', `header says ${headerBytes} + ${payloadBytes} bytes, message has ${n}`);
  }
  if (payloadBytes % WORD_BYTES[encoding] !== 0) {
    return reject('misaligned-payload', `${payloadBytes} payload bytes is not a whole number of ${WORD_BYTES[encoding]}-byte ${encoding} words`);
  }
  const header: PacketHeader = {
    sensorId: v.getUint32(4, true),
    version: PACKET_VERSION,
    encoding,
    headerBytes,
    geometry: { widthPx, heightPx },
    streamId: v.getUint32(16, true),
    eventCount: v.getUint32(20, true),
    sequence,
    firstTUs,
    lastTUs,
    payloadBytes,
    flags: v.getUint32(52, true),
  };
  return { ok: true, header, payload: bytes.subarray(headerBytes) };
}

/** The 8-byte ZeroMQ subscription prefix that selects one sensor's packets ("EVPK" + sensorId LE). */
export function sensorSubscriptionPrefix(sensorId: number): Uint8Array {
  checkU32('sensorId', sensorId);
  const out = new Uint8Array(8);
  out.set(PACKET_MAGIC, 0);
  new DataView(out.buffer).setUint32(4, sensorId, true);
  return out;
}

function reject(reason: PacketRejectReason, detail: string): DecodedPacket {
  return { ok: false, reason, detail };
}

function validSide(px: number): boolean {
  return Number.isInteger(px) && px >= 1 && px <= MAX_GEOMETRY_PX;
}

function checkU32(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= TWO_32) throw new RangeError(`${name} ${value} is not a u32`);
}

function checkSafe(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= TWO_53) throw new RangeError(`${name} ${value} is not an integer in 0..2^53`);
}

/** Two u32 halves: no BigInt allocation per packet. */
function setU64(v: DataView, offset: number, value: number): void {
  v.setUint32(offset, value % TWO_32, true);
  v.setUint32(offset + 4, Math.floor(value / TWO_32), true);
}

/** The value, or undefined when it does not fit a double exactly (≥ 2^53). */
function getU64(v: DataView, offset: number): number | undefined {
  const hi = v.getUint32(offset + 4, true);
  if (hi >= 2 ** 21) return undefined;
  return hi * TWO_32 + v.getUint32(offset, true);
}

function hexPrefix(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ') + (bytes.length > 8 ? ' …' : '');
}
