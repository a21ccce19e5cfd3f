import { describe, expect, it } from 'vitest';
import type { EventBatch } from '../../src/contracts/eventBatch.js';
import type { EventWindow } from '../../src/contracts/eventWindow.js';
import { WindowCutter, type WindowCutterOptions } from '../../src/windows/windowCutter.js';
import {
  maxAbsDiff,
  naiveCounts,
  naiveVoxel,
  randomEvents,
  rng,
  toBatch,
  type PlainEvent,
} from './reference.js';

const VGA = { widthPx: 640, heightPx: 480 };

/** A copy of what a consumer saw (the cutter reuses its window object and buffers). */
interface Seen {
  index: number;
  tStartUs: number;
  tEndUs: number;
  eventCount: number;
  data: Float32Array;
  learnerT: number[];
}

function collector(): { seen: Seen[]; onWindow: (w: EventWindow) => void } {
  const seen: Seen[] = [];
  return {
    seen,
    onWindow: (w) =>
      seen.push({
        index: w.index,
        tStartUs: w.tStartUs,
        tEndUs: w.tEndUs,
        eventCount: w.eventCount,
        data: w.input.data.slice(),
        learnerT: Array.from(w.learnerEvents.tUs.subarray(0, w.learnerEvents.length)),
      }),
  };
}

/** Pushes `events` in randomly sized batches (1 … maxBatch events). */
function pushInBatches(
  cutter: WindowCutter,
  events: readonly PlainEvent[],
  onWindow: (w: EventWindow) => void,
  seed: number,
  maxBatch = 3000,
): void {
  const rand = rng(seed);
  for (let i = 0; i < events.length; ) {
    const n = 1 + Math.floor(rand() * maxBatch);
    cutter.push(toBatch(events.slice(i, i + n)), onWindow);
    i += n;
  }
}

function pushTimes(cutter: WindowCutter, times: readonly number[], onWindow: (w: EventWindow) => void): void {
  cutter.push(toBatch(times.map((tUs, i) => ({ x: i % 640, y: i % 480, p: 1, tUs }))), onWindow);
}

/** The windows a correct cutter must emit for clean, sorted `events`: grid ends k·P from the first event. */
function referenceWindows(events: readonly PlainEvent[], periodUs: number, lengthUs: number, lastEndUs: number) {
  const out: { tStartUs: number; tEndUs: number; events: PlainEvent[] }[] = [];
  for (let k = Math.floor(events[0].tUs / periodUs) + 1; k * periodUs <= lastEndUs; k++) {
    const tEndUs = k * periodUs;
    const tStartUs = tEndUs - lengthUs;
    out.push({ tStartUs, tEndUs, events: events.filter((e) => e.tUs >= tStartUs && e.tUs < tEndUs) });
  }
  return out;
}

