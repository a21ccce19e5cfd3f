/**
 * The loss's background-activity filter: which events it keeps (support from distinct neighbouring pixels
 * within ±supportUs, looking both ways in time, borders, its own pixel not counting), that it keeps their
 * order, grows past its initial capacity, rejects bad settings, and that the contrast loss with the
 * filter equals the loss without it evaluated on the filtered events (so the ν gradient, FD-checked for the
 * unfiltered loss, is the same computation over the kept events).
 */
import { describe, expect, it } from 'vitest';
import type { EventBatch } from '../../../src/contracts/eventBatch.js';
import {
  BackgroundActivityFilter,
  checkNoiseFilterSettings,
  ContrastMaximizationLoss,
  type ContrastLossInput,
} from '../../../src/learning/loss/index.js';
import { mulberry32 } from '../../helpers/random.js';
import { mappingFor } from './helpers.js';

const SENSOR = { widthPx: 32, heightPx: 24 };

/** Events from [x, y, tUs, p] tuples (sorted by time by the caller). */
function batch(rows: ReadonlyArray<readonly [number, number, number, number?]>): EventBatch {
  return {
    length: rows.length,
    x: Uint16Array.from(rows.map((r) => r[0])),
    y: Uint16Array.from(rows.map((r) => r[1])),
    tUs: Float64Array.from(rows.map((r) => r[2])),
    p: Uint8Array.from(rows.map((r) => r[3] ?? 1)),
  };
}

function kept(b: EventBatch): string[] {
  const out: string[] = [];
  for (let i = 0; i < b.length; i++) out.push(`${b.x[i]},${b.y[i]}@${b.tUs[i]}`);
  return out;
}

