import { describe, expect, it } from 'vitest';
import { buildInputLookup, computeInputMapping, OUTSIDE_NETWORK } from '../../src/windows/inputMapping.js';
import { GEOMETRIES, NETWORK_160x120, naiveNetworkPixel } from './reference.js';

const net = NETWORK_160x120;

/** Network column (or -1) of each sensor column, from the lookup table. */
function columns(sensor: { widthPx: number; heightPx: number }, fit: 'letterbox' | 'crop', sampling: 'bin' | 'decimate' = 'bin'): number[] {
  const lut = buildInputLookup(sensor, net, fit, sampling);
  return Array.from(lut.columnToNetX, (c) => (c === OUTSIDE_NETWORK ? -1 : c));
}
function rows(sensor: { widthPx: number; heightPx: number }, fit: 'letterbox' | 'crop', sampling: 'bin' | 'decimate' = 'bin'): number[] {
  const lut = buildInputLookup(sensor, net, fit, sampling);
  return Array.from(lut.rowToNetOffset, (r) => (r === OUTSIDE_NETWORK ? -1 : r / net.widthPx));
}

describe('computeInputMapping', () => {
  it('letterbox uses the smaller scale and centres the sensor', () => {
    const m = computeInputMapping({ widthPx: 1280, heightPx: 720 }, net, 'letterbox');
    expect(m.scale).toBe(0.125);
    expect(m.offsetXPx).toBe(0);
    expect(m.offsetYPx).toBe(15); // 720 · 0.125 = 90 rows, (120 − 90) / 2 = 15 rows of padding each side
  });

  it('crop uses the larger scale and centres the cut', () => {
    const m = computeInputMapping({ widthPx: 1280, heightPx: 720 }, net, 'crop');
    expect(m.scale).toBeCloseTo(1 / 6, 15);
    expect(m.offsetXPx).toBeCloseTo(-80 / 3, 12); // 1280/6 = 213.3 columns, 53.3 cut, half each side
    expect(m.offsetYPx).toBeCloseTo(0, 12);
  });

  it.each([
    [{ widthPx: 0, heightPx: 480 }, 'sensor.widthPx'],
    [{ widthPx: 640, heightPx: 2.5 }, 'sensor.heightPx'],
    [{ widthPx: -640, heightPx: 480 }, 'sensor.widthPx'],
  ])('rejects sensor geometry %o with a clear error', (sensor, field) => {
    expect(() => computeInputMapping(sensor, net, 'letterbox')).toThrow(new RegExp(field.replace('.', '\\.')));
  });

  it('rejects a zero network geometry and an unknown fit', () => {
    expect(() => computeInputMapping({ widthPx: 640, heightPx: 480 }, { widthPx: 160, heightPx: 0 }, 'crop')).toThrow(
      /network\.heightPx/,
    );
    expect(() =>
      computeInputMapping({ widthPx: 640, heightPx: 480 }, net, 'stretch' as unknown as 'crop'),
    ).toThrow(/fit/);
  });
});

describe('buildInputLookup: hand-derived tables', () => {
  it('640×480 → 160×120 bins 4×4 blocks (both fits agree: same aspect ratio)', () => {
    for (const fit of ['letterbox', 'crop'] as const) {
      const c = columns({ widthPx: 640, heightPx: 480 }, fit);
      const r = rows({ widthPx: 640, heightPx: 480 }, fit);
      c.forEach((v, x) => expect(v).toBe(x >> 2));
      r.forEach((v, y) => expect(v).toBe(y >> 2));
    }
  });

  it('320×240 → 160×120 bins 2×2 and 160×120 is the identity', () => {
    columns({ widthPx: 320, heightPx: 240 }, 'letterbox').forEach((v, x) => expect(v).toBe(x >> 1));
    rows({ widthPx: 320, heightPx: 240 }, 'crop').forEach((v, y) => expect(v).toBe(y >> 1));
    columns({ widthPx: 160, heightPx: 120 }, 'letterbox').forEach((v, x) => expect(v).toBe(x));
    rows({ widthPx: 160, heightPx: 120 }, 'crop').forEach((v, y) => expect(v).toBe(y));
  });

  it('1280×720 letterbox: 8×8 blocks, 15 empty rows above and below', () => {
    columns({ widthPx: 1280, heightPx: 720 }, 'letterbox').forEach((v, x) => expect(v).toBe(x >> 3));
    rows({ widthPx: 1280, heightPx: 720 }, 'letterbox').forEach((v, y) => expect(v).toBe(15 + (y >> 3)));
  });

  it('1280×720 crop: 6×6 blocks, the outer 160 columns on each side dropped', () => {
    columns({ widthPx: 1280, heightPx: 720 }, 'crop').forEach((v, x) =>
      expect(v).toBe(x < 160 || x >= 1120 ? -1 : Math.floor((x - 160) / 6)),
    );
    rows({ widthPx: 1280, heightPx: 720 }, 'crop').forEach((v, y) => expect(v).toBe(Math.floor(y / 6)));
  });
});

