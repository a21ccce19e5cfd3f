import { describe, expect, it } from 'vitest';
import { NetworkInputBuilder } from '../../src/windows/networkInputBuilder.js';
import {
  GEOMETRIES,
  NETWORK_160x120,
  maxAbsDiff,
  naiveCounts,
  naiveVoxel,
  randomEvents,
  rng,
  toBatch,
} from './reference.js';

const net = NETWORK_160x120;

describe.each(GEOMETRIES.map((g) => [`${g.widthPx}×${g.heightPx}`, g] as const))(
  'NetworkInputBuilder %s → 160×120',
  (_name, sensor) => {
    it.each(['letterbox', 'crop'] as const)('counts (%s) equal a naive per-event reference', (fit) => {
      const events = randomEvents(20_000, sensor, 0, 5000, rng(sensor.widthPx + (fit === 'crop' ? 1 : 0)));
      const b = new NetworkInputBuilder({ sensor, network: net, fit, kind: 'counts', voxelBins: 1 });
      b.begin(0, 5000);
      const counted = b.add(toBatch(events), 0, events.length);
      const ref = naiveCounts(events, b.mapping, net);
      expect(b.input.channels).toBe(2);
      expect(b.input.data.length).toBe(2 * 160 * 120);
      expect(maxAbsDiff(b.input.data, ref)).toBe(0);
      const refTotal = ref.reduce((s, v) => s + v, 0);
      expect(counted).toBe(refTotal);
      if (fit === 'letterbox') expect(counted).toBe(events.length);
    });

    it.each([1, 2, 5, 9])('voxel with B = %i equals a naive reference (letterbox and crop)', (bins) => {
      for (const fit of ['letterbox', 'crop'] as const) {
        const events = randomEvents(10_000, sensor, 1000, 6000, rng(bins * 31 + sensor.heightPx));
        const b = new NetworkInputBuilder({ sensor, network: net, fit, kind: 'voxel', voxelBins: bins });
        b.begin(1000, 6000);
        b.add(toBatch(events), 0, events.length);
        const ref = naiveVoxel(events, b.mapping, net, 1000, 6000, bins);
        expect(b.input.channels).toBe(bins);
        expect(maxAbsDiff(b.input.data, ref)).toBeLessThan(1e-4);
      }
    });
  },
);

describe('NetworkInputBuilder voxel details', () => {
  const sensor = { widthPx: 640, heightPx: 480 };
  const make = (bins: number) =>
    new NetworkInputBuilder({ sensor, network: net, fit: 'letterbox', kind: 'voxel', voxelBins: bins });
  const one = (p: number, tUs: number) => toBatch([{ x: 8, y: 4, p, tUs }]); // network pixel (2, 1)
  const at = (b: NetworkInputBuilder, bin: number) => b.input.data[bin * 160 * 120 + 1 * 160 + 2];

  it('an event exactly at a bin time goes wholly into that bin (B = 5 over 4000 µs: bins every 1000 µs)', () => {
    const b = make(5);
    for (const bin of [0, 1, 2, 3]) {
      b.begin(0, 4000);
      b.add(one(1, bin * 1000), 0, 1);
      for (let k = 0; k < 5; k++) expect(at(b, k)).toBe(k === bin ? 1 : 0);
    }
  });

  it('an OFF event a quarter of the way between bins 1 and 2 splits −0.75 / −0.25', () => {
    const b = make(5);
    b.begin(0, 4000);
    b.add(one(0, 1250), 0, 1);
    expect(at(b, 1)).toBeCloseTo(-0.75, 6);
    expect(at(b, 2)).toBeCloseTo(-0.25, 6);
    expect(at(b, 0) + at(b, 3) + at(b, 4)).toBe(0);
  });

  it('times outside the window are clamped to the first/last bin, never written elsewhere', () => {
    const b = make(3);
    b.begin(1000, 2000);
    b.add(toBatch([{ x: 8, y: 4, p: 1, tUs: 500 }, { x: 8, y: 4, p: 1, tUs: 2500 }]), 0, 2);
    expect(at(b, 0)).toBe(1);
    expect(at(b, 2)).toBe(1);
    expect(b.input.data.reduce((s, v) => s + v, 0)).toBe(2);
  });

  it('summed over bins, a pixel holds ON − OFF count', () => {
    const events = randomEvents(5000, sensor, 0, 5000, rng(7));
    const vox = make(5);
    const cnt = new NetworkInputBuilder({ sensor, network: net, fit: 'letterbox', kind: 'counts', voxelBins: 1 });
    vox.begin(0, 5000);
    cnt.begin(0, 5000);
    vox.add(toBatch(events), 0, events.length);
    cnt.add(toBatch(events), 0, events.length);
    const plane = 160 * 120;
    let worst = 0;
    for (let i = 0; i < plane; i++) {
      let s = 0;
      for (let k = 0; k < 5; k++) s += vox.input.data[k * plane + i];
      worst = Math.max(worst, Math.abs(s - (cnt.input.data[plane + i] - cnt.input.data[i])));
    }
    expect(worst).toBeLessThan(1e-4);
  });
});

describe('NetworkInputBuilder buffers and bad input', () => {
  const sensor = { widthPx: 640, heightPx: 480 };

  it('begin() clears the previous window and the tensor is the same object every time', () => {
    const b = new NetworkInputBuilder({ sensor, network: net, fit: 'letterbox', kind: 'counts', voxelBins: 1 });
    const data = b.input.data;
    b.begin(0, 1);
    b.add(toBatch([{ x: 1, y: 1, p: 1, tUs: 0 }]), 0, 1);
    expect(data.reduce((s, v) => s + v, 0)).toBe(1);
    b.begin(1, 2);
    expect(b.input.data).toBe(data);
    expect(data.every((v) => v === 0)).toBe(true);
  });

  it('events outside the sensor geometry are skipped, not written out of place', () => {
    const b = new NetworkInputBuilder({ sensor, network: net, fit: 'letterbox', kind: 'counts', voxelBins: 1 });
    b.begin(0, 1);
    const counted = b.add(
      toBatch([
        { x: 640, y: 0, p: 1, tUs: 0 },
        { x: 0, y: 480, p: 0, tUs: 0 },
        { x: 65535, y: 65535, p: 1, tUs: 0 },
        { x: 639, y: 479, p: 1, tUs: 0 },
      ]),
      0,
      4,
    );
    expect(counted).toBe(1);
    expect(b.input.data[160 * 120 + 119 * 160 + 159]).toBe(1);
    expect(b.input.data.reduce((s, v) => s + v, 0)).toBe(1);
  });

  it('rejects an unknown kind and a voxel grid without bins', () => {
    expect(
      () => new NetworkInputBuilder({ sensor, network: net, fit: 'crop', kind: 'frames' as 'counts', voxelBins: 1 }),
    ).toThrow(/kind/);
    expect(() => new NetworkInputBuilder({ sensor, network: net, fit: 'crop', kind: 'voxel', voxelBins: 0 })).toThrow(
      /voxelBins/,
    );
  });
});