describe('BackgroundActivityFilter', () => {
  it('drops isolated events and keeps those with enough distinct neighbours within the support', () => {
    const f = new BackgroundActivityFilter(SENSOR, { supportUs: 1000, minNeighbours: 1 });
    const out = f.apply(
      batch([
        [5, 5, 0], // isolated from everything in time and space
        [20, 10, 100],
        [21, 11, 600], // diagonal neighbour of the previous, 500 µs later: both keep each other
        [10, 10, 5000],
        [12, 10, 5100], // two pixels away: no support
        [25, 20, 9000],
        [26, 20, 10_000], // exactly supportUs later: kept (the bound is inclusive)
        [2, 2, 20_000],
        [3, 2, 21_001], // 1001 µs later: outside the support
      ]),
    );
    expect(kept(out)).toEqual(['20,10@100', '21,11@600', '25,20@9000', '26,20@10000']);
    expect(f.dropped).toBe(5);
  });

  it('looks both ways in time: an event counts neighbours that fire after it', () => {
    const f = new BackgroundActivityFilter(SENSOR, { supportUs: 2000, minNeighbours: 2 });
    // A vertical edge: pixels (8, 4..8) fire within 300 µs of each other; the first has only later support.
    const rows: Array<[number, number, number]> = [];
    for (let k = 0; k < 5; k++) rows.push([8, 4 + k, 1000 + 75 * k]);
    const out = f.apply(batch(rows));
    // The ends of the line have one neighbour, the inner pixels two.
    expect(kept(out)).toEqual(['8,5@1075', '8,6@1150', '8,7@1225']);
  });

  it('counts distinct neighbouring pixels, never the event\'s own pixel', () => {
    const f = new BackgroundActivityFilter(SENSOR, { supportUs: 5000, minNeighbours: 2 });
    // One neighbour firing three times is one supporting pixel; the pixel itself firing again is none.
    const a = f.apply(batch([[10, 10, 0], [10, 10, 100], [11, 10, 200], [11, 10, 300], [11, 10, 400]]));
    expect(a.length).toBe(0);
    const b = f.apply(batch([[10, 10, 0], [11, 10, 200], [9, 11, 400]]));
    expect(kept(b)).toEqual(['10,10@0']);
  });

  it('handles sensor borders and skips coordinates outside the sensor', () => {
    const f = new BackgroundActivityFilter(SENSOR, { supportUs: 1000, minNeighbours: 1 });
    const out = f.apply(batch([[0, 0, 0], [1, 1, 10], [31, 23, 20], [30, 23, 30], [40, 5, 40], [39, 5, 50]]));
    expect(kept(out)).toEqual(['0,0@0', '1,1@10', '31,23@20', '30,23@30']);
  });

  it('keeps polarity and order, and grows past its initial capacity', () => {
    const rand = mulberry32(3);
    const rows: Array<[number, number, number, number]> = [];
    for (let i = 0; i < 5000; i++) rows.push([Math.floor(rand() * 32), Math.floor(rand() * 24), i * 10, rand() < 0.5 ? 1 : 0]);
    const input = batch(rows);
    const f = new BackgroundActivityFilter(SENSOR, { supportUs: 30, minNeighbours: 1 }, 16);
    const out = f.apply(input);
    // Reference: a direct O(n²) count over the same definition.
    const expected: number[] = [];
    for (let i = 0; i < input.length; i++) {
      const nb = new Set<number>();
      for (let j = 0; j < input.length; j++) {
        const dx = input.x[j]! - input.x[i]!;
        const dy = input.y[j]! - input.y[i]!;
        if ((dx !== 0 || dy !== 0) && Math.abs(dx) <= 1 && Math.abs(dy) <= 1 && Math.abs(input.tUs[j]! - input.tUs[i]!) <= 30) nb.add(dx * 3 + dy);
      }
      if (nb.size >= 1) expected.push(i);
    }
    expect(out.length).toBe(expected.length);
    expect(expected.length).toBeGreaterThan(0);
    expected.forEach((i, k) => {
      expect([out.x[k], out.y[k], out.tUs[k], out.p[k]]).toEqual([input.x[i], input.y[i], input.tUs[i], input.p[i]]);
    });
  });

  it('judgeNext: the stream remembers what it was handed before, verdicts are final, reset forgets', () => {
    const f = new BackgroundActivityFilter(SENSOR, { supportUs: 1000, minNeighbours: 1 });
    // First call: (5, 5) has no neighbour yet, and a later one cannot revise its verdict.
    expect(Array.from(f.judgeNext(batch([[5, 5, 0], [9, 9, 100]])).subarray(0, 2))).toEqual([0, 0]);
    // Second call: (6, 5) at 500 is backed by (5, 5) at 0, handed before; (20, 20) is isolated.
    expect(Array.from(f.judgeNext(batch([[6, 5, 500], [20, 20, 600]])).subarray(0, 2))).toEqual([1, 0]);
    expect(f.dropped).toBe(1);
    // Beyond supportUs the past does not back: (7, 5) at 1600 is 1100 µs after (6, 5).
    expect(Array.from(f.judgeNext(batch([[7, 5, 1600]])).subarray(0, 1))).toEqual([0]);
    // After a reset the same situation finds no support: (8, 5) at 1700 neighbours (7, 5) at 1600, forgotten.
    f.reset();
    expect(Array.from(f.judgeNext(batch([[8, 5, 1700]])).subarray(0, 1))).toEqual([0]);
    // keep() and apply() neither read nor disturb the stream: (9, 5) at 1800 is backed by (8, 5) at 1700.
    f.keep(batch([[30, 20, 1750], [31, 20, 1750]]));
    expect(Array.from(f.judgeNext(batch([[9, 5, 1800]])).subarray(0, 1))).toEqual([1]);
  });

  it('judgeNext over a stream cut anywhere equals the definition: support among the events handed so far', () => {
    const rand = mulberry32(5);
    const rows: Array<[number, number, number, number]> = [];
    for (let k = 0; k < 600; k++) rows.push([Math.floor(rand() * 12), Math.floor(rand() * 10), Math.floor(rand() * 20_000), rand() < 0.5 ? 1 : 0]);
    rows.sort((a, b) => a[2] - b[2]);
    const settings = { supportUs: 800, minNeighbours: 2 };
    const f = new BackgroundActivityFilter(SENSOR, settings);
    const cuts = [0, 37, 38, 150, 151, 400, 600];
    const got: number[] = [];
    for (let c = 0; c + 1 < cuts.length; c++) got.push(...f.judgeNext(batch(rows.slice(cuts[c], cuts[c + 1]))).subarray(0, cuts[c + 1]! - cuts[c]!));
    const want = rows.map((e, i) => {
      const handed = rows.slice(0, cuts.find((c) => c > i)!);
      let neighbours = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if ((dx !== 0 || dy !== 0) && handed.some((o) => o[0] === e[0] + dx && o[1] === e[1] + dy && Math.abs(o[2] - e[2]) <= settings.supportUs)) neighbours++;
        }
      }
      return neighbours >= settings.minNeighbours ? 1 : 0;
    });
    expect(got).toEqual(want);
    expect(want.filter((k) => k === 1).length).toBeGreaterThan(50); // both verdicts occur
    expect(want.filter((k) => k === 0).length).toBeGreaterThan(50);
  });

  it('forgets the previous call: an event is not backed by one it was not given', () => {
    const f = new BackgroundActivityFilter(SENSOR, { supportUs: 1000, minNeighbours: 1 });
    expect(f.apply(batch([[5, 5, 0], [6, 5, 100]])).length).toBe(2);
    // (7, 5) at 150 neighbours (6, 5) at 100, but that event belongs to the previous call.
    expect(f.apply(batch([[7, 5, 150]])).length).toBe(0);
  });

  it('rejects settings it cannot honour', () => {
    expect(() => checkNoiseFilterSettings({ supportUs: 0, minNeighbours: 1 })).toThrow(/supportUs/);
    expect(() => checkNoiseFilterSettings({ supportUs: Number.NaN, minNeighbours: 1 })).toThrow(/supportUs/);
    expect(() => checkNoiseFilterSettings({ supportUs: 1000, minNeighbours: 9 })).toThrow(/minNeighbours/);
    expect(() => checkNoiseFilterSettings({ supportUs: 1000, minNeighbours: 1.5 })).toThrow(/minNeighbours/);
    expect(() => new BackgroundActivityFilter(SENSOR, { supportUs: 1000, minNeighbours: 0 })).toThrow(/minNeighbours/);
  });
});

