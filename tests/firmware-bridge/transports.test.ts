import { mkdtempSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, ManualScheduler, realClock, realScheduler } from '../../src/platform/time.js';
import type { ByteTransport } from '../../firmware-bridge/transport/byteTransport.js';
import { createMockTransportPair } from '../../firmware-bridge/transport/mockTransport.js';
import { ReconnectingTransport, type TransportEvent } from '../../firmware-bridge/transport/reconnectingTransport.js';
import { SerialTransport } from '../../firmware-bridge/transport/serialTransport.js';
import { SocatPtyPair } from '../../firmware-bridge/transport/socatPtyPair.js';
import { TcpTransport } from '../../firmware-bridge/transport/tcpTransport.js';
import { UdpTransport } from '../../firmware-bridge/transport/udpTransport.js';
import { until } from './helpers.js';

function collect(t: ByteTransport): number[] {
  const got: number[] = [];
  t.onData((c) => got.push(...c));
  return got;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('MockTransport', () => {
  it('delivers writes to the peer, refuses writes when closed, and simulates unplugging', async () => {
    const [a, b] = createMockTransportPair();
    await a.open();
    await b.open();
    const got = collect(b);
    expect(a.write(Uint8Array.of(1, 2, 3))).toBe(true);
    expect(got).toEqual([1, 2, 3]);
    const closes: (Error | null)[] = [];
    a.onClose((e) => closes.push(e));
    a.unplug();
    expect(closes).toHaveLength(1);
    expect(a.write(Uint8Array.of(4))).toBe(false);
    await expect(a.open()).rejects.toThrow(/unplugged/);
    a.replug();
    await a.open();
    expect(a.write(Uint8Array.of(5))).toBe(true);
    expect(got).toEqual([1, 2, 3, 5]);
  });
});

describe('ReconnectingTransport (manual clock)', () => {
  it('reopens after a loss with exponential back-off and counts the reconnect', async () => {
    const clock = new ManualClock(0);
    const scheduler = new ManualScheduler(clock);
    const [a, b] = createMockTransportPair();
    await b.open();
    const rt = new ReconnectingTransport(() => a, { clock, scheduler, initialDelayUs: 100_000, maxDelayUs: 400_000 }, 'rt');
    const events: TransportEvent[] = [];
    rt.onEvent((e) => events.push(e));
    await rt.open();
    const got = collect(b);
    expect(rt.write(Uint8Array.of(1))).toBe(true);
    a.unplug();
    expect(rt.isOpen).toBe(false);
    expect(rt.write(Uint8Array.of(2))).toBe(false); // dropped, not queued
    // Attempts at +100 ms, +300 ms, +700 ms, +1100 ms (delay capped at 400 ms) fail while unplugged.
    for (const t of [100_000, 300_000, 700_000, 1_100_000]) {
      scheduler.advance(t - clock.nowUs());
      await Promise.resolve();
      await Promise.resolve();
    }
    const failedAt = events.filter((e) => e.kind === 'open-failed').map((e) => (e as { retryInUs: number }).retryInUs);
    expect(failedAt).toEqual([200_000, 400_000, 400_000, 400_000]);
    a.replug();
    scheduler.advance(400_000);
    await Promise.resolve();
    await Promise.resolve();
    expect(rt.isOpen).toBe(true);
    expect(rt.reconnects).toBe(1);
    expect(rt.write(Uint8Array.of(3))).toBe(true);
    expect(got).toEqual([1, 3]);
    await rt.close();
    expect(scheduler.pending).toBe(0);
  });

  it('rejects the first open after openTimeoutUs', async () => {
    const clock = new ManualClock(0);
    const scheduler = new ManualScheduler(clock);
    const [a] = createMockTransportPair();
    a.unplug();
    const rt = new ReconnectingTransport(() => a, { clock, scheduler, initialDelayUs: 100_000, openTimeoutUs: 250_000 }, 'rt');
    let error: unknown = null;
    const p = rt.open().catch((e: unknown) => {
      error = e;
    });
    for (let i = 0; i < 10; i++) {
      await Promise.resolve();
      scheduler.advance(50_000);
    }
    await p;
    expect(String(error)).toMatch(/unplugged/);
    expect(rt.openFailures).toBe(2); // at 0 and 100 ms; the next (300 ms) would pass the timeout
  });
});

describe('SerialTransport over a socat pty pair', () => {
  it('moves bytes both ways in both write modes; pty refuses low-latency mode, which is recorded', async () => {
    expect(SocatPtyPair.available(), 'socat is required: apt-get install -y socat').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'evpilot-serial-'));
    const pty = new SocatPtyPair(join(dir, 'fc'), join(dir, 'cc'));
    await pty.start();
    cleanups.push(() => pty.stop());
    const a = new SerialTransport({ path: pty.pathA });
    const b = new SerialTransport({ path: pty.pathB, baudRate: 115_200, writeMode: 'stream' });
    await a.open();
    await b.open();
    cleanups.push(() => a.close(), () => b.close());
    expect(a.lowLatencyApplied).toBe(false);
    expect(b.description).toBe(`serial:${pty.pathB}@115200`);
    const gotB = collect(b);
    const gotA = collect(a);
    const written = await new Promise<Error | null>((resolve) => a.write(Uint8Array.of(0xfd, 1, 2), resolve));
    expect(written).toBeNull();
    b.write(Uint8Array.of(9, 8));
    await until(() => gotB.length === 3 && gotA.length === 2, 'bytes through the pty');
    expect(gotB).toEqual([0xfd, 1, 2]);
    expect(gotA).toEqual([9, 8]);
    // a wrote with one write(2) from the caller; b (stream mode) through @serialport/stream.
    expect(a.writeStats).toEqual({ direct: 1, stream: 0 });
    expect(b.writeStats).toEqual({ direct: 0, stream: 1 });
  });

  it('reconnects after socat is killed and restarted (pty unplugged and replugged)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evpilot-replug-'));
    const pty = new SocatPtyPair(join(dir, 'fc'), join(dir, 'cc'));
    await pty.start();
    cleanups.push(() => pty.stop());
    const rt = new ReconnectingTransport(() => new SerialTransport({ path: pty.pathB }), {
      clock: realClock,
      scheduler: realScheduler,
      initialDelayUs: 20_000,
      maxDelayUs: 100_000,
    });
    const events: string[] = [];
    rt.onEvent((e) => events.push(e.kind));
    await rt.open();
    cleanups.push(() => rt.close());
    await pty.stop();
    // A pty whose master vanished reports it on the next write.
    await until(() => {
      rt.write(Uint8Array.of(0));
      return events.includes('lost');
    }, 'the loss to be noticed');
    await new Promise((r) => setTimeout(r, 150)); // let a few attempts fail while it is gone
    expect(events).toContain('open-failed');
    await pty.start();
    await until(() => rt.isOpen, 'the reconnect');
    expect(rt.reconnects).toBe(1);
    const fc = new SerialTransport({ path: pty.pathA });
    await fc.open();
    cleanups.push(() => fc.close());
    const got = collect(fc);
    rt.write(Uint8Array.of(7, 7, 7));
    await until(() => got.length === 3, 'bytes after the reconnect');
  });
});

