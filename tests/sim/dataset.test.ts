import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { EventBuffer } from '../../src/formats/evt/eventBuffer.js';
import { decodeEvents, decodeTruth, decodeVehicle, encodeEvents, encodeTruth, encodeVehicle } from '../../sim/dataset/codec.js';
import { VEHICLE_FIELDS } from '../../sim/dataset/format.js';
import { DatasetReader, type DatasetRecord } from '../../sim/dataset/reader.js';
import { recordDataset, type RecordOptions } from '../../sim/dataset/recorder.js';
import { DatasetWriter } from '../../sim/dataset/writer.js';
import { Prng } from '../../sim/world/prng.js';

const dir = mkdtempSync(join(tmpdir(), 'evsim-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function record(name: string, opts: Partial<RecordOptions> = {}): Promise<string> {
  const path = join(dir, name);
  await recordDataset({ scenario: 'slalom', domain: 'A', seed: 7, seconds: 0.3, windowRateHz: 100, truthEveryWindows: 5, ...opts }, (h) => DatasetWriter.create(path, h));
  return path;
}

function readAll(path: string): { reader: DatasetReader; records: DatasetRecord[]; events: number } {
  const reader = DatasetReader.open(path);
  const records: DatasetRecord[] = [];
  let events = 0;
  for (const r of reader.records()) {
    if (r.kind === 'events') {
      events += r.events.length;
      // The reader reuses its event buffer: keep a copy.
      const copy = new EventBuffer(r.events.length + 1);
      copy.append(r.events);
      records.push({ ...r, events: copy });
    } else records.push(r);
  }
  reader.close();
  return { reader, records, events };
}

describe('dataset codec', () => {
  it('round-trips events exactly, including long gaps', () => {
    const b = new EventBuffer();
    const p = new Prng(1);
    let t = 1_000_000;
    for (let k = 0; k < 500; k++) {
      t += k === 100 ? 5_000_000_000 : p.int(40);
      b.push(p.int(640), p.int(480), p.int(2), t);
    }
    const { tStartUs, events } = decodeEvents(encodeEvents(b, 999_000));
    expect(tStartUs).toBe(999_000);
    expect(events.length).toBe(500);
    expect(events.tUs.subarray(0, 500)).toEqual(b.tUs.subarray(0, 500));
    expect(events.x.subarray(0, 500)).toEqual(b.x.subarray(0, 500));
    expect(events.y.subarray(0, 500)).toEqual(b.y.subarray(0, 500));
    expect(events.p.subarray(0, 500)).toEqual(b.p.subarray(0, 500));
  });

  it('round-trips truth within half a quantisation step, with sky and saturation', () => {
    const W = 7;
    const H = 5;
    const p = new Prng(2);
    const planes = {
      widthPx: W,
      heightPx: H,
      depthM: Float32Array.from({ length: W * H }, (_, i) => (i === 3 ? Number.POSITIVE_INFINITY : p.uniform(0.2, 60))),
      invTtcPerS: Float32Array.from({ length: W * H }, (_, i) => (i === 4 ? 99 : p.uniform(-3, 10))),
      flowXPxS: Float32Array.from({ length: W * H }, () => p.uniform(-900, 900)),
      flowYPxS: Float32Array.from({ length: W * H }, () => p.uniform(-900, 900)),
    };
    const back = decodeTruth(encodeTruth(planes));
    for (let i = 0; i < W * H; i++) {
      if (i === 3) expect(back.depthM[i]).toBe(Number.POSITIVE_INFINITY);
      else expect(Math.abs(back.depthM[i]! - planes.depthM[i]!)).toBeLessThanOrEqual(0.0005 + 1e-6);
      if (i === 4) expect(back.invTtcPerS[i]).toBeCloseTo(32.767, 3);
      else expect(Math.abs(back.invTtcPerS[i]! - planes.invTtcPerS[i]!)).toBeLessThanOrEqual(0.0005 + 1e-6);
      expect(Math.abs(back.flowXPxS[i]! - planes.flowXPxS[i]!)).toBeLessThanOrEqual(0.05 + 1e-4);
      expect(Math.abs(back.flowYPxS[i]! - planes.flowYPxS[i]!)).toBeLessThanOrEqual(0.05 + 1e-4);
    }
  });

  it('round-trips vehicle records by field name', () => {
    const values = Float64Array.from(VEHICLE_FIELDS, (_, k) => k * 1.5 - 3);
    const back = decodeVehicle(encodeVehicle(values), VEHICLE_FIELDS);
    expect(back.yawRad).toBe(values[VEHICLE_FIELDS.indexOf('yawRad')]);
    expect(Object.keys(back)).toEqual([...VEHICLE_FIELDS]);
  });
});

describe('dataset recording', () => {
  it('writes identical files for identical seeds and different files for different seeds', async () => {
    const a = readFileSync(await record('a.evsim'));
    const b = readFileSync(await record('b.evsim'));
    const c = readFileSync(await record('c.evsim', { seed: 8 }));
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
  });

  it('reads back header, events, truth, vehicle state and the end record', async () => {
    const path = await record('d.evsim', { domain: 'B', sensor: { widthPx: 320, heightPx: 240 } });
    const { reader, records, events } = readAll(path);
    expect(reader.header.scenario.name).toBe('slalom');
    expect(reader.header.domain).toBe('B');
    expect(reader.header.sensor.widthPx).toBe(320);
    expect(reader.header.network.widthPx).toBe(160);
    expect(reader.truncated).toBe(false);
    const kinds = records.map((r) => r.kind);
    expect(kinds.filter((k) => k === 'events').length).toBe(30);
    expect(kinds.filter((k) => k === 'vehicle').length).toBe(30);
    expect(kinds.filter((k) => k === 'truth').length).toBe(6);
    expect(kinds.at(-1)).toBe('end');
    expect(events).toBeGreaterThan(1000);
    const truth = records.find((r) => r.kind === 'truth');
    expect(truth?.kind === 'truth' && truth.truth.widthPx).toBe(160);
    // Events are in their window, time-ordered, inside the sensor.
    let last = -1;
    for (const r of records) {
      if (r.kind !== 'events') continue;
      for (let k = 0; k < r.events.length; k++) {
        const t = r.events.tUs[k]!;
        expect(t).toBeGreaterThanOrEqual(Math.max(last, r.tStartUs));
        expect(t).toBeLessThanOrEqual(r.tEndUs);
        expect(r.events.x[k]).toBeLessThan(320);
        expect(r.events.y[k]).toBeLessThan(240);
        last = t;
      }
    }
    const v = records.find((r) => r.kind === 'vehicle');
    expect(v?.kind === 'vehicle' && v.values.positionDownM).toBeLessThan(-1);
  });

  it('flags a file cut short and rejects a corrupted record', async () => {
    const path = await record('e.evsim');
    const bytes = readFileSync(path);
    const cut = join(dir, 'cut.evsim');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const { reader, records } = readAll(cut);
    expect(reader.truncated).toBe(true);
    expect(records.length).toBeGreaterThan(5);
    const bad = Buffer.from(bytes);
    bad[bad.length - 200] = bad[bad.length - 200]! ^ 0xff;
    const corrupt = join(dir, 'corrupt.evsim');
    writeFileSync(corrupt, bad);
    expect(() => readAll(corrupt)).toThrow(/CRC|length|inflat|invalid/i);
    writeFileSync(join(dir, 'foreign.evsim'), 'hello world, not a dataset');
    expect(() => DatasetReader.open(join(dir, 'foreign.evsim'))).toThrow(/not an .evsim/);
  });

  it('is recorded by `evpilot sim record` with progress lines on a non-terminal stderr', async () => {
    const out = join(dir, 'cli.evsim');
    const run = promisify(execFile);
    const { stdout, stderr } = await run(process.execPath, ['bin/evpilot.js', 'sim', 'record', '--scenario', 'corridor', '--domain', 'B', '--seed', '3', '--seconds', '0.2', '--out', out, '--json'], {
      cwd: join(__dirname, '..', '..'),
    });
    const report = JSON.parse(stdout) as { windows: number; events: number };
    expect(report.windows).toBe(20);
    expect(report.events).toBeGreaterThan(0);
    expect(stderr).toMatch(/100% {2}0\.2\/0\.2 s simulated/);
    const info = await run(process.execPath, ['bin/evpilot.js', 'sim', 'info', out, '--json'], { cwd: join(__dirname, '..', '..') });
    expect(JSON.parse(info.stdout)).toMatchObject({ scenario: 'corridor', domain: 'B', seed: 3, events: report.events, truncated: false });
    await expect(run(process.execPath, ['bin/evpilot.js', 'sim', 'record', '--scenario', 'nowhere', '--seconds', '1', '--out', out], { cwd: join(__dirname, '..', '..') })).rejects.toMatchObject({ code: 2 });
  });
});
