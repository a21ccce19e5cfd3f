/**
 * The window cutter with an input filter (windows/inputEventFilter.ts), here the background-activity filter
 * the runtime wires in: each event is judged once, by the first window that contains it (the one ending at the
 * first grid point after it), and counts when at least k of its 8 neighbours fired within ±S among the events
 * that had arrived by that window's end; every window's input counts the kept events of its span. Checked
 * against a naive per-event reference (written from that definition, not from the filter's passes), for
 * back-to-back, overlapping and gapped windows; the learner's events stay unfiltered; the counter says how
 * many events the filter kept out, each once.
 */
import { describe, expect, it } from 'vitest';
import type { EventWindow } from '../../src/contracts/eventWindow.js';
import { BackgroundActivityFilter } from '../../src/learning/loss/backgroundActivityFilter.js';
import { WindowCutter } from '../../src/windows/windowCutter.js';
import { naiveNetworkPixel, rng, toBatch, type PlainEvent } from './reference.js';

const SENSOR = { widthPx: 160, heightPx: 120 };

/** A vertical edge sweeping right at 2 px/ms (supported events) plus uniform noise (mostly isolated). */
function scene(seed: number, durationUs: number): PlainEvent[] {
  const rand = rng(seed);
  const out: PlainEvent[] = [];
  for (let t = 0; t < durationUs; t += 50) {
    const x = Math.floor((t / 500) % 160);
    for (let y = 30; y < 90; y += 3) if (rand() < 0.5) out.push({ x, y: y + Math.floor(rand() * 3), p: 1, tUs: t + Math.floor(rand() * 50) });
    if (rand() < 0.6) out.push({ x: Math.floor(rand() * 160), y: Math.floor(rand() * 120), p: rand() < 0.5 ? 1 : 0, tUs: t + Math.floor(rand() * 50) });
  }
  return out.sort((a, b) => a.tUs - b.tUs);
}

/** First index of the time-sorted events at or after tUs. */
function lowerBound(events: readonly PlainEvent[], tUs: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid]!.tUs < tUs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Naive reference: is the event supported, judged when the first window containing it closes (the grid end
 * after it)? `events` is in time order; only the time range that can support it is searched, to keep it fast.
 */
function supported(events: readonly PlainEvent[], e: PlainEvent, periodUs: number, supportUs: number, minNeighbours: number): boolean {
  const judgedAtUs = (Math.floor(e.tUs / periodUs) + 1) * periodUs;
  const near = events.slice(lowerBound(events, e.tUs - supportUs), lowerBound(events, Math.min(judgedAtUs, e.tUs + supportUs + 1)));
  let neighbours = 0;
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      if (dx === 0 && dy === 0) continue;
      if (near.some((o) => o.x === e.x + dx && o.y === e.y + dy && o.tUs < judgedAtUs && Math.abs(o.tUs - e.tUs) <= supportUs)) neighbours++;
    }
  }
  return neighbours >= minNeighbours;
}

/** Naive reference: per-polarity counts of the supported events of [start, end). */
function referenceCounts(events: readonly PlainEvent[], startUs: number, endUs: number, periodUs: number, supportUs: number, minNeighbours: number): Float32Array {
  const out = new Float32Array(2 * 160 * 120);
  for (const e of events) {
    if (e.tUs < startUs || e.tUs >= endUs) continue;
    if (supported(events, e, periodUs, supportUs, minNeighbours)) out[(e.p ? 160 * 120 : 0) + e.y * 160 + e.x]! += 1;
  }
  return out;
}

