import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { runReplay, type ReplayCommandOptions } from '../../src/cli/commands/replay.js';
import type { Clock } from '../../src/contracts/clock.js';
import type { EventBatch } from '../../src/contracts/eventBatch.js';
import type { EventEncoding } from '../../src/contracts/eventEncoding.js';
import { createEncoder, EventBuffer, formatRawHeader } from '../../src/formats/evt/index.js';
import { probeRawFile } from '../../src/ingest/file/rawFileReader.js';
import { RealTimePacer } from '../../src/ingest/replay/realTimePacer.js';
import { replayRawFile } from '../../src/ingest/replay/replayRawFile.js';
import { TimeSliceCutter } from '../../src/ingest/replay/timeSliceCutter.js';
import { ZmqEventSource } from '../../src/ingest/zmq/index.js';
import { expectSameEvents, randomStream } from '../helpers/events.js';
import { until } from './zmqHelpers.js';

const GEOM = { widthPx: 320, heightPx: 240 };
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'evpilot-replay-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function writeRaw(dir: string, events: EventBatch, encoding: EventEncoding = 'evt3'): string {
  const path = join(dir, `rec-${encoding}.raw`);
  const header = formatRawHeader(encoding, GEOM);
  const body = createEncoder(encoding).encode(events);
  writeFileSync(path, Buffer.concat([header, body]));
  return path;
}

function batch(t: number[], x: number[] = t.map((_, i) => i % 300)): EventBatch {
  return { length: t.length, x: Uint16Array.from(x), y: new Uint16Array(t.length).fill(1), p: new Uint8Array(t.length), tUs: Float64Array.from(t) };
}

/** A stream without long quiet gaps, so real-time pacing stays short: ~`spanUs` of sensor time. */
function denseStream(count: number, spanUs: number, startUs: number): EventBatch {
  const b = randomStream(count, 21, GEOM.widthPx, GEOM.heightPx);
  const t = new Float64Array(count);
  for (let i = 0; i < count; i++) t[i] = startUs + Math.floor((i * spanUs) / count);
  return { ...b, tUs: t };
}

class FakeClock implements Clock {
  us = 0;
  nowUs(): number {
    return this.us;
  }
}

describe('TimeSliceCutter', () => {
  it('cuts on the sensor-time grid, skips empty slices and waits for a slice to be complete', () => {
    const c = new TimeSliceCutter(1000);
    c.push(batch([10, 999, 1000, 1500]));
    const first = c.next()!;
    expect(Array.from(first.tUs)).toEqual([10, 999]);
    expect(c.next()).toBeUndefined(); // [1000, 2000) may still grow
    c.push(batch([1999, 5000]));
    expect(Array.from(c.next()!.tUs)).toEqual([1000, 1500, 1999]);
    expect(c.readyEndUs()).toBeUndefined();
    c.finish();
    expect(c.readyEndUs()).toBe(6000); // [2000, 5000) held nothing: skipped
    expect(Array.from(c.next()!.tUs)).toEqual([5000]);
    expect(c.next()).toBeUndefined();
  });

  it('adds the offset and raises events that go back in time, counting them', () => {
    const c = new TimeSliceCutter(100);
    c.push(batch([50, 40, 60]), 1000);
    c.finish();
    expect(Array.from(c.next()!.tUs)).toEqual([1050, 1050, 1060]);
    expect(c.reorderedEvents).toBe(1);
  });
});

describe('RealTimePacer', () => {
  it('schedules sensor time against the clock at the given speed and records lag', () => {
    const clock = new FakeClock();
    const pacer = new RealTimePacer(clock, 2);
    clock.us = 5000;
    expect(pacer.delayUs(1_000_000)).toBe(0); // anchors
    expect(pacer.delayUs(1_002_000)).toBe(1000);
    clock.us = 9000;
    expect(pacer.delayUs(1_004_000)).toBe(0); // due at 7000: 2000 µs late
    expect(pacer.maxLagUs).toBe(2000);
    expect(new RealTimePacer(clock, Infinity).delayUs(123)).toBe(0);
    expect(() => new RealTimePacer(clock, 0)).toThrow(RangeError);
  });
});

