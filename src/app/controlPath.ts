/**
 * The companion side of the control path, from a window to the flight controller's serial bytes:
 *
 *   SteeringPipeline: ν inference → SectorSteering (goal bearing = goal heading − FC yaw)
 *   → GuardedFlightLink (every setpoint) → MeasuredFlightLink → MavlinkFlightLink (PX4, OFFBOARD on request,
 *     never arms) → TimedTransport → the FC carrier (a serial port, a pty, or an in-memory pair).
 *
 * Wired here once, so that the closed-loop flight (closedLoopFlight.ts) and the control-path benchmark
 * (tests/bench/controlpath.bench.ts) run the same parts the same way; each hands in its own windows, and opens the
 * carrier with `openFcCarrier` (a socat pty pair, or in memory without socat).
 * Opening connects the link and starts the guard's setpoint stream (hover setpoints until steering submits); the
 * caller feeds `pipeline.onWindow` and closes in reverse order through `close`.
 */
import { join } from 'node:path';
import type { ByteTransport } from '../../firmware-bridge/transport/byteTransport.js';
import { createMockTransportPair } from '../../firmware-bridge/transport/mockTransport.js';
import { SerialTransport } from '../../firmware-bridge/transport/serialTransport.js';
import { SocatPtyPair } from '../../firmware-bridge/transport/socatPtyPair.js';
import { MavlinkFlightLink } from '../../firmware-bridge/mavlink/mavlinkFlightLink.js';
import { DEFAULT_GUARD_CONFIG } from '../../firmware-bridge/safety/guardConfig.js';
import { GuardedFlightLink } from '../../firmware-bridge/safety/guardedFlightLink.js';
import type { SectorSteering } from '../avoidance/sectorSteering.js';
import type { Clock } from '../contracts/clock.js';
import { outputToNuScale, type SpeedScaling } from '../contracts/networkOutput.js';
import type { Scheduler } from '../contracts/scheduler.js';
import { axialSpeedFromVehicle } from '../learning/cameraMotion.js';
import { MeasuredFlightLink } from './measuredFlightLink.js';
import { SteeringPipeline, type ProximityInference, type WindowLearner } from './steeringPipeline.js';
import { TimedTransport } from './timedTransport.js';

export interface ControlPathOptions {
  /** The companion's end of the FC carrier; opened by the link. */
  readonly carrier: ByteTransport;
  readonly net: ProximityInference;
  readonly steering: SectorSteering;
  /** Goal heading, rad from north towards east. */
  readonly goalYawRad: number;
  /** Window rate, Hz: the guard's setpoint-rate ceiling is at least twice it. */
  readonly rateHz: number;
  /** The weights' speed scaling (the network's output times max(V_z, min) / ref is ν), and the camera's mount pitch, rad up. */
  readonly speedScaling: SpeedScaling | undefined;
  readonly mountPitchUpRad: number;
  readonly learner?: WindowLearner;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  /** Diagnostic lines by kind (link, guard interventions, perception errors); the caller limits repeats. */
  readonly note: (kind: string, line: string) => void;
}

export interface ControlPath {
  readonly pipeline: SteeringPipeline;
  readonly link: MavlinkFlightLink;
  readonly guarded: GuardedFlightLink;
  readonly measured: MeasuredFlightLink;
  /** Stops the guard's stream and closes the link (idempotent). */
  close(): Promise<void>;
}

export async function openControlPath(o: ControlPathOptions): Promise<ControlPath> {
  const { clock, scheduler, note } = o;
  const timed = new TimedTransport(o.carrier, clock);
  const link = new MavlinkFlightLink({
    transport: timed,
    clock,
    scheduler,
    allowModeChanges: true, // OFFBOARD on request, hold at the end
    armWhenInControl: false, // the pilot armed it; the runtime never arms
    log: (l) => note('link', `link: ${l}`),
  });
  link.onError((e) => note('link-error', `link: ${e.message}`));
  let pipeline: SteeringPipeline | undefined;
  const measured = new MeasuredFlightLink(link, timed, (sp, tUs) => pipeline?.onSetpointWritten(sp, tUs));
  const guarded = new GuardedFlightLink(measured, {
    clock,
    scheduler,
    // Windows are emitted when their packets arrive, so two can close a millisecond apart after an
    // event-loop stall; at the default 250 Hz ceiling the second setpoint would wait for the guard's
    // next tick (up to 20 ms). Twice the window rate keeps the ceiling against floods without that.
    config: { maxSetpointRateHz: Math.max(DEFAULT_GUARD_CONFIG.maxSetpointRateHz, 2 * o.rateHz) },
    log: (i) => note(`guard-${i.reason}`, `guard: ${i.reason}: ${i.detail}`),
  });
  try {
    await link.connect();
  } catch (err) {
    await link.close().catch(() => {}); // leave the carrier closed, not half-open
    throw err;
  }
  guarded.start(); // hover setpoints stream from here on: PX4 needs them before OFFBOARD
  pipeline = new SteeringPipeline({
    net: o.net,
    steering: o.steering,
    submit: (sp) => guarded.submit(sp),
    vehicle: () => link.state(),
    goalYawRad: o.goalYawRad,
    clock,
    ...(o.learner ? { learner: o.learner } : {}),
    nuScale: () => outputToNuScale(axialSpeedFromVehicle(link.state(), o.mountPitchUpRad), o.speedScaling),
    onError: (e) => note('pipeline', `perception: ${e instanceof Error ? e.message : String(e)}`),
  });
  let closed = false;
  return {
    pipeline,
    link,
    guarded,
    measured,
    close: async () => {
      if (closed) return;
      closed = true;
      guarded.stop();
      await link.close();
    },
  };
}

/** The two ends of the FC link's carrier: the flight controller's (the emulator's) and the companion's. */
export interface FcCarrier {
  readonly fcSide: ByteTransport;
  readonly companionSide: ByteTransport;
  readonly kind: 'pty' | 'memory';
  /** Stops the socat pair (nothing for the in-memory pair). */
  close(): Promise<void>;
}

/**
 * Opens the FC link's carrier: a real pty pair through socat (its links in `dir`), or an in-memory pair when asked,
 * or with `auto` when socat is missing (said through `log`).
 */
export async function openFcCarrier(want: 'auto' | 'pty' | 'memory', dir: string, log: (line: string) => void): Promise<FcCarrier> {
  if (want === 'pty' || (want === 'auto' && SocatPtyPair.available())) {
    const pty = new SocatPtyPair(join(dir, 'fc'), join(dir, 'cc'));
    await pty.start();
    return { fcSide: new SerialTransport({ path: pty.pathA }), companionSide: new SerialTransport({ path: pty.pathB }), kind: 'pty', close: () => pty.stop() };
  }
  if (want === 'auto') log('socat not found: the FC link runs over an in-memory transport pair, not a serial port (apt-get install socat)');
  const [fc, cc] = createMockTransportPair('fc-emulator', 'companion');
  return { fcSide: fc, companionSide: cc, kind: 'memory', close: async () => {} };
}
