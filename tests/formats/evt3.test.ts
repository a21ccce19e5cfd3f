import { describe, expect, it } from 'vitest';
import { Evt3Decoder, Evt3Encoder, EventBuffer } from '../../src/formats/evt/index.js';
import { decodeInChunks, words16 } from '../helpers/decodeAll.js';
import { expectSameEvents, randomStream } from '../helpers/events.js';
import { mulberry32 } from '../helpers/random.js';

const GEOM = { widthPx: 640, heightPx: 480 };

/** Word builders written from the EVT 3.0 specification (type in bits 15..12). */
const TIME_HIGH = (v: number) => 0x8000 | v;
const TIME_LOW = (v: number) => 0x6000 | v;
const ADDR_Y = (y: number) => 0x0000 | y;
const ADDR_X = (x: number, p: number) => 0x2000 | (p << 11) | x;
const VECT_BASE_X = (x: number, p: number) => 0x3000 | (p << 11) | x;
const VECT_12 = (m: number) => 0x4000 | m;


/** A naive reference encoder, independent of the project's: every event gets its full state words. */
function naiveEncode(batch: { length: number; x: Uint16Array; y: Uint16Array; p: Uint8Array; tUs: Float64Array }): Uint8Array {
  const words: number[] = [];
  let lastHigh = -1;
  for (let i = 0; i < batch.length; i++) {
    const t = batch.tUs[i]!;
    const high = Math.floor(t / 4096);
    // step the high part at most 1000 at a time so the decoder can follow wraps
    if (lastHigh >= 0) for (let h = lastHigh + 1000; h < high; h += 1000) words.push(TIME_HIGH(h & 0xfff));
    words.push(TIME_HIGH(high & 0xfff), TIME_LOW(t % 4096), ADDR_Y(batch.y[i]!), ADDR_X(batch.x[i]!, batch.p[i]!));
    lastHigh = high;
  }
  return words16(...words);
}