describe('WindowCutter: window contents against a naive reference', () => {
  const cases: [string, WindowCutterOptions][] = [
    ['200 Hz, 640×480 letterbox, small ring (wraps)', { sensor: VGA, rateHz: 200, ringCapacity: 8192 }],
    ['100 Hz, 346×260 crop', { sensor: { widthPx: 346, heightPx: 260 }, rateHz: 100, fit: 'crop', ringCapacity: 16384 }],
    ['200 Hz, 1280×720, overlapping 12.5 ms windows', { sensor: { widthPx: 1280, heightPx: 720 }, rateHz: 200, lengthUs: 12_500, ringCapacity: 16384 }],
    ['150 Hz (fractional period), 320×240', { sensor: { widthPx: 320, heightPx: 240 }, rateHz: 150 }],
  ];

  it.each(cases)('%s: every window equals the reference, batch boundaries do not matter', (_name, opts) => {
    const cutter = new WindowCutter({ ...opts, learnerCap: 500 });
    const { periodUs, lengthUs, network } = cutter.options;
    const events = randomEvents(60_000, opts.sensor, 1_234_567, 1_334_567, rng(11));
    const { seen, onWindow } = collector();
    pushInBatches(cutter, events, onWindow, 5);
    cutter.flush(onWindow);

    const lastEnd = seen[seen.length - 1].tEndUs;
    const ref = referenceWindows(events, periodUs, lengthUs, lastEnd);
    expect(seen.length).toBe(ref.length);
    expect(lastEnd).toBeGreaterThan(events[events.length - 1].tUs); // flush emitted the last partial window
    seen.forEach((w, i) => {
      expect(w.index).toBe(i);
      expect(w.tEndUs).toBe(ref[i].tEndUs);
      expect(w.tStartUs).toBe(ref[i].tStartUs);
      expect(w.eventCount).toBe(ref[i].events.length);
      expect(maxAbsDiff(w.data, naiveCounts(ref[i].events, cutter.mapping, network))).toBe(0);
      expect(w.learnerT.length).toBe(Math.min(500, ref[i].events.length));
      for (let j = 1; j < w.learnerT.length; j++) expect(w.learnerT[j]).toBeGreaterThanOrEqual(w.learnerT[j - 1]);
    });
    const c = cutter.counters;
    expect(c.windowsEmitted).toBe(seen.length);
    expect(c.eventsIn).toBe(events.length);
    expect(c.eventsInWindows).toBe(ref.reduce((s, w) => s + w.events.length, 0));
    expect(c.backwardsEvents + c.ringOverflowDrops + c.timeJumps + c.outOfGeometryEvents).toBe(0);
  });

  it('decimate (320×240 → 160×120): the input counts only events at even sensor columns and rows, the learner gets every event', () => {
    const sensor = { widthPx: 320, heightPx: 240 };
    const cutter = new WindowCutter({ sensor, rateHz: 200, learnerCap: 1 << 16, inputSampling: 'decimate' });
    const { periodUs, lengthUs, network } = cutter.options;
    const events = randomEvents(30_000, sensor, 1_000_000, 1_050_000, rng(21));
    const { seen, onWindow } = collector();
    pushInBatches(cutter, events, onWindow, 6);
    cutter.flush(onWindow);
    const ref = referenceWindows(events, periodUs, lengthUs, seen[seen.length - 1].tEndUs);
    expect(seen.length).toBe(ref.length);
    const plane = network.widthPx * network.heightPx;
    seen.forEach((w, i) => {
      // Independent of the mapping tables: an even sensor pixel (x, y) is network pixel (x / 2, y / 2).
      const expected = new Float64Array(2 * plane);
      for (const e of ref[i].events) if (e.x % 2 === 0 && e.y % 2 === 0) expected[(e.p === 1 ? plane : 0) + (e.y / 2) * network.widthPx + e.x / 2] += 1;
      expect(maxAbsDiff(w.data, expected)).toBe(0);
      expect(w.eventCount).toBe(ref[i].events.length);
      expect(w.learnerT.length).toBe(ref[i].events.length);
    });
    // About a quarter of the events reach the input: the rest are not lost, only not counted.
    const counted = seen.reduce((s, w) => s + w.data.reduce((a, v) => a + v, 0), 0);
    const total = seen.reduce((s, w) => s + w.eventCount, 0);
    expect(counted / total).toBeGreaterThan(0.2);
    expect(counted / total).toBeLessThan(0.3);
  });

  it('rejects an unknown input sampling with the field named', () => {
    expect(() => new WindowCutter({ sensor: VGA, rateHz: 200, inputSampling: 'nearest' as never })).toThrow(/inputSampling/);
  });

  it('overlapping windows (length 2.5 periods): each inner event lands in 2 or 3 consecutive windows', () => {
    const cutter = new WindowCutter({ sensor: VGA, rateHz: 100, lengthUs: 25_000 });
    const events = randomEvents(20_000, VGA, 40_000, 240_000, rng(3));
    const { seen, onWindow } = collector();
    pushInBatches(cutter, events, onWindow, 9);
    const ref = referenceWindows(events, 10_000, 25_000, seen[seen.length - 1].tEndUs);
    expect(seen.length).toBe(ref.length);
    seen.forEach((w, i) => expect(w.eventCount).toBe(ref[i].events.length));
    expect(seen[5].tEndUs - seen[5].tStartUs).toBe(25_000);
    expect(seen[5].tStartUs).toBe(seen[4].tEndUs - 15_000);
    // Events at least one window length inside the emitted span are covered 2 or 3 times, 2.5 on average.
    const lo = seen[0].tEndUs + 25_000;
    const hi = seen[seen.length - 1].tEndUs - 25_000;
    const inner = events.filter((e) => e.tUs >= lo && e.tUs < hi);
    const cover = inner.map((e) => seen.filter((w) => e.tUs >= w.tStartUs && e.tUs < w.tEndUs).length);
    expect(cover.every((k) => k === 2 || k === 3)).toBe(true);
    expect(cover.reduce((s, k) => s + k, 0) / cover.length).toBeCloseTo(2.5, 1);
    expect(cutter.counters.eventsInWindows).toBe(ref.reduce((s, w) => s + w.events.length, 0));
  });

  it('voxel input through the cutter equals the reference voxel grid of each window', () => {
    const cutter = new WindowCutter({ sensor: VGA, rateHz: 200, inputKind: 'voxel', voxelBins: 5 });
    const events = randomEvents(20_000, VGA, 0, 30_000, rng(4));
    const { seen, onWindow } = collector();
    pushInBatches(cutter, events, onWindow, 2);
    const ref = referenceWindows(events, 5000, 5000, seen[seen.length - 1].tEndUs);
    expect(seen.length).toBe(ref.length);
    seen.forEach((w, i) => {
      expect(w.data.length).toBe(5 * 160 * 120);
      const want = naiveVoxel(ref[i].events, cutter.mapping, cutter.options.network, w.tStartUs, w.tEndUs, 5);
      expect(maxAbsDiff(w.data, want)).toBeLessThan(1e-4);
    });
  });

  it('window length shorter than the period: events in the gaps are counted, not used', () => {
    const cutter = new WindowCutter({ sensor: VGA, rateHz: 100, lengthUs: 4000 });
    const events = randomEvents(10_000, VGA, 0, 100_000, rng(6));
    const { seen, onWindow } = collector();
    pushInBatches(cutter, events, onWindow, 3);
    const ref = referenceWindows(events, 10_000, 4000, seen[seen.length - 1].tEndUs);
    seen.forEach((w, i) => expect(w.eventCount).toBe(ref[i].events.length));
    const inGaps = events.filter((e) => e.tUs % 10_000 < 6000).length;
    expect(cutter.counters.betweenWindowsEvents).toBe(inGaps);
  });

  it.each([
    ['longer than the input (5 ms input, 40 ms learner span)', 5000, 40_000],
    ['shorter than the input (10 ms input, 2 ms learner span)', 10_000, 2000],
  ])('learner span %s: input and learner events each come from their own span', (_name, lengthUs, learnerLengthUs) => {
    const cap = 300;
    const cutter = new WindowCutter({ sensor: VGA, rateHz: 200, lengthUs, learnerLengthUs, learnerCap: cap, ringCapacity: 1 << 16 });
    const events = randomEvents(40_000, VGA, 1_000_000, 1_200_000, rng(21));
    const spans: Array<{ start: number; count: number; inSpan: boolean; sorted: boolean }> = [];
    const { seen, onWindow } = collector();
    pushInBatches(cutter, events, (w) => {
      onWindow(w);
      const t = w.learnerEvents.tUs.subarray(0, w.learnerEvents.length);
      spans.push({
        start: w.learnerTStartUs,
        count: w.learnerEventCount,
        inSpan: t.every((x) => x >= w.learnerTStartUs && x < w.tEndUs),
        sorted: t.every((x, j) => j === 0 || x >= t[j - 1]!),
      });
    }, 7);
    const inputRef = referenceWindows(events, 5000, lengthUs, seen[seen.length - 1].tEndUs);
    const learnerRef = referenceWindows(events, 5000, learnerLengthUs, seen[seen.length - 1].tEndUs);
    expect(seen.length).toBe(inputRef.length);
    expect(seen.length).toBeGreaterThan(30);
    seen.forEach((w, i) => {
      expect(w.tStartUs).toBe(w.tEndUs - lengthUs);
      expect(w.eventCount).toBe(inputRef[i].events.length);
      expect(maxAbsDiff(w.data, naiveCounts(inputRef[i].events, cutter.mapping, cutter.options.network))).toBe(0);
      expect(spans[i].start).toBe(w.tEndUs - learnerLengthUs);
      expect(spans[i].count).toBe(learnerRef[i].events.length);
      expect(w.learnerT.length).toBe(Math.min(cap, learnerRef[i].events.length));
      expect(spans[i].inSpan && spans[i].sorted).toBe(true);
    });
    // Events older than the input window but inside the learner span are history, not gaps.
    expect(cutter.counters.betweenWindowsEvents).toBe(0);
  });

  it('without a learner span the learner draws from the window itself', () => {
    const cutter = new WindowCutter({ sensor: VGA, rateHz: 100, lengthUs: 4000 });
    expect(cutter.options.learnerLengthUs).toBe(4000);
    let seen: { start: number; tStart: number; count: number; n: number } | undefined;
    pushTimes(cutter, [5000, 7000, 8000, 9500, 10_000], (w) => (seen = { start: w.learnerTStartUs, tStart: w.tStartUs, count: w.learnerEventCount, n: w.eventCount }));
    expect(seen).toEqual({ start: 6000, tStart: 6000, count: 3, n: 3 });
  });

  it('a fractional period does not drift: window i of a 150 Hz run ends exactly at (i + 1) · 1e6/150', () => {
    const cutter = new WindowCutter({ sensor: VGA, rateHz: 150 });
    const ends: number[] = [];
    const onWindow = (w: EventWindow) => ends.push(w.tEndUs);
    pushTimes(cutter, [0], onWindow);
    for (let t = 5000; t <= 60_000_000; t += 5000) cutter.advanceTo(t, onWindow); // one minute
    expect(ends.length).toBe(60 * 150);
    expect(ends).toEqual(Array.from({ length: 9000 }, (_, i) => (i + 1) * (1e6 / 150)));
    expect(ends[8999]).toBeCloseTo(60_000_000, 6);
  });
});