describe.each(GEOMETRIES.map((g) => [`${g.widthPx}×${g.heightPx}`, g] as const))(
  'buildInputLookup %s → 160×120',
  (_name, sensor) => {
    it('tables agree with the contract formula for every pixel, both fits', () => {
      for (const fit of ['letterbox', 'crop'] as const) {
        const lut = buildInputLookup(sensor, net, fit);
        const mismatches: string[] = [];
        for (let x = 0; x < sensor.widthPx; x++) {
          for (let y = 0; y < sensor.heightPx; y++) {
            const ref = naiveNetworkPixel(lut.mapping, net, x, y);
            const idx = lut.columnToNetX[x] + lut.rowToNetOffset[y];
            const want = ref ? ref.yn * net.widthPx + ref.xn : -1;
            if ((idx < 0 ? -1 : idx) !== want) mismatches.push(`${fit} (${x},${y}): ${idx} ≠ ${want}`);
          }
        }
        expect(mismatches.slice(0, 5)).toEqual([]);
      }
    });

    it('letterbox keeps every sensor pixel, columns/rows monotonic, padding balanced within one pixel', () => {
      const c = columns(sensor, 'letterbox');
      const r = rows(sensor, 'letterbox');
      expect(c.every((v) => v >= 0)).toBe(true);
      expect(r.every((v) => v >= 0)).toBe(true);
      for (let i = 1; i < c.length; i++) expect(c[i]).toBeGreaterThanOrEqual(c[i - 1]);
      for (let i = 1; i < r.length; i++) expect(r[i]).toBeGreaterThanOrEqual(r[i - 1]);
      const padLeft = c[0];
      const padRight = net.widthPx - 1 - c[c.length - 1];
      const padTop = r[0];
      const padBottom = net.heightPx - 1 - r[r.length - 1];
      expect(Math.abs(padLeft - padRight)).toBeLessThanOrEqual(1);
      expect(Math.abs(padTop - padBottom)).toBeLessThanOrEqual(1);
      // One axis is filled completely (the scale is set by it).
      expect(Math.min(padLeft + padRight, padTop + padBottom)).toBe(0);
    });

    it('crop covers every network column and row, and drops sensor borders only symmetrically', () => {
      const c = columns(sensor, 'crop');
      const r = rows(sensor, 'crop');
      expect(new Set(c.filter((v) => v >= 0)).size).toBe(net.widthPx);
      expect(new Set(r.filter((v) => v >= 0)).size).toBe(net.heightPx);
      const droppedLeft = c.findIndex((v) => v >= 0);
      const droppedRight = c.length - 1 - c.findLastIndex((v) => v >= 0);
      expect(Math.abs(droppedLeft - droppedRight)).toBeLessThanOrEqual(1);
    });
  },
);

describe('buildInputLookup: decimate (one sensor pixel per network pixel)', () => {
  it('320×240 → 160×120 keeps the even columns and rows only, each at its own network pixel', () => {
    columns({ widthPx: 320, heightPx: 240 }, 'letterbox', 'decimate').forEach((v, x) => expect(v).toBe(x % 2 === 0 ? x / 2 : -1));
    rows({ widthPx: 320, heightPx: 240 }, 'letterbox', 'decimate').forEach((v, y) => expect(v).toBe(y % 2 === 0 ? y / 2 : -1));
  });

  it('at the network\'s own resolution it is the identity, as bin is', () => {
    expect(columns(net, 'letterbox', 'decimate')).toEqual(columns(net, 'letterbox'));
    expect(rows(net, 'crop', 'decimate')).toEqual(rows(net, 'crop'));
  });

  it.each(GEOMETRIES.map((g) => [`${g.widthPx}×${g.heightPx}`, g] as const))(
    '%s, both fits: exactly the first sensor column (row) of every network column (row) bin reaches counts',
    (_name, sensor) => {
      for (const fit of ['letterbox', 'crop'] as const) {
        const binned = columns(sensor, fit);
        const kept = columns(sensor, fit, 'decimate');
        binned.forEach((cell, x) => expect(kept[x]).toBe(cell >= 0 && (x === 0 || binned[x - 1] !== cell) ? cell : -1));
        const binnedRows = rows(sensor, fit);
        const keptRows = rows(sensor, fit, 'decimate');
        binnedRows.forEach((cell, y) => expect(keptRows[y]).toBe(cell >= 0 && (y === 0 || binnedRows[y - 1] !== cell) ? cell : -1));
        // Each network column the binned table reaches is reached by one sensor column, no more.
        const reached = kept.filter((c) => c >= 0);
        expect(new Set(reached).size).toBe(reached.length);
        expect(new Set(reached)).toEqual(new Set(binned.filter((c) => c >= 0)));
      }
    },
  );

  it('refuses an unknown sampling', () => {
    expect(() => buildInputLookup({ widthPx: 320, heightPx: 240 }, net, 'letterbox', 'nearest' as never)).toThrow(/sampling must be 'bin' or 'decimate'/);
  });
});
