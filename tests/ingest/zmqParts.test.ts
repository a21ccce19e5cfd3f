import { describe, expect, it } from 'vitest';
import { checkEndpoint, decodePacket, encodePacket, PacketWriter } from '../../src/ingest/zmq/index.js';
import { PacketStreamDecoder } from '../../src/ingest/zmq/packetDecoder.js';
import { DropOldestQueue } from '../../src/ingest/zmq/packetQueue.js';
import { SequenceTracker } from '../../src/ingest/zmq/sequenceTracker.js';
import { randomStream } from '../helpers/events.js';

describe('SequenceTracker', () => {
  it('counts gaps and lost packets, restarts separately, and a late join as nothing', () => {
    const t = new SequenceTracker();
    expect(t.observe(1, 40)).toBe('first'); // joined late: not a loss
    expect(t.observe(1, 41)).toBe('next');
    expect(t.observe(1, 45)).toBe('gap');
    expect(t.lastGap).toBe(3);
    expect(t.observe(1, 46)).toBe('next');
    expect(t.observe(2, 0)).toBe('restart'); // new stream id
    expect(t.observe(2, 1)).toBe('next');
    expect(t.observe(2, 0)).toBe('restart'); // same id, went back to 0
    expect(t.observe(2, 1)).toBe('next');
    expect(t.observe(3, 500)).toBe('restart'); // new id, high number: still not a gap
    expect(t.observe(3, 510)).toBe('gap');
    expect([t.gaps, t.packetsLost, t.restarts]).toEqual([2, 3 + 9, 3]);
  });
});

describe('DropOldestQueue', () => {
  it('drops the oldest entries when full, by count and by bytes, and counts them', () => {
    const q = new DropOldestQueue<number>(3, 100);
    const dropped: number[] = [];
    for (let i = 0; i < 5; i++) q.push(i, 10, (d) => dropped.push(d));
    expect(dropped).toEqual([0, 1]);
    expect([q.length, q.bytes, q.dropped, q.droppedBytes, q.highWater]).toEqual([3, 30, 2, 20, 3]);
    q.push(5, 80, (d) => dropped.push(d)); // 30 + 80 > 100: dropping 2 is enough (20 + 80 = 100)
    expect(dropped).toEqual([0, 1, 2]);
    expect([q.shift(), q.shift(), q.shift(), q.shift()]).toEqual([3, 4, 5, undefined]);
    q.push(6, 500); // larger than the byte bound alone: still held, the newest always gets through
    expect([q.length, q.bytes]).toEqual([1, 500]);
    q.clear();
    expect([q.length, q.bytes]).toEqual([0, 0]);
    expect(() => new DropOldestQueue(0)).toThrow(RangeError);
  });
});

describe('checkEndpoint', () => {
  it('accepts usable endpoints and explains bad ones', () => {
    expect(checkEndpoint('tcp://127.0.0.1:5555', 'connect')).toBeUndefined();
    expect(checkEndpoint('tcp://*:5555', 'bind')).toBeUndefined();
    expect(checkEndpoint('tcp://127.0.0.1:*', 'bind')).toBeUndefined();
    expect(checkEndpoint('tcp://[::1]:5555', 'connect')).toBeUndefined();
    expect(checkEndpoint('ipc:///tmp/x', 'connect')).toBeUndefined();
    expect(checkEndpoint('inproc://a', 'bind')).toBeUndefined();
    expect(checkEndpoint('localhost:5555', 'connect')).toMatch(/not a ZeroMQ endpoint/);
    expect(checkEndpoint('tcp://127.0.0.1', 'connect')).toMatch(/not a ZeroMQ endpoint/);
    expect(checkEndpoint('tcp://127.0.0.1:99999', 'connect')).toMatch(/not 1\.\.65535/);
    expect(checkEndpoint('tcp://127.0.0.1:*', 'connect')).toMatch(/definite port/);
    expect(checkEndpoint('tcp://*:5555', 'connect')).toMatch(/cannot connect to "\*"/);
    expect(checkEndpoint('ipc://', 'bind')).toMatch(/needs a path/);
  });
});

describe('PacketStreamDecoder', () => {
  it('makes a new decoder when geometry changes and keeps totals across decoders', () => {
    const dec = new PacketStreamDecoder();
    const small = { widthPx: 64, heightPx: 48 };
    const big = { widthPx: 640, heightPx: 480 };
    const a = new PacketWriter({ sensorId: 1, geometry: small, streamId: 1 }).write(randomStream(100, 1, 64, 48))[0]!;
    const b = new PacketWriter({ sensorId: 1, geometry: big, streamId: 1, encoding: 'evt2' }).write(randomStream(100, 2, 640, 480))[0]!;
    let n = 0;
    for (const bytes of [a, b, b]) {
      const r = decodePacket(bytes);
      if (!r.ok) throw new Error(r.detail);
      const out = dec.decode(r.header, r.payload, (batch) => (n += batch.length));
      expect(out.problem).toBeUndefined();
    }
    expect(n).toBe(300);
    expect(dec.formatChanges).toBe(1);
    expect(dec.geometry).toEqual(big);
    expect(dec.decodeCounters.events).toBe(300);
  });

  it('reports payloads with bad words and event counts that disagree with the header', () => {
    const dec = new PacketStreamDecoder();
    // EVT 3.0 words: an ADDR_X before any time base, TIME_HIGH, TIME_LOW, ADDR_Y, ADDR_X 700 (outside 640), ADDR_X 5
    const payload = new Uint8Array(new Uint16Array([0x2001, 0x8001, 0x6000, 0x0001, 0x2000 | 700, 0x2005]).buffer);
    const bytes = encodePacket(
      { sensorId: 1, encoding: 'evt3', geometry: { widthPx: 640, heightPx: 480 }, streamId: 1, eventCount: 3, sequence: 9, firstTUs: 4096, lastTUs: 4096 },
      payload,
    );
    const r = decodePacket(bytes);
    if (!r.ok) throw new Error(r.detail);
    const out = dec.decode(r.header, r.payload, () => {});
    expect(out.events).toBe(1);
    expect(out.problem).toMatch(/packet 9: 0 invalid words, 1 events outside 640x480, 1 events before a time base/);
    expect(out.problem).toMatch(/header says 3 events, payload held 1/);
    expect([dec.badPayloadPackets, dec.eventCountMismatches]).toEqual([1, 1]);
  });
});
