/**
 * Steering on the simulator's true ν (`evpilot start --steer-on-truth`, a diagnostic): the shared truth channel
 * (also across a thread), the simulated world's check of it, and the inference stage that hands the steering the truth in place of the network's map.
 */
import { describe, expect, it } from 'vitest';
import type { NetworkInput } from '../../src/contracts/eventWindow.js';
import type { SensorGeometry } from '../../src/contracts/sensorGeometry.js';
import { SharedTruthChannel } from '../../src/app/sharedTruthChannel.js';
import { SharedVehicleChannel } from '../../src/app/sharedVehicleChannel.js';
import { SimWorld } from '../../src/app/simWorld.js';
import { TruthSteeredInference } from '../../src/app/truthSteeredInference.js';
import { startTypeScriptWorker } from '../../src/platform/typescriptWorker.js';
import { ConstantNet } from './constantNet.js';

const GEOMETRY: SensorGeometry = { widthPx: 8, heightPx: 6 };

const INPUT = {} as NetworkInput; // the double never reads it

describe('SharedTruthChannel', () => {
  it('holds nothing until written, then the latest map and its time; a second view sees the same', () => {
    const a = SharedTruthChannel.create(GEOMETRY);
    const b = SharedTruthChannel.attach(a.buffer);
    expect(b.geometry).toEqual(GEOMETRY);
    const into = new Float32Array(48).fill(-1);
    expect(b.read(into)).toBeNaN();
    expect(into.every((v) => v === -1)).toBe(true); // left as it was
    const map = Float32Array.from({ length: 48 }, (_, i) => i / 10);
    a.write(5000, map);
    a.write(10_000, map.map((v) => v * 2));
    expect(b.read(into)).toBe(10_000);
    expect(Array.from(into)).toEqual(Array.from(map.map((v) => v * 2)));
  });

  it('refuses maps and buffers of another size, saying which', () => {
    const ch = SharedTruthChannel.create(GEOMETRY);
    expect(() => ch.write(0, new Float32Array(47))).toThrow(/47 pixels, expected 48/);
    expect(() => ch.read(new Float32Array(49))).toThrow(/49 pixels, expected 48/);
    const wrong = new SharedArrayBuffer(ch.buffer.byteLength + 4);
    new Int32Array(wrong, 0, 3).set([0, 8, 6]);
    expect(() => SharedTruthChannel.attach(wrong)).toThrow(/does not hold a 8×6 map/);
  });

  it('never hands over a torn map while another thread writes', async () => {
    const ch = SharedTruthChannel.create({ widthPx: 160, heightPx: 120 });
    // Every pixel of map k is k, and so is its time: a torn read would mix two maps, or a map and a time.
    const worker = startTypeScriptWorker(new URL('./workers/truthWriter.ts', import.meta.url), { workerData: { buffer: ch.buffer, count: 20_000 } });
    const done = new Promise((resolve) => worker.once('exit', resolve));
    let finished = false;
    void done.then(() => (finished = true));
    const into = new Float32Array(160 * 120);
    let reads = 0;
    let torn = 0;
    while (!finished) {
      const t = ch.read(into);
      if (!Number.isNaN(t)) {
        if (into[0] !== t || into[into.length - 1] !== t || into.some((v) => v !== t)) torn++;
        reads++;
      }
      if (reads % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(reads).toBeGreaterThan(0);
    expect(torn).toBe(0);
    expect(ch.read(into)).toBe(20_000);
  });
});

describe('SimWorld with a truth channel', () => {
  it('refuses a channel of another geometry than its truth before it binds anything', async () => {
    const options = { scenario: 'forest', domain: 'B' as const, seed: 1, durationS: 1, speed: 1, endpoint: 'ipc:///nonexistent/never-bound.ipc', sensorId: 1, waitSubscriberMs: 0 };
    await expect(SimWorld.create(options, SharedVehicleChannel.create(), SharedTruthChannel.create(GEOMETRY))).rejects.toThrow(/truth channel holds 8×6 maps, the simulator's truth is 160×120/);
  });
});

describe('TruthSteeredInference', () => {
  it('runs the network on every window and hands on the truth in its place, once there is one', async () => {
    const net = new ConstantNet(GEOMETRY, 0.25);
    const truth = SharedTruthChannel.create(GEOMETRY);
    const steered = new TruthSteeredInference(net, truth);

    // Before the simulator has written anything: the network's own map.
    const first = await steered.infer(INPUT, 1000, 1.5);
    expect(first.invTtcPerS[0]).toBe(0.25);
    expect(steered).toMatchObject({ truthMaps: 0, networkMaps: 1 });

    const map = Float32Array.from({ length: 48 }, (_, i) => (i % 8) * 0.5);
    truth.write(2000, map);
    const second = await steered.infer(INPUT, 2500, 1.5);
    expect(Array.from(second.invTtcPerS)).toEqual(Array.from(map));
    // The window's time and the weights' version stay the network's: only ν is the truth's.
    expect(second).toMatchObject({ tUs: 2500, geometry: GEOMETRY, weightsVersion: 7 });
    expect(steered).toMatchObject({ truthMaps: 1, networkMaps: 1 });
    expect(net.calls).toEqual([
      { tUs: 1000, nuScale: 1.5 },
      { tUs: 2500, nuScale: 1.5 },
    ]);

    // New weights (from the learner) still reach the network.
    steered.setWeights(9, new Float32Array(1));
    expect(net.weights).toEqual([9]);
  });

  it('refuses a truth of another geometry than the network\'s map', async () => {
    const steered = new TruthSteeredInference(new ConstantNet({ widthPx: 160, heightPx: 120 }, 0), SharedTruthChannel.create(GEOMETRY));
    await expect(steered.infer(INPUT, 0)).rejects.toThrow(/truth is 8×6, the network's map 160×120/);
  });
});