describe('WindowCutter with an input filter', () => {
  it.each([
    ['back-to-back 5 ms windows at 200 Hz', 200, 5000],
    ['overlapping 12 ms windows at 200 Hz', 200, 12_000],
    ['3 ms windows at 100 Hz (gaps between them)', 100, 3000],
  ])('%s: the input counts exactly the supported events of the window', (_name, rateHz, lengthUs) => {
    const settings = { supportUs: 2000, minNeighbours: 2 };
    const cutter = new WindowCutter({ sensor: SENSOR, rateHz, lengthUs, learnerCap: 1 << 20 }, (network) => new BackgroundActivityFilter(network, settings));
    const events = scene(7, 90_000);
    const seen: { start: number; end: number; input: Float32Array; learner: number; raw: number }[] = [];
    cutter.push(toBatch(events), (w: EventWindow) =>
      seen.push({ start: w.tStartUs, end: w.tEndUs, input: w.input.data.slice(), learner: w.learnerEvents.length, raw: w.eventCount }),
    );
    expect(seen.length).toBeGreaterThan(5);
    const periodUs = 1e6 / rateHz;
    for (const w of seen) {
      const ref = referenceCounts(events, w.start, w.end, periodUs, settings.supportUs, settings.minNeighbours);
      expect(Array.from(w.input)).toEqual(Array.from(ref));
      const inWindow = events.filter((e) => e.tUs >= w.start && e.tUs < w.end).length;
      expect(w.raw).toBe(inWindow); // eventCount stays the events that arrived
      expect(w.learner).toBe(inWindow); // the learner's events are not filtered here
    }
    // Each event of any window judged once: the counter is the distinct events left out.
    const inSomeWindow = events.filter((e) => seen.some((w) => e.tUs >= w.start && e.tUs < w.end));
    const kept = inSomeWindow.filter((e) => supported(events, e, periodUs, settings.supportUs, settings.minNeighbours)).length;
    const raw = inSomeWindow.length;
    // The filter had something to do: the noise goes, most of the edge stays.
    expect(raw - kept).toBeGreaterThan(0.03 * raw); // about 6 % of the events are noise
    expect(kept).toBeGreaterThan(0.5 * raw);
    expect(cutter.counters.inputFilteredEvents).toBe(raw - kept);
  });

  it('judges neighbours on the network grid, not the sensor’s: a 640 × 480 sensor letterboxed into a 160 × 100 input', () => {
    const VGA = { widthPx: 640, heightPx: 480 };
    const NET = { widthPx: 160, heightPx: 100 }; // letterbox: scale 100 / 480, bars left and right
    const settings = { supportUs: 2000, minNeighbours: 2 };
    const cutter = new WindowCutter({ sensor: VGA, network: NET, rateHz: 200, learnerCap: 1 << 20 }, (network) => new BackgroundActivityFilter(network, settings));
    // The 160 × 120 scene scaled up 4× (each event somewhere in its 4 × 4 block): on the sensor grid almost no
    // event has a neighbour, on the network grid (≈ 0.2 network px per sensor px) the edge's events do.
    const rand = rng(3);
    const events = scene(9, 40_000).map((e) => ({ ...e, x: 4 * e.x + Math.floor(rand() * 4), y: 4 * e.y + Math.floor(rand() * 4) }));
    const m = cutter.mapping;
    const onNet = events.map((e) => ({ e, n: naiveNetworkPixel(m, NET, e.x, e.y) }));
    const seen: { start: number; end: number; input: Float32Array }[] = [];
    cutter.push(toBatch(events), (w) => seen.push({ start: w.tStartUs, end: w.tEndUs, input: w.input.data.slice() }));
    expect(seen.length).toBeGreaterThan(5);
    const plane = NET.widthPx * NET.heightPx;
    for (const w of seen) {
      const span = onNet.filter(({ e, n }) => n !== undefined && e.tUs >= w.start - settings.supportUs && e.tUs < w.end);
      const ref = new Float32Array(2 * plane);
      for (const { e, n } of span) {
        if (e.tUs < w.start) continue;
        let neighbours = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            if (dx === 0 && dy === 0) continue;
            if (span.some((o) => o.n!.xn === n!.xn + dx && o.n!.yn === n!.yn + dy && Math.abs(o.e.tUs - e.tUs) <= settings.supportUs)) neighbours++;
          }
        }
        if (neighbours >= settings.minNeighbours) ref[(e.p ? plane : 0) + n!.yn * NET.widthPx + n!.xn]! += 1;
      }
      expect(Array.from(w.input)).toEqual(Array.from(ref));
    }
  });

  it('a burst beyond the history ring: the overflow is counted, and the input counts at most a ring’s worth of the window’s events', () => {
    const settings = { supportUs: 2000, minNeighbours: 2 };
    const capacity = 256; // a 5 ms window of this scene holds about 1 100 events
    const cutter = new WindowCutter({ sensor: SENSOR, rateHz: 200, lengthUs: 12_000, ringCapacity: capacity, learnerCap: 1 << 20 }, (network) => new BackgroundActivityFilter(network, settings));
    const events = scene(11, 60_000);
    let windows = 0;
    cutter.push(toBatch(events), (w) => {
      windows++;
      expect(w.input.data.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(capacity);
      // Every counted pixel had an event of its polarity in the window.
      const plane = 160 * 120;
      for (let k = 0; k < w.input.data.length; k++) {
        if (w.input.data[k] === 0) continue;
        const x = k % 160;
        const y = Math.floor((k % plane) / 160);
        const p = k >= plane ? 1 : 0;
        expect(events.some((e) => e.x === x && e.y === y && e.p === p && e.tUs >= w.tStartUs && e.tUs < w.tEndUs)).toBe(true);
      }
    });
    expect(windows).toBeGreaterThan(5);
    expect(cutter.counters.ringOverflowDrops).toBeGreaterThan(0);
  });

  it('a time jump forgets the filter’s past: after sensor time restarts, old events do not back new ones', () => {
    const settings = { supportUs: 2000, minNeighbours: 1 };
    const cutter = new WindowCutter({ sensor: SENSOR, rateHz: 200 }, (network) => new BackgroundActivityFilter(network, settings));
    const counted: number[] = [];
    const collect = (w: EventWindow) => counted.push(w.input.data.reduce((a, b) => a + b, 0));
    // A pair of neighbours at 3 ms (both kept), then a jump 2 s ahead and back to 3.5 ms (a sensor restart).
    cutter.push(toBatch([{ x: 50, y: 50, p: 1, tUs: 3000 }, { x: 51, y: 50, p: 1, tUs: 3100 }]), collect);
    cutter.push(toBatch([{ x: 10, y: 10, p: 1, tUs: 2_000_000 }]), collect);
    cutter.push(toBatch([{ x: 52, y: 50, p: 1, tUs: 3500 }]), collect);
    cutter.advanceTo(20_000, collect);
    expect(cutter.counters.timeJumps).toBe(2);
    expect(counted[0]).toBe(2); // the pair backs each other
    // (52, 50) at 3.5 ms neighbours (51, 50) at 3.1 ms, but that was before the restart: nothing counts after it.
    expect(counted.slice(1).every((c) => c === 0)).toBe(true);
    expect(cutter.counters.inputFilteredEvents).toBe(2); // the lone events on either side of the jumps
  });

  it('without a filter counts every event (the filter is the only difference)', () => {
    const events = scene(8, 30_000);
    const plain = new WindowCutter({ sensor: SENSOR, rateHz: 200 });
    let total = 0;
    plain.push(toBatch(events), (w) => (total += w.input.data.reduce((a, b) => a + b, 0)));
    const inWindows = events.filter((e) => e.tUs < Math.floor(events.at(-1)!.tUs / 5000) * 5000).length;
    expect(total).toBe(inWindows);
    expect(plain.counters.inputFilteredEvents).toBe(0);
  });

  it('refuses a filter with a negative or non-finite lookback', () => {
    const bad = { lookbackUs: -1, judgeNext: () => new Uint8Array(0), reset: () => {} };
    expect(() => new WindowCutter({ sensor: SENSOR, rateHz: 200 }, () => bad)).toThrow(/lookbackUs/);
    expect(() => new WindowCutter({ sensor: SENSOR, rateHz: 200 }, () => ({ ...bad, lookbackUs: Number.NaN }))).toThrow(/lookbackUs/);
  });
});