describe('WindowCutter: time irregularities', () => {
  it('emits empty windows at the rate across a quiet gap shorter than maxGapUs', () => {
    const cutter = new WindowCutter({ sensor: VGA, rateHz: 200 });
    const { seen, onWindow } = collector();
    pushTimes(cutter, [0, 1000, 2000, 3000], onWindow);
    pushTimes(cutter, [103_000], onWindow);
    expect(seen.map((w) => w.tEndUs)).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 5000));
    expect(seen.map((w) => w.index)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(seen[0].eventCount).toBe(4);
    expect(seen.slice(1).every((w) => w.eventCount === 0 && w.data.every((v) => v === 0))).toBe(true);
    expect(cutter.counters.emptyWindows).toBe(19);
    expect(cutter.counters.timeJumps).toBe(0);
  });

  it('counts and drops backwards events; accepts small reordering within the tolerance', () => {
    const cutter = new WindowCutter({ sensor: VGA, rateHz: 200, backwardsToleranceUs: 100 });
    const { seen, onWindow } = collector();
    // 1950 is 50 µs late (accepted, time raised to 2000); 1500 is 500 µs late (dropped).
    pushTimes(cutter, [1000, 2000, 1950, 1500, 2500], onWindow);
    // 5003 closes [0, 5000); 4999 is within the tolerance of 5003 but belongs to the closed window: dropped.
    // 5990 then 5950 (40 µs late, accepted).
    pushTimes(cutter, [5003, 4999, 5990, 5950, 10_000], onWindow);
    expect(seen.length).toBe(2);
    expect(seen[0].eventCount).toBe(4);
    expect(seen[0].learnerT).toEqual([1000, 2000, 2000, 2500]);
    expect(seen[1].eventCount).toBe(3);
    expect(seen[1].learnerT).toEqual([5003, 5990, 5990]);
    expect(cutter.counters.backwardsEvents).toBe(2);
    expect(cutter.counters.reorderedEvents).toBe(2);
  });

  it('a burst larger than the ring keeps the newest events and counts the overflow', () => {
    const capacity = 1 << 16;
    const cutter = new WindowCutter({ sensor: VGA, rateHz: 200, ringCapacity: capacity, learnerCap: 4096 });
    const n = 1_000_000;
    const burst = {
      length: n,
      x: new Uint16Array(n).map((_, i) => i % 640),
      y: new Uint16Array(n).map((_, i) => (i >> 6) % 480),
      p: new Uint8Array(n).map((_, i) => i & 1),
      tUs: new Float64Array(n).map((_, i) => 10_000 + (i * 4999) / n), // all in [10 000, 15 000)
    } satisfies EventBatch;
    const { seen, onWindow } = collector();
    cutter.push(burst, onWindow);
    cutter.advanceTo(15_000, onWindow);
    expect(seen.length).toBe(1);
    expect(cutter.counters.ringOverflowDrops).toBe(n - capacity);
    expect(seen[0].eventCount).toBe(capacity);
    const total = seen[0].data.reduce((s, v) => s + v, 0);
    expect(total).toBe(capacity);
    expect(seen[0].learnerT.length).toBe(4096);
    expect(seen[0].learnerT[0]).toBeGreaterThanOrEqual(burst.tUs[n - capacity]);
    expect(seen[0].learnerT[4095]).toBeLessThanOrEqual(burst.tUs[n - 1]);
    // The stream carries on normally after the burst.
    pushTimes(cutter, [15_500, 21_000], onWindow);
    expect(seen[1].eventCount).toBe(1);
  });

  it('a forward jump beyond maxGapUs re-anchors instead of emitting every window in between', () => {
    const cutter = new WindowCutter({ sensor: VGA, rateHz: 200, maxGapUs: 1_000_000 });
    const { seen, onWindow } = collector();
    pushTimes(cutter, [1000, 2000], onWindow);
    pushTimes(cutter, [10_001_000, 10_002_000, 10_006_000], onWindow);
    expect(cutter.counters.timeJumps).toBe(1);
    // The pending window [0, 5000) is emitted with its events, then the grid restarts at 10 s.
    expect(seen.map((w) => [w.index, w.tEndUs, w.eventCount])).toEqual([
      [0, 5000, 2],
      [2000, 10_005_000, 2],
    ]);
    expect(cutter.counters.windowsSkipped).toBe(1999);
    expect(cutter.counters.emptyWindows).toBe(0);
  });

  it('a backward jump beyond maxGapUs (sensor restart) re-anchors instead of dropping everything', () => {
    const cutter = new WindowCutter({ sensor: VGA, rateHz: 100, maxGapUs: 500_000 });
    const { seen, onWindow } = collector();
    pushTimes(cutter, [50_000_000, 50_001_000], onWindow);
    pushTimes(cutter, [100, 200, 10_500, 20_500], onWindow);
    expect(cutter.counters.timeJumps).toBe(1);
    expect(cutter.counters.backwardsEvents).toBe(0);
    expect(seen.map((w) => [w.tEndUs, w.eventCount])).toEqual([
      [50_010_000, 2],
      [10_000, 2],
      [20_000, 1],
    ]);
    expect(seen.map((w) => w.index)).toEqual([0, 1, 2]);
  });

  it('a single wild timestamp costs two re-anchors, and the stream keeps being windowed', () => {
    const cutter = new WindowCutter({ sensor: VGA, rateHz: 200 });
    const { seen, onWindow } = collector();
    const t = [1000, 2000, 6000, 9_000_000_000, 7000, 8000, 11_000, 16_000];
    pushTimes(cutter, t, onWindow);
    expect(cutter.counters.timeJumps).toBe(2);
    const ends = seen.map((w) => [w.tEndUs, w.eventCount]);
    expect(ends[0]).toEqual([5000, 2]);
    expect(ends).toContainEqual([9_000_005_000, 1]); // the wild event's window, emitted early at the jump back
    expect(ends.slice(-2)).toEqual([
      [10_000, 2],
      [15_000, 1],
    ]);
  });

  it('advanceTo closes windows with no events, at the rate, and anchors the grid before any event', () => {
    const cutter = new WindowCutter({ sensor: VGA, rateHz: 100 });
    const { seen, onWindow } = collector();
    cutter.advanceTo(123_456, onWindow);
    expect(seen.length).toBe(0);
    expect(cutter.nextWindowEndUs).toBe(130_000);
    for (let t = 125_000; t <= 180_000; t += 5000) cutter.advanceTo(t, onWindow);
    expect(seen.map((w) => w.tEndUs)).toEqual([130_000, 140_000, 150_000, 160_000, 170_000, 180_000]);
    expect(cutter.counters.emptyWindows).toBe(6);
    // Events then quiet: advanceTo still emits, the first window with the events.
    pushTimes(cutter, [181_000, 185_000], onWindow);
    cutter.advanceTo(210_000, onWindow);
    expect(seen.slice(6).map((w) => [w.tEndUs, w.eventCount])).toEqual([
      [190_000, 2],
      [200_000, 0],
      [210_000, 0],
    ]);
    // Going back is ignored; a non-finite time too.
    cutter.advanceTo(100_000, onWindow);
    cutter.advanceTo(Number.NaN, onWindow);
    expect(seen.length).toBe(9);
    // An event before the windows advanceTo already closed is late: dropped and counted.
    pushTimes(cutter, [205_000], onWindow);
    expect(cutter.counters.backwardsEvents).toBe(1);
  });

  it('overlapping windows: an event older than a window already emitted by advanceTo is dropped', () => {
    const cutter = new WindowCutter({ sensor: VGA, rateHz: 200, lengthUs: 10_000 });
    const { seen, onWindow } = collector();
    pushTimes(cutter, [1000], onWindow);
    cutter.advanceTo(10_000, onWindow); // emits [−5000, 5000) and [0, 10 000)
    // 7000 is newer than every event so far and inside the next window [5000, 15 000), but the emitted
    // window [0, 10 000) went out without it: dropped as backwards, in every code path.
    pushTimes(cutter, [7000, 7500, 11_000], onWindow);
    cutter.advanceTo(15_000, onWindow);
    expect(seen.map((w) => [w.tStartUs, w.tEndUs, w.eventCount])).toEqual([
      [-5000, 5000, 1],
      [0, 10_000, 1],
      [5000, 15_000, 1],
    ]);
    expect(cutter.counters.backwardsEvents).toBe(2);
  });

  it('advanceTo after a stall longer than maxGapUs re-anchors and counts the jump', () => {
    const cutter = new WindowCutter({ sensor: VGA, rateHz: 200, maxGapUs: 100_000 });
    const { seen, onWindow } = collector();
    pushTimes(cutter, [1000], onWindow);
    cutter.advanceTo(5_000_000, onWindow);
    expect(cutter.counters.timeJumps).toBe(1);
    expect(seen.map((w) => [w.index, w.tEndUs, w.eventCount])).toEqual([[0, 5000, 1]]);
    cutter.advanceTo(5_005_000, onWindow);
    expect(seen[1].tEndUs).toBe(5_005_000);
    expect(seen[1].index).toBe(1000);
  });
});