describe('replayRawFile', () => {
  it('publishes every event in slices, each no earlier than its end comes due', async () => {
    const dir = tempDir();
    const events = denseStream(20_000, 50_000, 7_000_000);
    const info = await probeRawFile(writeRaw(dir, events));
    const clock = new FakeClock();
    const got = new EventBuffer();
    const sentAt: [number, number][] = [];
    const stats = await replayRawFile({
      info,
      clock,
      speed: 0.5,
      sliceUs: 1000,
      sleep: async (ms) => void (clock.us += ms * 1000),
      publish: async (s) => {
        got.append(s);
        sentAt.push([clock.us, s.tUs[0]!]);
      },
    });
    expect(expectSameEvents(got, events)).toBeUndefined();
    expect(stats).toMatchObject({ passes: 1, events: 20_000, slices: 50, firstTUs: 7_000_000, aborted: false });
    // slice k (k ms after the first) is sent when its end is due: 2 µs of clock per µs of sensor time
    // (the pacer skips sleeps under 500 µs, so a slice may leave up to that early)
    for (const [atUs, firstTUs] of sentAt) {
      const endUs = Math.floor(firstTUs / 1000) * 1000 + 1000;
      expect(atUs).toBeGreaterThanOrEqual((endUs - 7_001_000) * 2 - 500);
    }
    expect(stats.clockUs).toBeGreaterThanOrEqual((7_050_000 - 7_001_000) * 2 - 500);
  });

  it('loops with sensor time increasing across passes until aborted', async () => {
    const dir = tempDir();
    const events = denseStream(3000, 10_000, 100_000);
    const info = await probeRawFile(writeRaw(dir, events, 'evt2'));
    const abort = new AbortController();
    let last = -1;
    let backwards = 0;
    let total = 0;
    const stats = await replayRawFile({
      info,
      clock: new FakeClock(),
      speed: Infinity,
      sliceUs: 1000,
      loop: true,
      signal: abort.signal,
      sleep: async () => {},
      publish: async (s) => {
        for (let i = 0; i < s.length; i++) {
          if (s.tUs[i]! < last) backwards++;
          last = s.tUs[i]!;
        }
        total += s.length;
        if (total >= 3000 * 3 + 10) abort.abort();
      },
    });
    expect(backwards).toBe(0);
    expect(stats.passes).toBe(3);
    expect(stats.aborted).toBe(true);
    expect(stats.events).toBeGreaterThan(9000);
    expect(stats.lastTUs!).toBeGreaterThan(100_000 + 3 * 10_000);
  });
});