describe('UDP and TCP transports (loopback)', () => {
  it('UDP: a fixed-remote end talks to a listening end that learns its peer', async () => {
    // The bound port is not observable through the interface, so pick a random high pair.
    const px = 47_000 + Math.floor(Math.random() * 1000);
    const server = new UdpTransport({ localHost: '127.0.0.1', localPort: px });
    const client = new UdpTransport({ localHost: '127.0.0.1', localPort: px + 1, remoteHost: '127.0.0.1', remotePort: px });
    await server.open();
    await client.open();
    cleanups.push(() => server.close(), () => client.close());
    expect(server.write(Uint8Array.of(1))).toBe(false); // no peer yet
    expect(server.droppedNoPeer).toBe(1);
    const gotS = collect(server);
    const gotC = collect(client);
    client.write(Uint8Array.of(1, 2));
    await until(() => gotS.length === 2, 'datagram to the server');
    expect(server.peer).toEqual({ host: '127.0.0.1', port: px + 1 });
    server.write(Uint8Array.of(3));
    await until(() => gotC.length === 1, 'reply to the client');
  });

  it('TCP: connects, moves bytes, reports the peer hanging up', async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((s) => {
      sockets.push(s);
      s.on('data', (d) => s.write(d)); // echo
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as { port: number }).port;
    const t = new TcpTransport({ host: '127.0.0.1', port });
    await t.open();
    const got = collect(t);
    const closes: (Error | null)[] = [];
    t.onClose((e) => closes.push(e));
    t.write(Uint8Array.of(4, 5, 6));
    await until(() => got.length === 3, 'echo');
    sockets[0]!.destroy();
    await until(() => closes.length === 1, 'close notification');
    expect(t.isOpen).toBe(false);
    await expect(new TcpTransport({ host: '127.0.0.1', port: 1 }).open()).rejects.toThrow();
  });
});