describe('EVT 3.0 decoder', () => {
  it('decodes a hand-made word sequence from the specification', () => {
    // little-endian bytes of: TIME_HIGH 1, TIME_LOW 5, ADDR_Y 10, ADDR_X 20 ON, VECT_BASE_X 100 OFF,
    // VECT_12 0b101, VECT_8 0x80
    const bytes = new Uint8Array([0x01, 0x80, 0x05, 0x60, 0x0a, 0x00, 0x14, 0x28, 0x64, 0x30, 0x05, 0x40, 0x80, 0x50]);
    const d = new Evt3Decoder(GEOM);
    const ev = decodeInChunks(d, bytes);
    expect(Array.from(ev.x)).toEqual([20, 100, 102, 119]);
    expect(Array.from(ev.y)).toEqual([10, 10, 10, 10]);
    expect(Array.from(ev.p)).toEqual([1, 0, 0, 0]);
    expect(Array.from(ev.tUs)).toEqual([4101, 4101, 4101, 4101]);
    expect(d.counters.events).toBe(4);
    expect(d.counters.onEvents).toBe(1);
    expect(d.counters.offEvents).toBe(3);
  });

  it('drops and counts events before the first TIME_HIGH, as OpenEB does', () => {
    const d = new Evt3Decoder(GEOM);
    const ev = decodeInChunks(d, words16(ADDR_Y(3), ADDR_X(1, 1), VECT_BASE_X(0, 1), VECT_12(0xfff), TIME_HIGH(2), ADDR_X(5, 0), ADDR_Y(4), ADDR_X(6, 1)));
    // ADDR_X 5 after TIME_HIGH still has no row (the ADDR_Y before the time base was skipped)
    expect(ev.length).toBe(1);
    expect([ev.x[0], ev.y[0], ev.tUs[0]]).toEqual([6, 4, 8192]);
    expect(d.counters.droppedNoTimeBase).toBe(1 + 12 + 1);
  });

  it('unwraps the 24-bit counter when TIME_HIGH falls back by half its range or more', () => {
    const d = new Evt3Decoder(GEOM);
    const ev = decodeInChunks(d, words16(TIME_HIGH(4095), ADDR_Y(1), ADDR_X(1, 1), TIME_HIGH(0), ADDR_X(2, 1), TIME_HIGH(3), TIME_LOW(7), ADDR_X(3, 0)));
    expect(Array.from(ev.tUs)).toEqual([4095 * 4096, 2 ** 24, 2 ** 24 + 3 * 4096 + 7]);
    expect(d.counters.timeWraps).toBe(1);
  });

  it('takes a small backwards TIME_HIGH as time going back, not as a wrap', () => {
    const d = new Evt3Decoder(GEOM);
    const ev = decodeInChunks(d, words16(TIME_HIGH(100), ADDR_Y(1), ADDR_X(1, 1), TIME_HIGH(99), ADDR_X(2, 1)));
    expect(Array.from(ev.tUs)).toEqual([100 * 4096, 99 * 4096]);
    expect(d.counters.timeWraps).toBe(0);
  });

  it('resets the low part to 0 when the high part changes', () => {
    const d = new Evt3Decoder(GEOM);
    const ev = decodeInChunks(d, words16(TIME_HIGH(1), TIME_LOW(50), ADDR_Y(1), ADDR_X(1, 1), TIME_HIGH(2), ADDR_X(2, 1), TIME_HIGH(2), TIME_LOW(9), ADDR_X(3, 1)));
    expect(Array.from(ev.tUs)).toEqual([4096 + 50, 8192, 8192 + 9]);
  });

  it('counts events outside the geometry (x past the width, rows past the height) and drops them', () => {
    const d = new Evt3Decoder({ widthPx: 100, heightPx: 50 });
    const ev = decodeInChunks(
      d,
      words16(TIME_HIGH(0), ADDR_Y(10), ADDR_X(99, 1), ADDR_X(100, 1), VECT_BASE_X(95, 0), VECT_12(0b100001), ADDR_Y(50), ADDR_X(1, 1), ADDR_Y(0x800 | 3), ADDR_X(2, 0)),
    );
    expect(Array.from(ev.x)).toEqual([99, 95]);
    expect(d.counters.droppedOutOfGeometry).toBe(1 + 1 + 1 + 1);
  });

  it('counts triggers, system words and reserved word types without stopping', () => {
    const d = new Evt3Decoder(GEOM);
    const ev = decodeInChunks(d, words16(TIME_HIGH(0), 0xa001, 0xe123, 0xf456, 0x7001, 0x9000, 0xb000, 0xc000, 0xd000, ADDR_Y(1), ADDR_X(1, 1)));
    expect(ev.length).toBe(1);
    expect(d.counters.triggers).toBe(1);
    expect(d.counters.otherWords).toBe(3);
    expect(d.counters.invalidWords).toBe(4);
  });

  it('decodes a stream written by an independent naive encoder', () => {
    const events = randomStream(20_000, 7, 640, 480, 123_456);
    const d = new Evt3Decoder(GEOM);
    expect(expectSameEvents(decodeInChunks(d, naiveEncode(events)), events)).toBeUndefined();
  });

  it('counts a trailing odd byte at the end of the stream', () => {
    const d = new Evt3Decoder(GEOM);
    const bytes = new Uint8Array([...words16(TIME_HIGH(0), ADDR_Y(1), ADDR_X(1, 1)), 0x42]);
    expect(decodeInChunks(d, bytes).length).toBe(1);
    expect(d.counters.trailingBytes).toBe(1);
  });

  it('delivers at most batchCapacity events per batch and loses none', () => {
    const events = randomStream(50_000, 3, 640, 480);
    const bytes = new Evt3Encoder().encode(events);
    const d = new Evt3Decoder(GEOM, { batchCapacity: 1000 });
    let largest = 0;
    const all = new EventBuffer();
    d.decode(bytes, (b) => {
      largest = Math.max(largest, b.length);
      all.append(b);
    });
    d.end((b) => all.append(b));
    expect(largest).toBeLessThanOrEqual(1000 + 12);
    expect(expectSameEvents(all, events)).toBeUndefined();
  });

  it('follows Metavision time shifting when asked: first TIME_HIGH minus one step becomes zero', () => {
    const d = new Evt3Decoder(GEOM, { timeShift: 'prophesee' });
    const ev = decodeInChunks(d, words16(TIME_HIGH(10), TIME_LOW(3), ADDR_Y(1), ADDR_X(1, 1)));
    expect(ev.tUs[0]).toBe(4096 + 3);
  });

  it('after reset(anchor), resolves the wrapping counter to the time nearest the anchor', () => {
    const absUs = 5 * 2 ** 24 + 4095 * 4096 + 17; // just before the 6th wrap
    const enc = new Evt3Encoder();
    const bytes = enc.encode({ length: 1, x: new Uint16Array([3]), y: new Uint16Array([4]), p: new Uint8Array([1]), tUs: new Float64Array([absUs]) });
    const d = new Evt3Decoder(GEOM);
    d.reset(absUs + 5000); // header anchor slightly later, past the wrap
    expect(decodeInChunks(d, bytes).tUs[0]).toBe(absUs);
  });
});

