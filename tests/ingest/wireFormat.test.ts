import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EventBatch } from '../../src/contracts/eventBatch.js';
import { EventBuffer } from '../../src/formats/evt/index.js';
import { PacketStreamDecoder } from '../../src/ingest/zmq/packetDecoder.js';
import {
  decodePacket,
  encodePacket,
  PACKET_REJECT_REASONS,
  PacketWriter,
  sensorSubscriptionPrefix,
  type PacketFields,
  type PacketRejectReason,
} from '../../src/ingest/zmq/index.js';
import { expectSameEvents, randomStream } from '../helpers/events.js';

const GEOM = { widthPx: 640, heightPx: 480 };
const FIELDS: PacketFields = {
  sensorId: 7,
  encoding: 'evt3',
  geometry: GEOM,
  streamId: 0x1234abcd,
  eventCount: 0,
  sequence: 5,
  firstTUs: 1_000_000,
  lastTUs: 1_000_003,
};

function decodeAllPackets(packets: readonly Uint8Array[]): EventBatch {
  const out = new EventBuffer();
  const dec = new PacketStreamDecoder();
  for (const bytes of packets) {
    const r = decodePacket(bytes);
    if (!r.ok) throw new Error(`${r.reason}: ${r.detail}`);
    dec.decode(r.header, r.payload, (b) => out.append(b));
  }
  return out.toBatch();
}

/** A valid packet, then a patch applied to its bytes. */
function patched(patch: (bytes: Uint8Array, view: DataView) => void, payload = new Uint8Array(4)): Uint8Array {
  const bytes = encodePacket(FIELDS, payload);
  patch(bytes, new DataView(bytes.buffer));
  return bytes;
}