describe('evpilot replay', () => {
  const base: ReplayCommandOptions = { endpoint: 'tcp://127.0.0.1:*', speed: Infinity, packetUs: 1000, sensorId: 6, waitSubscriberMs: 20_000, quiet: true };

  it('publishes a recording that a ZmqEventSource receives whole (in process, paced at 20× real time)', async () => {
    const dir = tempDir();
    const events = denseStream(30_000, 200_000, 2_000_000);
    const file = writeRaw(dir, events);
    const got = new EventBuffer();
    let source: ZmqEventSource | undefined;
    const out: string[] = [];
    const summary = await runReplay(
      file,
      { ...base, speed: 20, json: true },
      {
        out: (l) => out.push(l),
        err: () => {},
        onOpen: (endpoint) => {
          source = new ZmqEventSource({ endpoint, sensorId: 6 });
          cleanups.push(() => source!.close());
          void source.start((b) => got.append(b));
        },
      },
    );
    await until(() => got.length === events.length, () => `${events.length} events, have ${got.length}`);
    expect(expectSameEvents(got, events)).toBeUndefined();
    expect(source!.counters).toMatchObject({ packets: 200, sequenceGaps: 0, rejected: 0, deliveredPackets: 200 });
    expect(JSON.parse(out[0]!)).toEqual(JSON.parse(JSON.stringify(summary)));
    expect(summary).toMatchObject({ events: 30_000, packets: 200, passes: 1, speed: 20, sensorId: 6, wireEncoding: 'evt3', subscribers: 1 });
  });

  /** Runs `evpilot replay` in a child process; resolves with its parsed --json summary. */
  async function replayProcess(file: string, endpoint: string, ...extra: string[]): Promise<Record<string, unknown>> {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['bin/evpilot.js', 'replay', file, '--endpoint', endpoint, '--speed', 'max', '--wait-subscriber-ms', '20000', '--json', ...extra],
      { cwd: fileURLToPath(new URL('../..', import.meta.url)), timeout: 60_000 },
    );
    return JSON.parse(stdout.trim()) as Record<string, unknown>;
  }

  it('runs as a command in its own process and prints a JSON summary that matches what was received', async () => {
    const dir = tempDir();
    const events = randomStream(40_000, 31, GEOM.widthPx, GEOM.heightPx, 50_000_000); // gaps wrap the EVT 3.0 counter
    const file = writeRaw(dir, events, 'evt2');
    const endpoint = `ipc://${join(dir, 'events')}`;
    const source = new ZmqEventSource({ endpoint, reconnectDelayMs: 20 });
    cleanups.push(() => source.close());
    const got = new EventBuffer();
    await source.start((b) => got.append(b));
    const summary = await replayProcess(file, endpoint, '--encoding', 'evt3');
    await until(() => got.length === events.length, () => `${events.length} events, have ${got.length}`);
    expect(expectSameEvents(got, events)).toBeUndefined();
    expect(summary).toMatchObject({ events: 40_000, fileFormat: 'EVT2', wireEncoding: 'evt3', speed: 'max', passes: 1 });
    expect(source.counters).toMatchObject({ packets: summary.packets, sequenceGaps: 0, rejected: 0 });
  });

  it('a publisher process that exits and another that starts on the same endpoint: the source goes on, restart counted', async () => {
    const dir = tempDir();
    const a = denseStream(5000, 20_000, 1_000_000);
    const b = randomStream(7000, 41, GEOM.widthPx, GEOM.heightPx, 300_000);
    const fileA = writeRaw(dir, a);
    const fileB = join(dir, 'b.raw');
    writeFileSync(fileB, Buffer.concat([formatRawHeader('evt3', GEOM), createEncoder('evt3').encode(b)]));
    const endpoint = `ipc://${join(dir, 'events')}`;
    const source = new ZmqEventSource({ endpoint, reconnectDelayMs: 20 });
    cleanups.push(() => source.close());
    const got = new EventBuffer();
    await source.start((batch) => got.append(batch));
    await replayProcess(fileA, endpoint);
    await until(() => got.length === 5000, () => `5000 events, have ${got.length}`);
    await replayProcess(fileB, endpoint);
    await until(() => got.length === 12_000, () => `12000 events, have ${got.length}`);
    expect(expectSameEvents({ ...got, length: 5000 }, a)).toBeUndefined();
    const c = source.counters;
    expect([c.streamRestarts, c.sequenceGaps, c.packetsLost, c.rejected]).toEqual([1, 0, 0, 0]);
    expect(c.disconnects).toBeGreaterThanOrEqual(1);
  });

  it('explains missing files, bad endpoints and files that are not recordings', async () => {
    const dir = tempDir();
    const io = { out: () => {}, err: () => {} };
    await expect(runReplay(join(dir, 'nope.raw'), base, io)).rejects.toMatchObject({ name: 'CliError', exitCode: 1, message: expect.stringMatching(/nope\.raw: no such file/) });
    const notRaw = join(dir, 'text.raw');
    writeFileSync(notRaw, 'hello\n');
    await expect(runReplay(notRaw, base, io)).rejects.toMatchObject({ exitCode: 3, message: expect.stringMatching(/no Prophesee RAW header/) });
    const file = writeRaw(dir, denseStream(10, 10, 0));
    await expect(runReplay(file, { ...base, endpoint: 'localhost:5555' }, io)).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/not a ZeroMQ endpoint/) });
    await expect(runReplay(file, { ...base, endpoint: 'tcp://10.255.255.1:5555' }, io)).rejects.toMatchObject({
      name: 'CliError',
      message: expect.stringMatching(/^cannot bind tcp:\/\/10\.255\.255\.1:5555: /),
    });
  });
});
