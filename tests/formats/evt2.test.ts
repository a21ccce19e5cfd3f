import { describe, expect, it } from 'vitest';
import { Evt2Decoder, Evt2Encoder } from '../../src/formats/evt/index.js';
import { decodeInChunks, words32 } from '../helpers/decodeAll.js';
import { expectSameEvents, randomStream } from '../helpers/events.js';
import { mulberry32 } from '../helpers/random.js';

const GEOM = { widthPx: 640, heightPx: 480 };
/** Word builders from the EVT 2.0 specification (type in bits 31..28). */
const TIME_HIGH = (v: number) => (0x80000000 | v) >>> 0;
const CD = (on: number, tLow: number, x: number, y: number) => ((on << 28) | (tLow << 22) | (x << 11) | y) >>> 0;

describe('EVT 2.0 decoder', () => {
  it('decodes hand-made words (bytes written out little-endian)', () => {
    // TIME_HIGH 3 → 0x80000003; CD_ON t=5 x=20 y=10 → 0x1000_0000 | 5<<22 | 20<<11 | 10 = 0x1140A00A
    const bytes = new Uint8Array([0x03, 0x00, 0x00, 0x80, 0x0a, 0xa0, 0x40, 0x11]);
    const d = new Evt2Decoder(GEOM);
    const ev = decodeInChunks(d, bytes);
    expect([ev.x[0], ev.y[0], ev.p[0], ev.tUs[0]]).toEqual([20, 10, 1, 3 * 64 + 5]);
  });

  it('drops events before the first TIME_HIGH and counts them', () => {
    const d = new Evt2Decoder(GEOM);
    const ev = decodeInChunks(d, words32(CD(1, 0, 1, 1), TIME_HIGH(1), CD(0, 2, 3, 4)));
    expect(ev.length).toBe(1);
    expect(d.counters.droppedNoTimeBase).toBe(1);
    expect(ev.tUs[0]).toBe(66);
  });

  it('unwraps the 34-bit counter and counts triggers, others and invalid types', () => {
    const d = new Evt2Decoder(GEOM);
    const ev = decodeInChunks(
      d,
      words32(TIME_HIGH(2 ** 28 - 1), CD(1, 0, 1, 1), TIME_HIGH(0), CD(1, 1, 2, 2), 0xa0000001, 0xe0000000, 0xf0000000, 0x20000000, 0x50000000),
    );
    expect(Array.from(ev.tUs)).toEqual([(2 ** 28 - 1) * 64, 2 ** 34 + 1]);
    expect(d.counters.timeWraps).toBe(1);
    expect(d.counters.triggers).toBe(1);
    expect(d.counters.otherWords).toBe(2);
    expect(d.counters.invalidWords).toBe(2);
  });

  it('counts events outside the geometry', () => {
    const d = new Evt2Decoder({ widthPx: 10, heightPx: 10 });
    const ev = decodeInChunks(d, words32(TIME_HIGH(0), CD(1, 0, 9, 9), CD(1, 0, 10, 0), CD(0, 0, 0, 10)));
    expect(ev.length).toBe(1);
    expect(d.counters.droppedOutOfGeometry).toBe(2);
  });

  it('carries partial words over chunk ends and counts trailing bytes', () => {
    const bytes = new Uint8Array([...words32(TIME_HIGH(1), CD(1, 1, 2, 3), CD(0, 2, 4, 5)), 0x01, 0x02]);
    const d = new Evt2Decoder(GEOM);
    const ev = decodeInChunks(d, bytes, [1, 2, 3, 5, 9, 10]);
    expect(Array.from(ev.x)).toEqual([2, 4]);
    expect(d.counters.trailingBytes).toBe(2);
  });

  it('follows Metavision time shifting when asked', () => {
    const d = new Evt2Decoder(GEOM, { timeShift: 'prophesee' });
    const ev = decodeInChunks(d, words32(TIME_HIGH(1000), CD(1, 7, 1, 1)));
    expect(ev.tUs[0]).toBe(7);
  });
});

describe('EVT 2.0 encoder', () => {
  it('writes the words of the specification', () => {
    const out = new Evt2Encoder().encode({ length: 1, x: new Uint16Array([20]), y: new Uint16Array([10]), p: new Uint8Array([1]), tUs: new Float64Array([197]) });
    expect(Array.from(out)).toEqual([0x03, 0x00, 0x00, 0x80, 0x0a, 0xa0, 0x40, 0x11]);
  });

  it('round-trips large random streams split at random points', () => {
    const rnd = mulberry32(4);
    const events = randomStream(500_000, 11, 1280, 720, 2 ** 35);
    const bytes = new Evt2Encoder().encode(events);
    const d = new Evt2Decoder({ widthPx: 1280, heightPx: 720 });
    d.reset(2 ** 35);
    const cuts = Array.from({ length: 300 }, () => Math.floor(rnd() * bytes.length));
    expect(expectSameEvents(decodeInChunks(d, bytes, cuts), events)).toBeUndefined();
    expect(d.counters.invalidWords).toBe(0);
  });
});