describe('EVPK wire format', () => {
  it('round-trips every header field, u64 values above 2^32 included', () => {
    const fields: PacketFields = { ...FIELDS, encoding: 'evt2', sequence: 2 ** 40 + 3, firstTUs: 2 ** 45 + 1, lastTUs: 2 ** 45 + 99, eventCount: 12, sensorId: 0xffffffff };
    const payload = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const r = decodePacket(encodePacket(fields, payload));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.header).toEqual({ ...fields, version: 1, headerBytes: 56, payloadBytes: 8, flags: 0 });
    expect(Array.from(r.payload)).toEqual(Array.from(payload));
  });

  it.each(['evt2', 'evt3'] as const)('a %s stream cut into self-contained packets decodes to the same events', (encoding) => {
    // 200k events with gaps long enough to wrap the EVT 3.0 counter several times
    const events = randomStream(200_000, 11, GEOM.widthPx, GEOM.heightPx, 123_456_789);
    const writer = new PacketWriter({ sensorId: 1, geometry: GEOM, encoding, streamId: 9, maxEventsPerPacket: 3000 });
    const packets = writer.write(events);
    expect(packets.length).toBe(Math.ceil(200_000 / 3000));
    expect(expectSameEvents(decodeAllPackets(packets), events)).toBeUndefined();
    // any packet decodes alone (a subscriber that lost the ones before it)
    const alone = decodeAllPackets([packets[17]!]);
    expect(alone.length).toBe(3000);
    expect(alone.tUs[0]).toBe(events.tUs[17 * 3000]);
    expect(alone.x[2999]).toBe(events.x[18 * 3000 - 1]);
  });

  it('matches the worked example in WIRE_FORMAT.md byte for byte', () => {
    const doc = readFileSync(new URL('../../src/ingest/zmq/WIRE_FORMAT.md', import.meta.url), 'utf8');
    const dump = doc.slice(doc.indexOf('The whole message'));
    const hex = [...dump.matchAll(/^[0-9a-f]{4} {2}((?:[0-9a-f]{2} ?)+)/gm)].flatMap((m) => m[1]!.trim().split(' '));
    const fromDoc = Uint8Array.from(hex, (h) => Number.parseInt(h, 16));
    const writer = new PacketWriter({ sensorId: 7, geometry: GEOM, encoding: 'evt3', streamId: 0x1234abcd });
    for (let i = 0; i < 5; i++) writer.heartbeat(999_000);
    const [packet] = writer.write({
      length: 3,
      x: new Uint16Array([10, 11, 300]),
      y: new Uint16Array([20, 20, 21]),
      p: new Uint8Array([1, 1, 0]),
      tUs: new Float64Array([1_000_000, 1_000_000, 1_000_003]),
    });
    expect(Array.from(fromDoc)).toEqual(Array.from(packet!));
    const ev = decodeAllPackets([fromDoc]);
    expect(Array.from(ev.x)).toEqual([10, 11, 300]);
    expect(Array.from(ev.tUs)).toEqual([1_000_000, 1_000_000, 1_000_003]);
  });

  it('heartbeats carry time and a sequence number but no payload', () => {
    const writer = new PacketWriter({ sensorId: 2, geometry: GEOM, streamId: 1 });
    writer.write(randomStream(10, 1, 640, 480));
    const r = decodePacket(writer.heartbeat(5_000_000));
    expect(r.ok && r.header).toMatchObject({ sequence: 1, eventCount: 0, payloadBytes: 0, firstTUs: 5_000_000, lastTUs: 5_000_000 });
  });

  it('the subscription prefix is the first 8 bytes of every packet of that sensor', () => {
    const bytes = encodePacket({ ...FIELDS, sensorId: 0x01020304 }, new Uint8Array(0));
    expect(Array.from(sensorSubscriptionPrefix(0x01020304))).toEqual(Array.from(bytes.subarray(0, 8)));
  });

  const cases: [PacketRejectReason, () => Uint8Array, RegExp][] = [
    ['empty', () => new Uint8Array(0), /zero-length/],
    ['oversized', () => new Uint8Array(2000), /2000 bytes, limit 1000/],
    ['bad-magic', () => new TextEncoder().encode('hello world, not a packet at all, really not, no no no no no'), /68 65 6c 6c/],
    ['bad-magic', () => new Uint8Array([0x45, 0x56, 0x00]), /expected 45 56 50 4b/],
    ['unsupported-version', () => patched((b) => (b[8] = 2)), /version 2/],
    ['too-short', () => encodePacket(FIELDS, new Uint8Array(0)).subarray(0, 40), /40 bytes/],
    ['too-short', () => new Uint8Array([0x45, 0x56, 0x50, 0x4b]), /4 bytes/],
    ['bad-header-length', () => patched((_b, v) => v.setUint16(10, 12, true)), /headerBytes 12/],
    ['bad-header-length', () => patched((_b, v) => v.setUint16(10, 900, true)), /headerBytes 900/],
    ['unknown-encoding', () => patched((b) => (b[9] = 4)), /code 4/],
    ['bad-geometry', () => patched((_b, v) => v.setUint16(12, 0, true)), /0x480/],
    ['bad-geometry', () => patched((_b, v) => v.setUint16(14, 4000, true)), /640x4000/],
    ['bad-sequence', () => patched((_b, v) => v.setUint32(28, 0xffffffff, true)), /2\^53/],
    ['bad-time', () => patched((_b, v) => v.setUint32(44, 0x00400000, true)), /2\^53/],
    ['bad-time', () => patched((_b, v) => v.setUint32(40, 5, true)), /lastTUs 5 < firstTUs 1000000/],
    ['length-mismatch', () => patched((_b, v) => v.setUint32(48, 8, true)), /56 \+ 8 bytes, message has 60/],
    ['length-mismatch', () => encodePacket(FIELDS, new Uint8Array(8)).subarray(0, 62), /message has 62/],
    [
      'misaligned-payload',
      () => {
        const b = encodePacket(FIELDS, new Uint8Array(4)).slice(0, 59);
        new DataView(b.buffer).setUint32(48, 3, true);
        return b;
      },
      /3 payload bytes/,
    ],
  ];

  it.each(cases)('rejects %s (%#)', (reason, make, detail) => {
    const r = decodePacket(make(), { maxPacketBytes: 1000 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe(reason);
    expect(r.detail).toMatch(detail);
  });

  it('has a rejection test for every reason', () => {
    expect(new Set(cases.map((c) => c[0]))).toEqual(new Set(PACKET_REJECT_REASONS));
  });

  it('never throws on random bytes, and random corruption of a valid packet is rejected or still decodable', () => {
    let seed = 1;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const good = new PacketWriter({ sensorId: 3, geometry: GEOM, streamId: 4 }).write(randomStream(500, 3, 640, 480))[0]!;
    const dec = new PacketStreamDecoder();
    for (let i = 0; i < 2000; i++) {
      const bytes = i % 2 === 0 ? Uint8Array.from({ length: Math.floor(rnd() * 200) }, () => Math.floor(rnd() * 256)) : good.slice();
      if (i % 2 === 1) for (let k = 0; k < 3; k++) bytes[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256);
      const r = decodePacket(bytes);
      if (r.ok) expect(() => dec.decode(r.header, r.payload, () => {})).not.toThrow();
    }
  });

  it('encodePacket refuses fields a writer must never produce', () => {
    expect(() => encodePacket({ ...FIELDS, geometry: { widthPx: 0, heightPx: 10 } }, new Uint8Array(0))).toThrow(RangeError);
    expect(() => encodePacket({ ...FIELDS, sequence: -1 }, new Uint8Array(0))).toThrow(RangeError);
    expect(() => encodePacket({ ...FIELDS, lastTUs: 0 }, new Uint8Array(0))).toThrow(RangeError);
    expect(() => encodePacket(FIELDS, new Uint8Array(3))).toThrow(RangeError);
  });
});
