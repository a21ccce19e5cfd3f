/**
 * The MAVLink link against the PX4 emulator (and a minimal ArduPilot stand-in) in lock-step: mock
 * transports, manual clock and scheduler, so every timing below is exact and deterministic.
 */
import { common, minimal } from 'node-mavlink';
import { describe, expect, it } from 'vitest';
import type { SteeringSetpoint } from '../../src/contracts/steeringSetpoint.js';
import { FirstOrderVehicle } from '../../firmware-bridge/emulator/emulatedVehicle.js';
import { Px4Emulator } from '../../firmware-bridge/emulator/px4Emulator.js';
import { FlightLinkError } from '../../firmware-bridge/link/errors.js';
import { ManualClock, ManualScheduler } from '../../src/platform/time.js';
import { ARDUCOPTER_MODE } from '../../firmware-bridge/mavlink/autopilotModes.js';
import { MavlinkFrameDecoder } from '../../firmware-bridge/mavlink/frameDecoder.js';
import { MavlinkEncoder } from '../../firmware-bridge/mavlink/frameEncoder.js';
import { MavlinkEndpoint } from '../../firmware-bridge/mavlink/mavlinkEndpoint.js';
import { MavlinkFlightLink, type MavlinkFlightLinkOptions } from '../../firmware-bridge/mavlink/mavlinkFlightLink.js';
import { commandAck, commandLong, commandParams, MAV_CMD, MAV_RESULT } from '../../firmware-bridge/mavlink/messages.js';
import { GuardedFlightLink } from '../../firmware-bridge/safety/guardedFlightLink.js';
import { createMockTransportPair } from '../../firmware-bridge/transport/mockTransport.js';
import { flushMicrotasks } from './helpers.js';

const flush = flushMicrotasks;

function rig(linkOpts: Partial<MavlinkFlightLinkOptions> = {}) {
  const clock = new ManualClock(1_000_000);
  const scheduler = new ManualScheduler(clock);
  const [fcEnd, ccEnd] = createMockTransportPair('fc', 'companion');
  const vehicle = new FirstOrderVehicle();
  const px4 = new Px4Emulator({ transport: fcEnd, vehicle, clock, scheduler });
  const link = new MavlinkFlightLink({ transport: ccEnd, clock, scheduler, allowModeChanges: true, ...linkOpts });
  const guarded = new GuardedFlightLink(link, { clock, scheduler, log: () => {} });
  /** Runs the world for `us` in 1 ms steps, letting promise callbacks run between steps. */
  const run = async (us: number) => {
    for (let t = 0; t < us; t += 1000) {
      scheduler.advance(1000);
      await flush();
    }
  };
  return { clock, scheduler, fcEnd, ccEnd, vehicle, px4, link, guarded, run };
}

/** The avoidance stage: a setpoint every 5 ms (200 Hz) while `active`. */
function avoidance(r: ReturnType<typeof rig>, make: (tUs: number) => SteeringSetpoint) {
  const cancel = r.scheduler.every(5000, () => r.guarded.submit(make(r.clock.nowUs())));
  return cancel;
}

