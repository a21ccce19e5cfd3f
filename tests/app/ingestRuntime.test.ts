import { describe, expect, it } from 'vitest';
import { IngestRuntime } from '../../src/app/ingestRuntime.js';
import type { EventWindow } from '../../src/contracts/eventWindow.js';
import { MemoryEventSource } from '../../src/ingest/memory/memoryEventSource.js';
import { ManualClock } from '../../src/platform/time.js';
import { randomStream } from '../helpers/events.js';

function collect(): { windows: { index: number; tEndUs: number; eventCount: number; sum: number }[]; onWindow: (w: EventWindow) => void } {
  const windows: { index: number; tEndUs: number; eventCount: number; sum: number }[] = [];
  return {
    windows,
    onWindow: (w) => {
      let sum = 0;
      for (const v of w.input.data) sum += v;
      windows.push({ index: w.index, tEndUs: w.tEndUs, eventCount: w.eventCount, sum });
    },
  };
}

describe('IngestRuntime', () => {
  it('cuts the source’s events into windows at the configured rate, inputs holding every event', async () => {
    const source = new MemoryEventSource({ widthPx: 320, heightPx: 240 });
    const { windows, onWindow } = collect();
    const rt = new IngestRuntime(source, { rateHz: 200 }, new ManualClock(), onWindow);
    await rt.start();
    // 100 ms of events, 10 events every 100 µs
    const n = 10_000;
    const ev = { length: n, x: new Uint16Array(n), y: new Uint16Array(n), p: new Uint8Array(n), tUs: new Float64Array(n) };
    for (let i = 0; i < n; i++) {
      ev.x[i] = (i * 7) % 320;
      ev.y[i] = (i * 13) % 240;
      ev.p[i] = i & 1;
      ev.tUs[i] = 1_000_000 + Math.floor(i / 10) * 100;
    }
    source.deliver(ev);
    // windows of 5 ms end on the 5 ms grid; the last event is at 1 099 900 µs, so 19 windows have closed
    expect(windows.map((w) => w.tEndUs)).toEqual(Array.from({ length: 19 }, (_, k) => 1_005_000 + k * 5000));
    expect(windows.every((w) => w.eventCount === 500 && w.sum === 500)).toBe(true);
    expect(rt.status()).toMatchObject({ windows: 19, emptyWindows: 0, eventsInWindows: 9500 });
  });

  it('keeps emitting (empty) windows from heartbeats when the scene is quiet', async () => {
    const source = new MemoryEventSource({ widthPx: 64, heightPx: 48 });
    const { windows, onWindow } = collect();
    const rt = new IngestRuntime(source, { rateHz: 100 }, new ManualClock(), onWindow);
    await rt.start();
    source.deliver(randomStream(10, 1, 64, 48, 2_000_000));
    const before = windows.length;
    source.heartbeat(2_100_000);
    expect(windows.length - before).toBe(10);
    expect(rt.status().emptyWindows).toBeGreaterThanOrEqual(9);
  });

  it('waits for the geometry and rebuilds the cutter when the sensor changes', async () => {
    const source = new MemoryEventSource(undefined);
    const { windows, onWindow } = collect();
    const rt = new IngestRuntime(source, { rateHz: 200 }, new ManualClock(), onWindow);
    await rt.start();
    source.heartbeat(1_000_000); // no geometry yet: ignored, nothing breaks
    source.geometry = { widthPx: 64, heightPx: 48 };
    source.deliver(randomStream(100, 2, 64, 48, 1_000_000));
    source.heartbeat(1_050_000);
    expect(windows.length).toBeGreaterThan(0);
    source.geometry = { widthPx: 128, heightPx: 96 };
    source.deliver(randomStream(100, 3, 128, 96, 1_100_000));
    expect(rt.status().geometryChanges).toBe(1);
  });
});
