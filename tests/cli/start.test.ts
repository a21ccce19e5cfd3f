import { describe, expect, it } from 'vitest';
import { createEncoder, formatRawHeader } from '../../src/formats/evt/index.js';
import { runCli, tempDir, writeTemp } from './cliHelpers.js';

/** 0.5 s of a bar sweeping a 320×240 sensor: 20 events every 100 µs. */
function sweep(): { length: number; x: Uint16Array; y: Uint16Array; p: Uint8Array; tUs: Float64Array } {
  const n = 100_000;
  const b = { length: n, x: new Uint16Array(n), y: new Uint16Array(n), p: new Uint8Array(n), tUs: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const step = Math.floor(i / 20);
    b.x[i] = (step * 3) % 320;
    b.y[i] = (i % 20) * 12;
    b.p[i] = step & 1;
    b.tUs[i] = 10_000_000 + step * 100;
  }
  return b;
}

describe('evpilot start', () => {
  it('runs the live path on a replayed recording: every event reaches a window at 200 Hz', () => {
    const dir = tempDir();
    const events = sweep();
    const file = writeTemp(dir, 'sweep.raw', formatRawHeader('evt3', { widthPx: 320, heightPx: 240 }), createEncoder('evt3').encode(events));
    const r = runCli(['start', '--replay', file, '--speed', '1', '--seconds', '30', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
    // 0.5 s of sensor time at 200 Hz: 100 windows (the last, partial one stays open)
    expect(summary.ingest.windows).toBeGreaterThanOrEqual(99);
    expect(summary.ingest.windows).toBeLessThanOrEqual(100);
    expect(summary.zmq.events).toBe(events.length);
    expect(summary.zmq.sequenceGaps).toBe(0);
    expect(summary.ingest.cutter.backwardsEvents).toBe(0);
  });

  it('rejects a malformed --endpoint with a usage error (ingest only)', () => {
    const r = runCli(['start', '--endpoint', 'nonsense']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--endpoint/);
  });

  it('refuses --learner-yield without --learn, saying why, before flying', () => {
    const r = runCli(['start', '--learner-yield', '--seconds', '1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--learner-yield needs --learn/);
    expect(r.stdout).not.toMatch(/collisions/);
  });
});
