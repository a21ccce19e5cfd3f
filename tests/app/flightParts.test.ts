/**
 * The closed loop's small parts on their own, on a manual clock: the shared vehicle channel (also across
 * a thread), the sim vehicle adapter, and the steering pipeline's scheduling and latency bookkeeping.
 */
import { describe, expect, it } from 'vitest';
import { SectorSteering } from '../../src/avoidance/sectorSteering.js';
import type { EventWindow, NetworkInput } from '../../src/contracts/eventWindow.js';
import type { ProximityMap } from '../../src/contracts/proximityMap.js';
import type { SteeringSetpoint } from '../../src/contracts/steeringSetpoint.js';
import type { VehicleState } from '../../src/contracts/vehicleState.js';
import { SharedVehicleChannel, emptyVehicleState } from '../../src/app/sharedVehicleChannel.js';
import { SimVehicleAdapter } from '../../src/app/simVehicleAdapter.js';
import { SteeringPipeline, wrapPi, type ProximityInference } from '../../src/app/steeringPipeline.js';
import { ManualClock } from '../../src/platform/time.js';
import { startTypeScriptWorker } from '../../src/platform/typescriptWorker.js';

describe('SharedVehicleChannel', () => {
  it('carries the state one way and the command the other, and a second view sees the same', () => {
    const a = SharedVehicleChannel.create();
    const b = SharedVehicleChannel.attach(a.buffer);
    expect(b.readState().minClearanceM).toBe(Number.POSITIVE_INFINITY);
    expect(b.readCommand().count).toBe(0);
    const s = emptyVehicleState();
    s.simTUs = 5000;
    s.northM = 1.25;
    s.yawRad = -0.5;
    s.collisions = 2;
    a.writeState(s);
    expect(b.readState()).toMatchObject({ simTUs: 5000, northM: 1.25, yawRad: -0.5, collisions: 2 });
    b.writeCommand(0.5, -0.1, 0, 0.2);
    b.writeCommand(0.6, 0, 0, 0);
    expect(a.readCommand()).toEqual({ velForwardMS: 0.6, velRightMS: 0, velDownMS: 0, yawRateRadS: 0, count: 2 });
  });

  it('never shows a torn snapshot while another thread writes', async () => {
    const ch = SharedVehicleChannel.create();
    // The writer makes every field of a snapshot equal to its number; a torn read would mix two.
    const worker = startTypeScriptWorker(new URL('./workers/channelWriter.ts', import.meta.url), { workerData: { buffer: ch.buffer, count: 200_000 } });
    const done = new Promise((resolve) => worker.once('exit', resolve));
    let reads = 0;
    let torn = 0;
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished) {
      const s = ch.readState();
      if (s.simTUs > 0) {
        // (before the first write the fields hold their initial values)
        if (Object.values(s).some((v) => v !== s.simTUs)) torn++;
        reads++;
      }
      if (reads % 1000 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(reads).toBeGreaterThan(0);
    expect(torn).toBe(0);
    expect(ch.readState().simTUs).toBe(200000);
  });
});

describe('SimVehicleAdapter', () => {
  it('passes commands to the simulator, reports its state, and never steps the dynamics itself', () => {
    const ch = SharedVehicleChannel.create();
    const adapter = new SimVehicleAdapter(ch);
    const s = emptyVehicleState();
    s.northM = 3;
    s.downM = -1.5;
    s.velNorthMS = 0.4;
    s.yawRad = 0.1;
    s.yawRateRadS = 0.05;
    s.batteryV = 16.2;
    ch.writeState(s);
    adapter.setVelocitySetpoint({ x: 0.5, y: 0, z: 0 }, 0.2);
    adapter.step(0.005);
    adapter.step(0.005);
    expect(ch.readCommand()).toMatchObject({ velForwardMS: 0.5, yawRateRadS: 0.2, count: 1 });
    expect(adapter.state()).toEqual({
      positionNedM: { northM: 3, eastM: 0, downM: -1.5 },
      velocityNedMS: { northMS: 0.4, eastMS: 0, downMS: 0 },
      attitude: { rollRad: 0, pitchRad: 0, yawRad: 0.1 },
      bodyRatesRadS: { rollRadS: 0, pitchRadS: 0, yawRadS: 0.05 },
      batteryV: 16.2,
    });
  });
});

/** A network double whose runs finish when the test says so. */
class ManualNet implements ProximityInference {
  readonly runs: { input: Float32Array; tUs: number; nuScale: number | undefined; finish: () => void }[] = [];
  readonly weights: number[] = [];
  private readonly nu = new Float32Array(160 * 120).fill(0.2);
  infer(input: NetworkInput, tUs: number, nuScale?: number): Promise<ProximityMap> {
    const copy = Float32Array.from(input.data);
    return new Promise((resolve) => {
      this.runs.push({ input: copy, tUs, nuScale, finish: () => resolve({ tUs, geometry: { widthPx: 160, heightPx: 120 }, invTtcPerS: this.nu, weightsVersion: 0 }) });
    });
  }
  setWeights(version: number): void {
    this.weights.push(version);
  }
}

function window(index: number, fill: number): EventWindow {
  const data = new Float32Array(2 * 160 * 120).fill(fill);
  const geometry = { widthPx: 160, heightPx: 120 };
  return {
    index,
    tStartUs: index * 5000,
    tEndUs: (index + 1) * 5000,
    sensor: geometry,
    eventCount: 0,
    learnerTStartUs: index * 5000,
    learnerEventCount: 0,
    input: { kind: 'counts', channels: 2, geometry, mapping: { fit: 'letterbox', scale: 1, offsetXPx: 0, offsetYPx: 0 }, data },
    learnerEvents: { length: 0, x: new Uint16Array(0), y: new Uint16Array(0), p: new Uint8Array(0), tUs: new Float64Array(0) },
  };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('SteeringPipeline', () => {
  it('runs one inference at a time, keeps only the newest waiting window, and stamps setpoints with the window time', async () => {
    const clock = new ManualClock(1_000_000);
    const net = new ManualNet();
    const submitted: SteeringSetpoint[] = [];
    const yaw: { attitude: { yawRad: number } | null } = { attitude: null };
    const p = new SteeringPipeline({
      net,
      steering: new SectorSteering(),
      submit: (sp) => submitted.push(sp),
      vehicle: () => yaw as unknown as VehicleState,
      goalYawRad: 0,
      clock,
    });
    p.onWindow(window(0, 1)); // runs at once
    clock.set(1_005_000);
    p.onWindow(window(1, 2)); // waits
    clock.set(1_010_000);
    p.onWindow(window(2, 3)); // replaces window 1
    expect(net.runs).toHaveLength(1);
    net.runs[0]!.finish();
    await flush();
    expect(net.runs).toHaveLength(2);
    expect(net.runs[1]!.input[0]).toBe(3);
    expect(net.runs[1]!.tUs).toBe(15_000); // the window's sensor end time
    yaw.attitude = { yawRad: 0.3 };
    net.runs[1]!.finish();
    await p.idle();
    expect(p.stats()).toMatchObject({ windows: 3, skipped: 1, inferences: 2, setpointsSubmitted: 2 });
    // Stamped with the shared-clock time each window was emitted (the guard's staleness reads it).
    expect(submitted.map((s) => s.tUs)).toEqual([1_000_000, 1_010_000]);
    // No attitude yet → goal bearing unknown → the law's doubt rule brakes; then it steers.
    expect(p.stats().decisions.distrusted).toBe(1);
    expect(submitted[0]!.velForwardMS).toBe(0);
  });

  it('asks for the ν scale of each window as it starts the inference (speed-scaled weights), 1 without one', async () => {
    const clock = new ManualClock(1_000_000);
    let speedFactor = 1.5;
    const scaled = new ManualNet();
    const p = new SteeringPipeline({
      net: scaled,
      steering: new SectorSteering(),
      submit: () => {},
      vehicle: () => ({ attitude: { yawRad: 0 } }) as unknown as VehicleState,
      goalYawRad: 0,
      clock,
      nuScale: () => speedFactor,
    });
    p.onWindow(window(0, 1));
    speedFactor = 0.25; // the FC's speed changed while window 1 waited: its inference uses the new factor
    p.onWindow(window(1, 1));
    scaled.runs[0]!.finish();
    await flush();
    scaled.runs[1]!.finish();
    await p.idle();
    expect(scaled.runs.map((r) => r.nuScale)).toEqual([1.5, 0.25]);
    const plain = new ManualNet();
    const q = new SteeringPipeline({ net: plain, steering: new SectorSteering(), submit: () => {}, vehicle: () => ({ attitude: null }) as unknown as VehicleState, goalYawRad: 0, clock });
    q.onWindow(window(0, 1));
    plain.runs[0]!.finish();
    await q.idle();
    expect(plain.runs[0]!.nuScale).toBe(1);
  });

  it('measures window → bytes written once per setpoint, only for setpoints made from windows', async () => {
    const clock = new ManualClock(2_000_000);
    const net = new ManualNet();
    let written: (sp: SteeringSetpoint, tUs: number) => void = () => {};
    const p = new SteeringPipeline({
      net,
      steering: new SectorSteering(),
      // A link that writes at once, 300 µs after the window was emitted (clock moved by the "inference").
      submit: (sp) => written(sp, clock.nowUs() + 300),
      vehicle: () => ({ attitude: { yawRad: 0 } }) as unknown as VehicleState,
      goalYawRad: 0,
      clock,
    });
    written = p.onSetpointWritten;
    p.onWindow(window(0, 1));
    clock.set(2_001_000);
    net.runs[0]!.finish();
    await p.idle();
    expect(p.latencyMs.summary()).toMatchObject({ count: 1, median: 1.3 });
    expect(p.stats().writtenAtOnce).toBe(1);
    // The guard re-sending the same target (keep-alive) or its own hover setpoint: not measured again.
    const same = { tUs: 2_000_000, velForwardMS: 0, velRightMS: 0, velDownMS: 0, yawRateRadS: 0 };
    p.onSetpointWritten(same, 2_020_000);
    p.onSetpointWritten({ ...same, tUs: 2_020_000 }, 2_020_000);
    expect(p.latencyMs.summary().count).toBe(1);
  });

  it('tells the learner after each window\'s setpoint went out, not before (its cue to compute in the gap)', async () => {
    const clock = new ManualClock(3_000_000);
    const net = new ManualNet();
    const order: string[] = [];
    const learner = {
      enqueue: () => (order.push('enqueue'), 'queued'),
      tryAdopt: () => undefined,
      inferenceDone: () => order.push('inference-done'),
    };
    const p = new SteeringPipeline({
      net,
      steering: new SectorSteering(),
      submit: () => order.push('submit'),
      vehicle: () => ({ attitude: { yawRad: 0 } }) as unknown as VehicleState,
      goalYawRad: 0,
      clock,
      learner,
    });
    p.onWindow(window(0, 1));
    p.onWindow(window(1, 2)); // waits behind the first
    expect(order).toEqual(['enqueue', 'enqueue']);
    net.runs[0]!.finish();
    await flush();
    net.runs[1]!.finish();
    await p.idle();
    expect(order).toEqual(['enqueue', 'enqueue', 'submit', 'inference-done', 'submit', 'inference-done']);
  });

  it('wraps angles to (−π, π]', () => {
    expect(wrapPi(0)).toBe(0);
    expect(wrapPi(Math.PI)).toBeCloseTo(Math.PI, 12);
    expect(wrapPi(-Math.PI)).toBeCloseTo(Math.PI, 12);
    expect(wrapPi(3 * Math.PI / 2)).toBeCloseTo(-Math.PI / 2, 12);
    expect(wrapPi(-0.25 - 4 * Math.PI)).toBeCloseTo(-0.25, 12);
  });
});