describe('WindowCutter: bad input and configuration', () => {
  it('counts and drops out-of-geometry events and invalid timestamps', () => {
    const cutter = new WindowCutter({ sensor: VGA, rateHz: 200 });
    const { seen, onWindow } = collector();
    cutter.push(
      toBatch([
        { x: 10, y: 10, p: 1, tUs: 100 },
        { x: 640, y: 10, p: 1, tUs: 200 },
        { x: 10, y: 480, p: 1, tUs: 300 },
        { x: 10, y: 10, p: 1, tUs: Number.NaN },
        { x: 10, y: 10, p: 1, tUs: -5 },
        { x: 10, y: 10, p: 1, tUs: Number.POSITIVE_INFINITY },
        { x: 11, y: 10, p: 0, tUs: 400 },
        { x: 11, y: 10, p: 0, tUs: 6000 },
      ]),
      onWindow,
    );
    const c = cutter.counters;
    expect(c.outOfGeometryEvents).toBe(2);
    expect(c.invalidTimeEvents).toBe(3);
    expect(seen[0].eventCount).toBe(2);
    expect(c.eventsIn).toBe(8);
  });

  it('reads only the readable part of a malformed batch and counts it', () => {
    const cutter = new WindowCutter({ sensor: VGA, rateHz: 200 });
    const { onWindow } = collector();
    const b = toBatch([{ x: 1, y: 1, p: 1, tUs: 10 }]);
    cutter.push({ ...b, length: 5 }, onWindow);
    cutter.push({ ...b, length: Number.NaN }, onWindow);
    cutter.push({ ...b, length: -1 }, onWindow);
    expect(cutter.counters.malformedBatches).toBe(3);
    expect(cutter.counters.eventsIn).toBe(1);
    expect(cutter.storedEvents).toBe(1);
  });

  it('every event is accounted for on a messy stream', () => {
    const rand = rng(21);
    const cutter = new WindowCutter({ sensor: VGA, rateHz: 200, ringCapacity: 4096, lengthUs: 3000 });
    const { seen, onWindow } = collector();
    const events: PlainEvent[] = [];
    let t = 0;
    for (let i = 0; i < 50_000; i++) {
      t += rand() < 0.001 ? 2_000_000 : rand() * 10;
      events.push({
        x: rand() < 0.01 ? 700 : Math.floor(rand() * 640),
        y: Math.floor(rand() * 480),
        p: rand() < 0.5 ? 1 : 0,
        tUs: rand() < 0.01 ? t - rand() * 3000 : rand() < 0.001 ? Number.NaN : t,
      });
    }
    pushInBatches(cutter, events, onWindow, 8, 5000);
    cutter.flush(onWindow);
    const c = cutter.counters;
    const dropped = c.outOfGeometryEvents + c.invalidTimeEvents + c.backwardsEvents + c.betweenWindowsEvents;
    // With non-overlapping windows each accepted event is in exactly one window unless overflow took it.
    expect(c.eventsInWindows + c.ringOverflowDrops + dropped).toBe(events.length);
    expect(seen.reduce((s, w) => s + w.eventCount, 0)).toBe(c.eventsInWindows);
    expect(c.timeJumps).toBeGreaterThan(0);
    expect(c.backwardsEvents).toBeGreaterThan(0);
  });

  it.each([
    ['rate 0', { sensor: VGA, rateHz: 0 }, /rateHz/],
    ['negative rate', { sensor: VGA, rateHz: -200 }, /rateHz/],
    ['NaN rate', { sensor: VGA, rateHz: Number.NaN }, /rateHz/],
    ['zero-width sensor', { sensor: { widthPx: 0, heightPx: 480 }, rateHz: 200 }, /sensor/],
    ['zero-height network', { sensor: VGA, network: { widthPx: 160, heightPx: 0 }, rateHz: 200 }, /network/],
    ['length 0', { sensor: VGA, rateHz: 200, lengthUs: 0 }, /lengthUs/],
    ['negative length', { sensor: VGA, rateHz: 200, lengthUs: -5000 }, /lengthUs/],
    ['maxGapUs below one period', { sensor: VGA, rateHz: 100, maxGapUs: 5000 }, /maxGapUs/],
    ['maxGapUs above a minute', { sensor: VGA, rateHz: 100, maxGapUs: 120_000_000 }, /maxGapUs/],
    ['zero voxel bins', { sensor: VGA, rateHz: 200, inputKind: 'voxel', voxelBins: 0 }, /voxelBins/],
    ['zero learner cap', { sensor: VGA, rateHz: 200, learnerCap: 0 }, /learnerCap/],
    ['unknown fit', { sensor: VGA, rateHz: 200, fit: 'stretch' }, /fit/],
  ])('rejects %s with a clear error', (_name, opts, field) => {
    expect(() => new WindowCutter(opts as WindowCutterOptions)).toThrow(RangeError);
    expect(() => new WindowCutter(opts as WindowCutterOptions)).toThrow(field);
    expect(() => new WindowCutter(opts as WindowCutterOptions)).toThrow(/Invalid window cutter options/);
  });

  it('steady-state windows reuse the same window object and buffers', () => {
    const cutter = new WindowCutter({ sensor: VGA, rateHz: 200, learnerCap: 256 });
    const events = randomEvents(20_000, VGA, 0, 50_000, rng(1));
    const windows: EventWindow[] = [];
    const arrays = new Set<unknown>();
    pushInBatches(cutter, events, (w) => {
      windows.push(w);
      arrays.add(w.input.data);
      arrays.add(w.learnerEvents.x);
      arrays.add(w.learnerEvents.tUs);
    }, 4);
    expect(windows.length).toBeGreaterThan(5);
    expect(new Set(windows).size).toBe(1);
    expect(arrays.size).toBe(3);
  });

  it('refuses re-entry from inside onWindow', () => {
    const cutter = new WindowCutter({ sensor: VGA, rateHz: 200 });
    pushTimes(cutter, [0], () => {});
    expect(() => pushTimes(cutter, [6000], () => cutter.advanceTo(20_000, () => {}))).toThrow(/must not call back/);
    // And the cutter still works afterwards.
    const { seen, onWindow } = collector();
    pushTimes(cutter, [11_000], onWindow);
    expect(seen.length).toBe(1);
  });
});