describe('PX4 offboard session through the emulator (lock-step)', () => {
  it('reports the height above home from LOCAL_POSITION_NED z (null before the first one)', async () => {
    const clock = new ManualClock(1_000_000);
    const scheduler = new ManualScheduler(clock);
    const [fcEnd, ccEnd] = createMockTransportPair('fc', 'companion');
    const inner = new FirstOrderVehicle();
    // A vehicle hovering 2.5 m above its take-off point (NED down = −2.5).
    const vehicle = {
      setVelocitySetpoint: inner.setVelocitySetpoint.bind(inner),
      step: inner.step.bind(inner),
      state: () => ({ ...inner.state(), positionNedM: { northM: 1, eastM: 2, downM: -2.5 } }),
    };
    const px4 = new Px4Emulator({ transport: fcEnd, vehicle, clock, scheduler });
    const link = new MavlinkFlightLink({ transport: ccEnd, clock, scheduler });
    await link.connect();
    expect(link.state().heightAboveHomeM).toBeNull();
    await px4.start();
    for (let t = 0; t < 300_000; t += 1000) {
      scheduler.advance(1000);
      await flush();
    }
    expect(link.state().heightAboveHomeM).toBeCloseTo(2.5, 5);
    await link.close();
    await px4.stop();
  });

  it('streams, enters offboard only after the warm-up, arms only when configured, flies, and holds when perception stops', async () => {
    const r = rig({ armWhenInControl: true, offboardWarmupUs: 1_500_000 });
    const modeRequests: number[] = [];
    let streamStart: number | null = null; // first setpoint at the FC (the guard's hover stream starts it)
    r.px4.endpoint.onFrame((_f, m) => {
      if (m instanceof common.CommandLong && m.command === MAV_CMD.DO_SET_MODE) modeRequests.push(r.clock.nowUs());
      if (m instanceof common.SetPositionTargetLocalNed) streamStart ??= r.clock.nowUs();
    });
    await r.link.connect();
    await r.px4.start();
    r.guarded.start();
    await r.run(200_000);
    // Heartbeat seen, autopilot detected, streams requested and granted.
    expect(r.link.autopilotKind).toBe('px4');
    expect(r.link.state().modeName).toBe('PX4:AUTO.LOITER');
    expect(r.px4.stats().attitudeRateHz).toBe(200);
    expect(r.link.state().attitude).not.toBeNull();

    expect(streamStart).not.toBeNull();
    const stop = avoidance(r, (tUs) => ({ tUs, velForwardMS: 1, velRightMS: 0, velDownMS: 0, yawRateRadS: 0 }));
    let controlled = false;
    const control = r.link.requestControl().then(() => {
      controlled = true;
    });
    await r.run(streamStart! + 1_450_000 - r.clock.nowUs());
    expect(modeRequests).toEqual([]); // still inside the warm-up
    while (!controlled && r.clock.nowUs() < streamStart! + 5_000_000) await r.run(10_000);
    await control;
    // The first (and only) mode request came after more than 1.5 s of streaming, and PX4 accepted it.
    expect(modeRequests).toHaveLength(1);
    expect(modeRequests[0]! - streamStart!).toBeGreaterThan(1_500_000);
    expect(modeRequests[0]! - streamStart!).toBeLessThanOrEqual(1_500_000 + 100_000 + 20_000);
    expect(r.px4.stats()).toMatchObject({ offboardEntries: 1, offboardRejections: 0, armed: true, modeName: 'PX4:OFFBOARD' });
    expect(r.link.state()).toMatchObject({ mode: 'offboard', inControl: true, armed: true });
    expect(r.px4.stats().companionHeartbeats).toBeGreaterThanOrEqual(1); // 1 Hz from component 191

    const northBefore = r.vehicle.state().positionNedM.northM;
    await r.run(2_000_000);
    const flown = r.vehicle.state().positionNedM.northM - northBefore;
    expect(flown).toBeGreaterThan(1.5); // ~1 m/s for 2 s after the accel-limited ramp
    expect(r.link.state().velNedMS!.northMS).toBeCloseTo(1, 1);
    expect(r.guarded.status().counters['horizontal-accel-clamp']).toBeGreaterThan(0);

    // Perception stops: the guard brakes after 50 ms and asks for hold after 500 ms; PX4 never
    // loses the setpoint stream (hover setpoints keep coming), so there is no failover.
    stop();
    await r.run(700_000);
    expect(r.guarded.status().state).toBe('holding');
    expect(r.px4.stats()).toMatchObject({ modeName: 'PX4:AUTO.LOITER', failovers: 0 });
    expect(r.link.state().mode).toBe('hold');
    expect(r.link.state().inControl).toBe(false);
    expect(r.guarded.status().counters['stale-hold']).toBe(1);
    // In hold the vehicle brakes to a stop.
    await r.run(2_000_000);
    expect(Math.abs(r.vehicle.state().velocityNedMS.northMS)).toBeLessThan(0.05);
  });

  it('PX4 fails over to hold 1.0 s after the setpoints stop (COM_OF_LOSS_T), detected at the next 5 ms step', async () => {
    const r = rig({ offboardWarmupUs: 1_100_000 });
    await r.link.connect();
    await r.px4.start();
    r.guarded.start();
    const stop = avoidance(r, (tUs) => ({ tUs, velForwardMS: 0.5, velRightMS: 0, velDownMS: 0, yawRateRadS: 0 }));
    await r.run(100_000);
    await Promise.all([r.link.requestControl(), r.run(2_000_000)]);
    expect(r.px4.stats().modeName).toBe('PX4:OFFBOARD');
    // Cut the companion off completely: no guard, no avoidance.
    stop();
    r.guarded.stop();
    const lastSetpointAt = r.clock.nowUs();
    let failoverAt: number | null = null;
    while (failoverAt === null && r.clock.nowUs() < lastSetpointAt + 2_000_000) {
      r.scheduler.advance(1000);
      if (r.px4.stats().failovers === 1) failoverAt = r.clock.nowUs();
    }
    expect(failoverAt).not.toBeNull();
    // The last setpoint left within 20 ms (guard keep-alive period) before we stopped it.
    expect(failoverAt! - lastSetpointAt).toBeGreaterThan(1_000_000 - 20_000);
    expect(failoverAt! - lastSetpointAt).toBeLessThanOrEqual(1_000_000 + 5_000);
    await flush();
    expect(r.px4.stats().modeName).toBe('PX4:AUTO.LOITER');
    expect(r.link.state().modeName).toBe('PX4:AUTO.LOITER');
  });

  it('the emulator refuses OFFBOARD without a prior setpoint stream (TEMPORARILY_REJECTED)', async () => {
    const r = rig();
    await r.px4.start();
    await r.ccEnd.open();
    const raw = new MavlinkEndpoint(r.ccEnd, new MavlinkEncoder({ sysId: 1, compId: 191 }), new MavlinkFrameDecoder());
    const acks: number[] = [];
    raw.attach();
    raw.onFrame((_f, m) => {
      if (m instanceof common.CommandAck) acks.push(m.result);
    });
    raw.send(commandLong(MAV_CMD.DO_SET_MODE, [1, 6, 0], 1, 1));
    expect(acks).toEqual([MAV_RESULT.TEMPORARILY_REJECTED]);
    expect(r.px4.stats().offboardRejections).toBe(1);
  });

  it('does not change modes unless configured, and never arms unless configured', async () => {
    const r = rig({ allowModeChanges: false });
    await r.link.connect();
    await r.px4.start();
    r.guarded.start();
    await expect(r.link.requestControl()).rejects.toMatchObject({ code: 'not-permitted' });
    const r2 = rig({ armWhenInControl: false, offboardWarmupUs: 1_100_000 });
    await r2.link.connect();
    await r2.px4.start();
    r2.guarded.start();
    avoidance(r2, (tUs) => ({ tUs, velForwardMS: 0, velRightMS: 0, velDownMS: 0, yawRateRadS: 0 }));
    await Promise.all([r2.link.requestControl(), r2.run(2_000_000)]);
    expect(r2.px4.stats()).toMatchObject({ modeName: 'PX4:OFFBOARD', armed: false });
    expect(r2.px4.stats().commandsReceived).toBe(4); // 3 message intervals + 1 mode change, no arm
  });

  it('requestControl times out with the reason when setpoints never stream', async () => {
    const r = rig({ controlTimeoutUs: 3_000_000 });
    await r.link.connect();
    await r.px4.start();
    let error: unknown = null;
    const p = r.link.requestControl().catch((e: unknown) => {
      error = e;
    });
    await r.run(3_200_000);
    await p;
    expect(error).toBeInstanceOf(FlightLinkError);
    expect(error).toMatchObject({ code: 'timeout' });
    expect(String((error as Error).message)).toMatch(/not streamed long enough/);
  });

  it('sends OBSTACLE_DISTANCE and counts what the FC receives; link health counts frames', async () => {
    const r = rig();
    await r.link.connect();
    await r.px4.start();
    await r.run(50_000);
    expect(r.link.sendObstacleDistances({ tUs: r.clock.nowUs(), distancesM: new Array(72).fill(3), sectorWidthDeg: 5, firstSectorDeg: 0, minM: 0.1, maxM: 10 })).toBe(true);
    expect(r.px4.stats().obstacleMessages).toBe(1);
    const h = r.link.state().link;
    expect(h.connected).toBe(true);
    expect(h.framesIn).toBeGreaterThan(5);
    expect(h.lastFcHeartbeatTUs).not.toBeNull();
    // Garbage on the wire is skipped and counted; frames keep flowing.
    r.ccEnd.inject(Uint8Array.from([0xfd, 0x05, 1, 2, 3, 0x55, 0xaa]));
    await r.run(20_000);
    expect(r.link.state().link.bytesSkipped).toBeGreaterThanOrEqual(7);
    const before = r.link.state().link.framesIn;
    await r.run(20_000);
    expect(r.link.state().link.framesIn).toBeGreaterThan(before);
    await r.link.close();
    expect(r.link.sendSetpoint({ tUs: 0, velForwardMS: 0, velRightMS: 0, velDownMS: 0, yawRateRadS: 0 })).toBe(false);
    expect(r.link.state().link.framesDropped).toBe(1);
  });

  it('signed session: the emulator requires signatures and accepts the link’s', async () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
    const clock = new ManualClock(1_000_000);
    const scheduler = new ManualScheduler(clock);
    const [fcEnd, ccEnd] = createMockTransportPair();
    const px4 = new Px4Emulator({ transport: fcEnd, vehicle: new FirstOrderVehicle(), clock, scheduler, signing: { key, requireSigned: true } });
    const link = new MavlinkFlightLink({ transport: ccEnd, clock, scheduler, signing: { key, linkId: 3, unixUsAtClockZero: 1.7e15 } });
    await link.connect();
    await px4.start();
    for (let i = 0; i < 300; i++) {
      scheduler.advance(1000);
      await flush();
    }
    expect(px4.stats().attitudeRateHz).toBe(200); // the signed SET_MESSAGE_INTERVAL got through
    expect(px4.stats().link.unsignedRejected).toBe(0);
    expect(px4.stats().link.badSignatures).toBe(0);
    // An unsigned sender is locked out.
    const intruder = new MavlinkEndpoint(ccEnd, new MavlinkEncoder({ sysId: 1, compId: 191 }));
    intruder.send(commandLong(MAV_CMD.COMPONENT_ARM_DISARM, [1], 1, 1));
    expect(px4.stats().link.unsignedRejected).toBe(1);
    expect(px4.stats().armed).toBe(false);
  });
});

