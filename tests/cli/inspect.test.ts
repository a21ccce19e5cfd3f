import { describe, expect, it } from 'vitest';
import { inspectFile } from '../../src/cli/commands/inspect.js';
import { createEncoder, formatRawHeader } from '../../src/formats/evt/index.js';
import { randomStream } from '../helpers/events.js';
import { mulberry32 } from '../helpers/random.js';
import { runCli, tempDir, writeTemp } from './cliHelpers.js';

const dir = tempDir();
const GEOM = { widthPx: 640, heightPx: 480 };
const enc = (s: string) => new TextEncoder().encode(s);

describe('evpilot inspect', () => {
  const events = randomStream(100_000, 42, 640, 480, 777);
  const evt3Path = writeTemp(dir, 'good.raw', formatRawHeader('evt3', GEOM), createEncoder('evt3').encode(events));
  const evt2Path = writeTemp(dir, 'good2.raw', formatRawHeader('evt2', GEOM), createEncoder('evt2').encode(events));

  it('reports figures that match the encoded events, for EVT 3.0 and EVT 2.0', async () => {
    let sumX = 0;
    let sumY = 0;
    let on = 0;
    for (let i = 0; i < events.length; i++) {
      sumX += events.x[i]!;
      sumY += events.y[i]!;
      on += events.p[i]!;
    }
    for (const path of [evt3Path, evt2Path]) {
      const r = await inspectFile(path);
      expect(r).toMatchObject({
        width: 640,
        height: 480,
        events: events.length,
        onEvents: on,
        offEvents: events.length - on,
        tFirstUs: 777,
        tLastUs: events.tUs[events.length - 1],
        sumX,
        sumY,
        droppedEvents: 0,
        invalidWords: 0,
        triggers: 0,
        warnings: [],
      });
    }
  });

  it('prints one JSON object with --json and exits 0', () => {
    const r = runCli(['inspect', evt3Path, '--json']);
    expect(r.status).toBe(0);
    const obj = JSON.parse(r.stdout);
    expect(obj.format).toBe('EVT3');
    expect(obj.events).toBe(events.length);
  });

  it('prints a readable summary without --json', () => {
    const r = runCli(['inspect', evt2Path]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/EVT2.*640 x 480/);
    expect(r.stdout).toMatch(/events\s+100,000/);
  });

  it('fails clearly on a missing file', () => {
    const r = runCli(['inspect', `${dir}/missing.raw`]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no such file/);
  });

  it('fails clearly on a header naming an unknown format', () => {
    const path = writeTemp(dir, 'evt21.raw', enc('% format EVT21;height=720;width=1280\n% end\n'), new Uint8Array(64));
    const r = runCli(['inspect', path]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/unsupported event format "EVT21"/);
  });

  it('fails clearly on random bytes (no header)', () => {
    const rnd = mulberry32(1);
    const path = writeTemp(dir, 'random.bin', Uint8Array.from({ length: 10_000 }, () => Math.floor(rnd() * 256)));
    const r = runCli(['inspect', path]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/no Prophesee RAW header/);
  });

  it('reports random data behind a valid header as not event data, with the counts', async () => {
    const rnd = mulberry32(2);
    const path = writeTemp(dir, 'garbage.raw', formatRawHeader('evt3', GEOM), Uint8Array.from({ length: 20_000 }, () => Math.floor(rnd() * 256)));
    const report = await inspectFile(path);
    expect(report.invalidWords).toBeGreaterThan(1000);
    expect(report.warnings.join()).toMatch(/does not look like EVT3/);
    const r = runCli(['inspect', path, '--json']);
    expect(r.status).toBe(3);
    expect(JSON.parse(r.stdout).invalidWords).toBe(report.invalidWords);
  });

  it('reports a header with no data as zero events, with a warning', async () => {
    const path = writeTemp(dir, 'empty.raw', formatRawHeader('evt3', GEOM));
    const r = await inspectFile(path);
    expect(r.events).toBe(0);
    expect(r.tFirstUs).toBeNull();
    expect(r.warnings).toContain('no event data after the header');
  });

  it('decodes a truncated file up to the cut and counts the partial word', async () => {
    const full = createEncoder('evt2').encode(events);
    const path = writeTemp(dir, 'truncated.raw', formatRawHeader('evt2', GEOM), full.subarray(0, 4 * 5001 + 3));
    const r = await inspectFile(path);
    expect(r.trailingBytes).toBe(3);
    expect(r.events).toBeGreaterThan(0);
    expect(r.events).toBeLessThan(events.length);
    expect(r.warnings.join()).toMatch(/truncated/);
  });

  it('counts events outside the geometry and drops them', async () => {
    // encoded for a 640x480 sensor but the header claims 320x240
    const path = writeTemp(dir, 'small.raw', formatRawHeader('evt3', { widthPx: 320, heightPx: 240 }), createEncoder('evt3').encode(events));
    const r = await inspectFile(path);
    let inside = 0;
    for (let i = 0; i < events.length; i++) if (events.x[i]! < 320 && events.y[i]! < 240) inside++;
    expect(r.events).toBe(inside);
    expect(r.droppedOutOfGeometry).toBe(events.length - inside);
  });

  it('counts timestamps going backwards', async () => {
    const words = new Uint16Array([0x8000 | 5, 0x0001, 0x2801, 0x8000 | 4, 0x2802, 0x8000 | 6, 0x2803]);
    const path = writeTemp(dir, 'backwards.raw', formatRawHeader('evt3', GEOM), new Uint8Array(words.buffer));
    const r = await inspectFile(path);
    expect(r.events).toBe(3);
    expect(r.backwardsTimestamps).toBe(1);
  });

  it('asks for the geometry when the header has none and the sensor is unknown', () => {
    const path = writeTemp(dir, 'nogeom.raw', enc('% evt 3.0\n'), createEncoder('evt3').encode(events));
    const r = runCli(['inspect', path]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/--width and --height/);
    const ok = runCli(['inspect', path, '--width', '640', '--height', '480', '--json']);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).events).toBe(events.length);
  });

  it('rejects bad option values with a usage error', () => {
    const r = runCli(['inspect', evt3Path, '--format', 'evt9']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/expected one of evt2, evt3/);
  });
});