describe('EVT 3.0 encoder', () => {
  it('packs runs of neighbouring columns into vector words', () => {
    const batch = {
      length: 5,
      x: new Uint16Array([10, 11, 13, 22, 30]),
      y: new Uint16Array([7, 7, 7, 7, 7]),
      p: new Uint8Array([1, 1, 1, 1, 1]),
      tUs: new Float64Array([4096 * 3 + 1, 4096 * 3 + 1, 4096 * 3 + 1, 4096 * 3 + 1, 4096 * 3 + 1]),
    };
    const words = Array.from(new Uint16Array(new Evt3Encoder().encode(batch).slice().buffer));
    // x 10..30 spans 21 columns: VECT_12 covers 10..21 (bits 0,1,3), VECT_12 covers 22..33 (bits 0 and 8)
    expect(words).toEqual([TIME_HIGH(3), TIME_LOW(1), ADDR_Y(7), VECT_BASE_X(10, 1), VECT_12(0b1011), VECT_12(0b100000001)]);
  });

  it('round-trips large random streams split at random points, across counter wraps', () => {
    const rnd = mulberry32(99);
    for (const seed of [1, 2, 3]) {
      const events = randomStream(400_000, seed, 1280, 720, seed * 1e9);
      const enc = new Evt3Encoder();
      // encode in several calls, as a live publisher does
      const parts: Uint8Array[] = [];
      const cutsEv = [0, 1000, 77_777, 200_001, events.length];
      for (let k = 0; k + 1 < cutsEv.length; k++) {
        const a = cutsEv[k]!;
        const b = cutsEv[k + 1]!;
        parts.push(enc.encode({ length: b - a, x: events.x.subarray(a, b), y: events.y.subarray(a, b), p: events.p.subarray(a, b), tUs: events.tUs.subarray(a, b) }));
      }
      const bytes = Buffer.concat(parts);
      const cuts = Array.from({ length: 200 }, () => Math.floor(rnd() * bytes.length));
      const d = new Evt3Decoder({ widthPx: 1280, heightPx: 720 });
      d.reset(seed * 1e9);
      const decoded = decodeInChunks(d, new Uint8Array(bytes), cuts);
      expect(expectSameEvents(decoded, events)).toBeUndefined();
      expect(d.counters.invalidWords).toBe(0);
      expect(d.counters.timeWraps).toBeGreaterThan(0);
    }
  });

  it('makes the output after reset() self-contained', () => {
    const events = randomStream(10_000, 5, 640, 480, 2 ** 30);
    const enc = new Evt3Encoder();
    enc.encode({ length: 5000, x: events.x, y: events.y, p: events.p, tUs: events.tUs });
    enc.reset();
    const second = enc.encode({ length: 5000, x: events.x.subarray(5000), y: events.y.subarray(5000), p: events.p.subarray(5000), tUs: events.tUs.subarray(5000) });
    const d = new Evt3Decoder(GEOM);
    d.reset(events.tUs[5000]);
    const decoded = decodeInChunks(d, second);
    expect(decoded.length).toBe(5000);
    expect(decoded.tUs[0]).toBe(events.tUs[5000]);
    expect(d.counters.droppedNoTimeBase).toBe(0);
  });

  it('refuses events that go back in time', () => {
    const enc = new Evt3Encoder();
    expect(() => enc.encode({ length: 2, x: new Uint16Array(2), y: new Uint16Array(2), p: new Uint8Array(2), tUs: new Float64Array([10, 9]) })).toThrow(RangeError);
  });
});