describe('ContrastMaximizationLoss with a noise filter', () => {
  it('equals the unfiltered loss on the filtered events, and reports how many it dropped', () => {
    const network = { widthPx: 16, heightPx: 12 };
    const intrinsics = { fxPx: 30, fyPx: 30, cxPx: 15.5, cyPx: 11.5 };
    const settings = { supportUs: 2000, minNeighbours: 2 };
    const common = { sensor: SENSOR, network, intrinsics, objective: 'avg-timestamps' as const, smoothnessWeight: 0.05, splatScale: 1, maxEvents: 4096 };
    const filtered = new ContrastMaximizationLoss({ ...common, noiseFilter: settings });
    const plain = new ContrastMaximizationLoss(common);
    // Expanding edges (lines of pixels firing together) plus uniform noise.
    const rand = mulberry32(11);
    const rows: Array<[number, number, number, number]> = [];
    for (let t = 0; t < 20_000; t += 250) {
      const x = 4 + Math.floor(t / 2000);
      for (let y = 6; y < 18; y++) rows.push([x, y, t + rand() * 50, 1]);
      rows.push([Math.floor(rand() * 32), Math.floor(rand() * 24), t + rand() * 250, 0]);
    }
    rows.sort((a, b) => a[2] - b[2]);
    const events = batch(rows);
    const nu = new Float64Array(16 * 12).map(() => 0.5 + rand());
    const input: ContrastLossInput = {
      events,
      tStartUs: 0,
      tEndUs: 20_000,
      mapping: mappingFor(SENSOR, network, 'letterbox'),
      invTtcPerS: nu,
      focusOfExpansionNorm: { x: 0.1, y: -0.05 },
      bodyRatesCamRadS: { x: 0.1, y: 0.2, z: -0.1 },
    };
    const g1 = new Float64Array(nu.length);
    const g2 = new Float64Array(nu.length);
    const r1 = { ...filtered.evaluate(input, g1) };
    const reference = new BackgroundActivityFilter(SENSOR, settings).apply(events);
    const r2 = { ...plain.evaluate({ ...input, events: reference }, g2) };
    expect(r1.eventsFilteredAsNoise).toBe(events.length - reference.length);
    expect(r1.eventsFilteredAsNoise).toBeGreaterThan(0);
    expect(r2.eventsFilteredAsNoise).toBe(0);
    expect(r1.loss).toBe(r2.loss);
    expect(r1.events).toBe(reference.length);
    expect(Array.from(g1)).toEqual(Array.from(g2));
  });
});
