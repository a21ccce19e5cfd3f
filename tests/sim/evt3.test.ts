import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventBatch } from '../../src/contracts/eventBatch.js';
import { createDecoder, EventBuffer } from '../../src/formats/evt/index.js';
import { readRawFile } from '../../src/ingest/file/rawFileReader.js';
import { decodePacket, PacketWriter, ZmqEventPublisher, ZmqEventSource } from '../../src/ingest/zmq/index.js';
import { RawEventWriter } from '../../sim/dataset/rawEventWriter.js';
import { createExpertPilot } from '../../sim/runner/expertPilot.js';
import { streamEvents, type EventPacketSink } from '../../sim/runner/eventStreamer.js';
import { Simulation } from '../../sim/runner/simulation.js';
import { buildScenario, DOMAIN_A, DOMAIN_B } from '../../sim/scenarios/index.js';
import { Prng } from '../../sim/world/prng.js';

const dir = mkdtempSync(join(tmpdir(), 'evsim-evt3-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GEOM = { widthPx: 160, heightPx: 120 };

function newSim(domain = DOMAIN_A): { sim: Simulation; pilot: ReturnType<typeof createExpertPilot> } {
  const scenario = buildScenario('forest', { seed: 5, domain });
  return { sim: new Simulation({ scenario, camera: { geometry: GEOM } }), pilot: createExpertPilot(scenario, new Prng(5)) };
}

function firstDifference(a: EventBatch, b: EventBatch): string | undefined {
  if (a.length !== b.length) return `lengths ${a.length} vs ${b.length}`;
  for (let k = 0; k < a.length; k++) {
    if (a.x[k] !== b.x[k] || a.y[k] !== b.y[k] || a.p[k] !== b.p[k] || a.tUs[k] !== b.tUs[k]) return `event ${k} differs`;
  }
  return undefined;
}

/** A sink that keeps what it was given and encodes it as EVPK packets (EVT 3.0), as the publisher would. */
class PacketCollector implements EventPacketSink {
  readonly reference = new EventBuffer();
  readonly packets: Uint8Array[] = [];
  heartbeats = 0;
  private readonly writer = new PacketWriter({ sensorId: 9, geometry: GEOM, encoding: 'evt3', streamId: 1234 });
  async publish(batch: EventBatch): Promise<void> {
    this.reference.append(batch);
    this.packets.push(...this.writer.write(batch));
  }
  async publishHeartbeat(tUs: number): Promise<void> {
    this.heartbeats++;
    this.packets.push(this.writer.heartbeat(tUs));
  }
}

describe('EVT 3.0 output', () => {
  it('decodes back, packet by packet, to the simulator’s events with the project’s decoder', async () => {
    const { sim, pilot } = newSim(DOMAIN_B);
    const sink = new PacketCollector();
    const summary = await streamEvents({ sim, sink, controller: pilot, durationS: 0.3 });
    expect(sink.reference.length).toBe(summary.events);
    expect(sink.reference.length).toBeGreaterThan(1000);
    const decoded = new EventBuffer();
    const decoder = createDecoder('evt3', GEOM);
    let seq = 0;
    for (const bytes of sink.packets) {
      const pkt = decodePacket(bytes);
      if (!pkt.ok) throw new Error(pkt.detail);
      expect(pkt.header.sequence).toBe(seq++);
      expect(pkt.header.geometry).toEqual(GEOM);
      decoder.reset(pkt.header.firstTUs);
      decoder.decode(pkt.payload, (b) => decoded.append(b));
      decoder.end((b) => decoded.append(b));
    }
    expect(firstDifference(decoded, sink.reference)).toBeUndefined();
    expect(decoder.counters.invalidWords).toBe(0);
    // One packet per millisecond: 300 of them, events or heartbeats.
    expect(sink.packets.length).toBe(300);
  });

  it('writes a RAW file that the project’s RAW reader decodes to the same events', async () => {
    const { sim, pilot } = newSim();
    const path = join(dir, 'sim.raw');
    const raw = RawEventWriter.create(path, GEOM, { generator: 'test' });
    const reference = new EventBuffer();
    await streamEvents({
      sim,
      controller: pilot,
      durationS: 0.2,
      sink: {
        publish: async (b) => {
          reference.append(b);
          raw.writeEvents(b);
        },
        publishHeartbeat: async () => {},
      },
    });
    raw.close();
    const decoded = new EventBuffer();
    const { info, counters } = await readRawFile(path, (b) => decoded.append(b));
    expect(info.format.encoding).toBe('evt3');
    expect(info.format.geometry).toEqual(GEOM);
    expect(counters.invalidWords).toBe(0);
    expect(firstDifference(decoded, reference)).toBeUndefined();
  });

  it('reaches a ZeroMQ subscriber like a camera driver: every event identical, heartbeats in quiet periods', async () => {
    const { sim, pilot } = newSim();
    const pub = new ZmqEventPublisher({ endpoint: 'tcp://127.0.0.1:*', sensorId: 2, geometry: GEOM, encoding: 'evt3' });
    await pub.open();
    const received = new EventBuffer();
    const source = new ZmqEventSource({ endpoint: pub.endpoint, sensorId: 2 });
    try {
      await source.start((b) => received.append(b));
      expect(await pub.waitForSubscriber(15_000)).toBe(true);
      const reference = new EventBuffer();
      const summary = await streamEvents({
        sim,
        controller: pilot,
        durationS: 0.2,
        sink: {
          publish: (b) => {
            reference.append(b);
            return pub.publish(b);
          },
          publishHeartbeat: (t) => pub.publishHeartbeat(t),
        },
      });
      const deadline = performance.now() + 15_000;
      while (received.length < reference.length && performance.now() < deadline) await delay(5);
      expect(firstDifference(received, reference)).toBeUndefined();
      expect(summary.packets + summary.heartbeats).toBe(200);
      const c = source.counters;
      expect(c.packetsLost + c.queueDrops + c.rejected).toBe(0);
      expect(c.heartbeats).toBe(summary.heartbeats);
    } finally {
      await source.close();
      await pub.close();
    }
  });
});