describe('ArduPilot GUIDED through a minimal ArduCopter stand-in', () => {
  it('maps ArduCopter modes, requests GUIDED with DO_SET_MODE [1, 4], and LOITER for hold', async () => {
    const clock = new ManualClock(0);
    const scheduler = new ManualScheduler(clock);
    const [fcEnd, ccEnd] = createMockTransportPair();
    const fc = new MavlinkEndpoint(fcEnd, new MavlinkEncoder({ sysId: 1, compId: 1 }));
    let mode: number = ARDUCOPTER_MODE.LOITER;
    const modeRequests: number[][] = [];
    const heartbeat = () => {
      const hb = new minimal.Heartbeat();
      hb.type = minimal.MavType.QUADROTOR;
      hb.autopilot = minimal.MavAutopilot.ARDUPILOTMEGA;
      hb.baseMode = (minimal.MavModeFlag.CUSTOM_MODE_ENABLED | minimal.MavModeFlag.SAFETY_ARMED) as minimal.MavModeFlag;
      hb.customMode = mode;
      hb.systemStatus = minimal.MavState.ACTIVE;
      hb.mavlinkVersion = 3;
      fc.send(hb);
    };
    fc.attach();
    fc.onFrame((f, m) => {
      if (!(m instanceof common.CommandLong)) return;
      const p = commandParams(m);
      if (m.command === MAV_CMD.DO_SET_MODE) {
        modeRequests.push(p.slice(0, 3));
        mode = p[1]!;
        heartbeat();
      }
      fc.send(commandAck(m.command, MAV_RESULT.ACCEPTED, f.sysId, f.compId));
    });
    await fcEnd.open();
    scheduler.every(1_000_000, heartbeat);
    const link = new MavlinkFlightLink({ transport: ccEnd, clock, scheduler, allowModeChanges: true, autopilot: 'auto' });
    const guarded = new GuardedFlightLink(link, { clock, scheduler, log: () => {} });
    await link.connect();
    guarded.start();
    heartbeat();
    expect(link.autopilotKind).toBe('ardupilot');
    expect(link.state()).toMatchObject({ mode: 'hold', modeName: 'ArduCopter:LOITER', armed: true });
    const stop = scheduler.every(10_000, () => guarded.submit({ tUs: clock.nowUs(), velForwardMS: 0.3, velRightMS: 0, velDownMS: 0, yawRateRadS: 0 }));
    let done = false;
    void link.requestControl().then(() => {
      done = true;
    });
    for (let i = 0; i < 2000 && !done; i++) {
      scheduler.advance(1000);
      await flush();
    }
    expect(done).toBe(true);
    expect(link.state()).toMatchObject({ mode: 'guided', modeName: 'ArduCopter:GUIDED', inControl: true });
    stop();
    for (let i = 0; i < 700; i++) {
      scheduler.advance(1000);
      await flush();
    }
    expect(modeRequests).toEqual([
      [1, 4, 0],
      [1, 5, 0],
    ]);
    expect(link.state().modeName).toBe('ArduCopter:LOITER');
  });
});
