/**
 * The control path as one piece (src/app/controlPath.ts, which the closed loop and the control-path benchmark
 * share): windows in, setpoints through the guard and MAVLink to a PX4 emulator, each window's latency measured,
 * the network's output scaled by the FC-reported speed, and an orderly close. A network double stands in for
 * onnxruntime; the link, the guard and the emulator are the real ones, over an in-memory carrier.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FirstOrderVehicle } from '../../firmware-bridge/emulator/emulatedVehicle.js';
import { Px4Emulator } from '../../firmware-bridge/emulator/px4Emulator.js';
import type { ByteTransport } from '../../firmware-bridge/transport/byteTransport.js';
import { createMockTransportPair } from '../../firmware-bridge/transport/mockTransport.js';
import { SectorSteering } from '../../src/avoidance/sectorSteering.js';
import { openControlPath, type ControlPath } from '../../src/app/controlPath.js';
import type { EventWindow, NetworkInput } from '../../src/contracts/eventWindow.js';
import { realClock, realScheduler } from '../../src/platform/time.js';
import { ConstantNet } from './constantNet.js';

const GEOMETRY = { widthPx: 16, heightPx: 12 };

/** Without a learner the pipeline reads only the window's input and end time. */
const windowAt = (tEndUs: number) => ({ input: {} as NetworkInput, tEndUs }) as EventWindow;

const open: { path?: ControlPath; emulator?: Px4Emulator } = {};
afterEach(async () => {
  await open.path?.close();
  open.emulator?.stop();
});

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('openControlPath', () => {
  it('turns windows into guarded MAVLink setpoints the FC receives, measures each window\'s latency, and scales ν by the FC\'s speed', async () => {
    const [fcSide, companionSide] = createMockTransportPair('fc', 'companion');
    const emulator = new Px4Emulator({ transport: fcSide, vehicle: new FirstOrderVehicle(), clock: realClock, scheduler: realScheduler, armed: true });
    await emulator.start();
    open.emulator = emulator;
    const net = new ConstantNet(GEOMETRY, 0.05); // a clear map: ν 0.05 1/s everywhere
    const notes: string[] = [];
    const path = await openControlPath({
      carrier: companionSide,
      net,
      steering: new SectorSteering({ horizontalFovRad: Math.PI / 2 }),
      goalYawRad: 0,
      rateHz: 200,
      speedScaling: { referenceSpeedMS: 2, minSpeedMS: 0.5 },
      mountPitchUpRad: 0,
      clock: realClock,
      scheduler: realScheduler,
      note: (_kind, line) => notes.push(line),
    });
    open.path = path;
    // The guard streams hover setpoints from the start; the FC reports its attitude back.
    await until(() => path.link.state().attitude !== undefined && emulator.stats().setpointsReceived > 0);
    const before = emulator.stats().setpointsReceived;
    for (let k = 0; k < 20; k++) {
      path.pipeline.onWindow(windowAt(1_000_000 + k * 5000));
      await path.pipeline.idle();
      await new Promise((r) => setTimeout(r, 5));
    }
    const stats = path.pipeline.stats();
    expect(stats.windows).toBe(20);
    expect(stats.inferences).toBe(20);
    expect(stats.setpointsSubmitted).toBe(20);
    expect(stats.decisions.cruise).toBe(20); // a clear map: cruise toward the goal
    // Every setpoint the link wrote came through the guard, and was timed.
    expect(path.measured.setpointCalls).toBeGreaterThanOrEqual(20);
    const latency = path.pipeline.latencyMs.samplesSince(0);
    expect(latency.length).toBe(stats.writtenAtOnce + stats.writtenByGuardTick);
    expect(latency.length).toBeGreaterThanOrEqual(15);
    expect(latency.every((ms) => ms >= 0 && Number.isFinite(ms))).toBe(true);
    await until(() => emulator.stats().setpointsReceived >= before + 20);
    // Hovering (V_z ≈ 0): the output is read at the scaling's floor, 0.5 / 2.
    expect(net.calls.every((c) => c.nuScale !== undefined && Math.abs(c.nuScale - 0.25) < 0.05)).toBe(true);
    expect(notes.filter((l) => l.startsWith('perception'))).toEqual([]);

    await path.close();
    await path.close(); // idempotent
    const sent = emulator.stats().setpointsReceived;
    await new Promise((r) => setTimeout(r, 100));
    expect(emulator.stats().setpointsReceived).toBe(sent); // the guard's stream stopped
  });

  it('fails with the carrier\'s reason when the link cannot open it, and leaves the carrier closed', async () => {
    let closes = 0;
    const broken: ByteTransport = {
      description: 'serial:/dev/ttyMISSING@921600',
      isOpen: false,
      open: () => Promise.reject(new Error('ENOENT: no such file or directory')),
      close: () => {
        closes++;
        return Promise.resolve();
      },
      write: () => false,
      onData: () => () => {},
      onClose: () => () => {},
    };
    const opening = openControlPath({
      carrier: broken,
      net: new ConstantNet(GEOMETRY, 0.05),
      steering: new SectorSteering({ horizontalFovRad: Math.PI / 2 }),
      goalYawRad: 0,
      rateHz: 200,
      speedScaling: undefined,
      mountPitchUpRad: 0,
      clock: realClock,
      scheduler: realScheduler,
      note: () => {},
    });
    await expect(opening).rejects.toThrow(/cannot open serial:\/dev\/ttyMISSING@921600: ENOENT/);
    expect(closes).toBe(1);
  });
});
