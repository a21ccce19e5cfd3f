/**
 * `FlightLink` over MAVLink 2, for PX4 (offboard) and ArduPilot (GUIDED).
 *
 * Outbound: HEARTBEAT at 1 Hz as MAV_TYPE_ONBOARD_CONTROLLER / MAV_AUTOPILOT_INVALID from
 * (vehicle system id, component 191); SET_POSITION_TARGET_LOCAL_NED in MAV_FRAME_BODY_NED with
 * type_mask 1479 for every setpoint the guard passes; SET_MESSAGE_INTERVAL requests (ATTITUDE at
 * ≥ 100 Hz, LOCAL_POSITION_NED or ODOMETRY, SYS_STATUS) after the autopilot's first heartbeat and
 * again after every reconnect; optional OBSTACLE_DISTANCE; optional signing.
 *
 * Inbound: HEARTBEAT (armed, mode, liveness), ATTITUDE, LOCAL_POSITION_NED / ODOMETRY, SYS_STATUS,
 * COMMAND_ACK, folded into `VehicleState` snapshots.
 *
 * Mode rules (PX4 offboard): nothing changes modes unless `allowModeChanges`; `requestControl()`
 * asks for OFFBOARD (GUIDED) only once setpoints have streamed for more than `offboardWarmupUs`
 * (> 1 s, PX4 refuses otherwise) at more than 2 Hz; it arms only with `armWhenInControl`. If the
 * autopilot later leaves the mode (failsafe, pilot), the link does not fight back: control must be
 * requested again. Timing comes from the injected Clock/Scheduler.
 */
import { common, minimal, type MavLinkData } from 'node-mavlink';
import type { Clock } from '../../src/contracts/clock.js';
import type { ObstacleDistances } from '../../src/contracts/obstacleDistances.js';
import type { SteeringSetpoint } from '../../src/contracts/steeringSetpoint.js';
import type { VehicleState } from '../../src/contracts/vehicleState.js';
import { FlightLinkError } from '../link/errors.js';
import type { FlightLink } from '../link/flightLink.js';
import { Listeners, type Unsubscribe } from '../link/listeners.js';
import type { Cancel, Scheduler } from '../../src/contracts/scheduler.js';
import { reconnectCount, watchTransport } from '../link/transportWatch.js';
import { newLinkCounters, VehicleStateBuilder } from '../link/vehicleStateBuilder.js';
import type { ByteTransport } from '../transport/byteTransport.js';
import { controlModeParams, decodeMode, holdModeParams, type AutopilotKind } from './autopilotModes.js';
import { CommandClient } from './commandClient.js';
import { MavlinkFrameDecoder, type MavlinkFrame } from './frameDecoder.js';
import { MavlinkEncoder } from './frameEncoder.js';
import { MavlinkEndpoint } from './mavlinkEndpoint.js';
import {
  AUTOPILOT_COMPONENT_ID,
  COMPANION_COMPONENT_ID,
  companionHeartbeat,
  MAV_CMD,
  obstacleDistanceMessage,
  velocitySetpointMessage,
} from './messages.js';
import { odometryVelocityNed } from './odometry.js';
import { SigningTimestamps } from './signing.js';

export interface MavlinkFlightLinkOptions {
  /** Usually a ReconnectingTransport around a serial, UDP or TCP transport. */
  transport: ByteTransport;
  clock: Clock;
  scheduler: Scheduler;
  /** The vehicle's system id; this link sends with the same id and component 191. Default 1. */
  systemId?: number;
  /** The autopilot's component id. Default 1 (MAV_COMP_ID_AUTOPILOT1). */
  autopilotComponentId?: number;
  /** Which autopilot to expect; `auto` (default) follows the autopilot field of its heartbeat. */
  autopilot?: AutopilotKind | 'auto';
  /** Requested ATTITUDE rate, Hz (≥ 100; default 200). */
  attitudeRateHz?: number;
  /** Where velocity comes from. Default LOCAL_POSITION_NED. */
  velocitySource?: 'local-position' | 'odometry';
  /** Requested velocity message rate, Hz (default 50). */
  velocityRateHz?: number;
  /** Requested SYS_STATUS rate, Hz (default 2). */
  batteryRateHz?: number;
  /** Allow the link to change flight modes (offboard/guided, hold). Default false. */
  allowModeChanges?: boolean;
  /** Arm once the autopilot follows our setpoints. Default false: the runtime never arms. */
  armWhenInControl?: boolean;
  /** Setpoint streaming time before OFFBOARD/GUIDED is requested, µs. Default 1.5 s (PX4 needs > 1 s). */
  offboardWarmupUs?: number;
  /** How long `requestControl()` may take, µs. Default 10 s. */
  controlTimeoutUs?: number;
  /** MAVLink 2 signing of outgoing frames and checking of incoming ones. */
  signing?: {
    key: Uint8Array;
    linkId?: number;
    /** Unix time (µs) at clock zero, sampled once by the composition root. */
    unixUsAtClockZero: number;
    /** Drop unsigned incoming frames. Default false. */
    requireSignedInbound?: boolean;
  };
  /** Diagnostic lines (mode changes, refused commands). */
  log?: (line: string) => void;
}

/** A setpoint gap longer than this breaks the stream (PX4 wants more than 2 Hz). */
const STREAM_GAP_US = 500_000;
const SERVICE_PERIOD_US = 100_000;
const MODE_RETRY_US = 1_000_000;

interface ControlRequest {
  readonly deadlineTUs: number;
  readonly resolve: () => void;
  readonly reject: (e: FlightLinkError) => void;
  readonly promise: Promise<void>;
  nextModeTUs: number;
  nextArmTUs: number;
  lastRefusal: string;
}

export class MavlinkFlightLink implements FlightLink {
  readonly protocol = 'mavlink' as const;
  readonly endpoint: MavlinkEndpoint;
  private readonly commands: CommandClient;
  private readonly builder = new VehicleStateBuilder(newLinkCounters());
  private readonly stateListeners = new Listeners<VehicleState>();
  private readonly errorListeners = new Listeners<FlightLinkError>();
  private readonly sysId: number;
  private readonly fcCompId: number;
  private autopilot: AutopilotKind | null;
  private readonly startTUs: number;
  private timers: Cancel[] = [];
  private subs: Unsubscribe[] = [];
  private streamsRequested = false;
  private streamStartTUs: number | null = null;
  private lastSetpointTUs: number | null = null;
  private control: ControlRequest | null = null;
  private mismatchReported = false;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: MavlinkFlightLinkOptions) {
    this.sysId = opts.systemId ?? 1;
    this.fcCompId = opts.autopilotComponentId ?? AUTOPILOT_COMPONENT_ID;
    this.autopilot = opts.autopilot && opts.autopilot !== 'auto' ? opts.autopilot : null;
    if ((opts.attitudeRateHz ?? 200) < 100) throw new RangeError('attitudeRateHz must be ≥ 100 (body rates feed perception)');
    if ((opts.offboardWarmupUs ?? 1_500_000) <= 1_000_000) throw new RangeError('offboardWarmupUs must exceed 1 s (PX4 offboard rule)');
    this.startTUs = opts.clock.nowUs();
    this.log = opts.log ?? (() => {});
    const s = opts.signing;
    const encoder = new MavlinkEncoder({
      sysId: this.sysId,
      compId: COMPANION_COMPONENT_ID,
      ...(s ? { signing: { key: s.key, linkId: s.linkId ?? 0, timestamps: new SigningTimestamps(opts.clock, s.unixUsAtClockZero) } } : {}),
    });
    const decoder = new MavlinkFrameDecoder(s ? { signing: { key: s.key, requireSigned: s.requireSignedInbound ?? false } } : {});
    this.endpoint = new MavlinkEndpoint(opts.transport, encoder, decoder, (err) => this.log(`listener error: ${String(err)}`));
    this.commands = new CommandClient(this.endpoint, {
      clock: opts.clock,
      targetSystem: this.sysId,
      targetComponent: this.fcCompId,
    });
  }

  async connect(): Promise<void> {
    const t = this.opts.transport;
    this.endpoint.attach();
    this.subs.push(this.endpoint.onFrame((frame, message) => this.onFrame(frame, message)));
    this.subs.push(
      watchTransport(t, {
        onReopened: () => {
          this.endpoint.decoder.reset();
          this.streamsRequested = false; // a rebooted autopilot forgets its message intervals
          this.log(`transport reopened (${t.description})`);
        },
        onLost: (err) => this.emitError(err),
        onChange: () => this.publish(),
      }),
    );
    try {
      await t.open();
    } catch (err) {
      this.stopActivity();
      throw new FlightLinkError('connect-failed', `cannot open ${t.description}: ${(err as Error).message}`, { cause: err });
    }
    this.endpoint.send(companionHeartbeat());
    const sched = this.opts.scheduler;
    this.timers.push(
      sched.every(1_000_000, () => this.endpoint.send(companionHeartbeat())),
      sched.every(SERVICE_PERIOD_US, () => this.service()),
    );
    this.publish();
  }

  async close(): Promise<void> {
    this.stopActivity();
    await this.opts.transport.close();
    this.publish();
  }

  sendSetpoint(setpoint: SteeringSetpoint): boolean {
    const now = this.opts.clock.nowUs();
    const timeBootMs = Math.floor((now - this.startTUs) / 1000);
    const ok = this.endpoint.send(velocitySetpointMessage(setpoint, timeBootMs, this.sysId, this.fcCompId));
    if (ok) {
      if (this.lastSetpointTUs === null || now - this.lastSetpointTUs > STREAM_GAP_US) this.streamStartTUs = now;
      this.lastSetpointTUs = now;
    }
    return ok;
  }

  requestControl(): Promise<void> {
    if (!this.opts.allowModeChanges) {
      return Promise.reject(new FlightLinkError('not-permitted', 'mode changes are disabled (allowModeChanges: false)'));
    }
    if (this.control) return this.control.promise;
    let resolve!: () => void;
    let reject!: (e: FlightLinkError) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.control = {
      deadlineTUs: this.opts.clock.nowUs() + (this.opts.controlTimeoutUs ?? 10_000_000),
      resolve,
      reject,
      promise,
      nextModeTUs: 0,
      nextArmTUs: 0,
      lastRefusal: '',
    };
    this.service();
    return promise;
  }

  requestHold(reason: string): boolean {
    if (!this.opts.allowModeChanges || !this.builder.inControl || !this.autopilot) return false;
    this.endControlRequest(new FlightLinkError('closed', `control request superseded by hold (${reason})`));
    this.commands.send(MAV_CMD.DO_SET_MODE, holdModeParams(this.autopilot), { supersede: true }).catch((err: FlightLinkError) => {
      this.emitError(err);
    });
    this.log(`requested hold: ${reason}`);
    return true;
  }

  sendObstacleDistances(distances: ObstacleDistances): boolean {
    const timeUsec = BigInt(Math.max(0, Math.round(distances.tUs - this.startTUs)));
    return this.endpoint.send(obstacleDistanceMessage(distances, timeUsec));
  }

  state(): VehicleState {
    this.refreshLinkCounters();
    return this.builder.current();
  }

  onState(listener: (state: VehicleState) => void): Unsubscribe {
    return this.stateListeners.add(listener);
  }

  onError(listener: (error: FlightLinkError) => void): Unsubscribe {
    return this.errorListeners.add(listener);
  }

  /** The autopilot type in use (configured or detected), null before its first heartbeat. */
  get autopilotKind(): AutopilotKind | null {
    return this.autopilot;
  }

  private onFrame(frame: MavlinkFrame, message: MavLinkData | null): void {
    if (frame.sysId !== this.sysId || !message) return;
    const now = this.opts.clock.nowUs();
    const b = this.builder;
    if (message instanceof minimal.Heartbeat) {
      if (frame.compId !== this.fcCompId || message.autopilot === minimal.MavAutopilot.INVALID) return;
      this.onAutopilotHeartbeat(message, now);
    } else if (message instanceof common.Attitude) {
      b.attitude = { rollRad: message.roll, pitchRad: message.pitch, yawRad: message.yaw };
      b.bodyRatesRadS = { rollRadS: message.rollspeed, pitchRadS: message.pitchspeed, yawRadS: message.yawspeed };
      b.attitudeTUs = now;
    } else if (message instanceof common.LocalPositionNed) {
      b.velNedMS = { northMS: message.vx, eastMS: message.vy, downMS: message.vz };
      b.heightAboveHomeM = Number.isFinite(message.z) ? -message.z : null;
      b.velTUs = now;
    } else if (message instanceof common.Odometry) {
      const v = odometryVelocityNed(message.childFrameId, message.q, message.vx, message.vy, message.vz);
      if (v) {
        b.velNedMS = v;
        b.velTUs = now;
      }
    } else if (message instanceof common.SysStatus) {
      if (message.voltageBattery !== 0xffff) b.batteryV = message.voltageBattery / 1000;
    } else if (message instanceof common.CommandAck) {
      this.commands.onAck(message.command, message.result);
      return;
    } else {
      return;
    }
    this.publish(now);
  }

  private onAutopilotHeartbeat(hb: minimal.Heartbeat, now: number): void {
    const detected: AutopilotKind | null =
      hb.autopilot === minimal.MavAutopilot.PX4 ? 'px4' : hb.autopilot === minimal.MavAutopilot.ARDUPILOTMEGA ? 'ardupilot' : null;
    if (!this.autopilot) this.autopilot = detected;
    if (detected !== this.autopilot && !this.mismatchReported) {
      this.mismatchReported = true;
      this.emitError(new FlightLinkError('protocol', `expected ${this.autopilot ?? 'PX4 or ArduPilot'}, heartbeat says autopilot ${hb.autopilot}`));
    }
    const b = this.builder;
    b.link.lastFcHeartbeatTUs = now;
    b.armed = (hb.baseMode & minimal.MavModeFlag.SAFETY_ARMED) !== 0;
    if (this.autopilot) {
      const mode = decodeMode(this.autopilot, hb.customMode);
      const wasInControl = b.inControl;
      if (mode.name !== b.modeName) this.log(`mode ${b.modeName} → ${mode.name}`);
      b.mode = mode.kind;
      b.modeName = mode.name;
      b.inControl = mode.followsSetpoints;
      if (wasInControl && !b.inControl) this.log(`autopilot left ${this.autopilot === 'px4' ? 'OFFBOARD' : 'GUIDED'}; not re-requesting`);
    }
    if (!this.streamsRequested) {
      this.streamsRequested = true;
      void this.requestStreams();
    }
  }

  /** Asks for the inbound streams, one command at a time (COMMAND_ACK does not say which interval it acknowledges). */
  private async requestStreams(): Promise<void> {
    const velocityMsg = this.opts.velocitySource === 'odometry' ? common.Odometry.MSG_ID : common.LocalPositionNed.MSG_ID;
    const streams: [number, number][] = [
      [common.Attitude.MSG_ID, this.opts.attitudeRateHz ?? 200],
      [velocityMsg, this.opts.velocityRateHz ?? 50],
      [common.SysStatus.MSG_ID, this.opts.batteryRateHz ?? 2],
    ];
    for (const [msgId, hz] of streams) {
      try {
        await this.commands.send(MAV_CMD.SET_MESSAGE_INTERVAL, [msgId, Math.round(1e6 / hz)]);
      } catch (err) {
        const e = err as FlightLinkError;
        if (e.code === 'closed') return;
        this.emitError(new FlightLinkError(e.code, `message interval for ${msgId} at ${hz} Hz: ${e.message}`, { cause: e }));
      }
    }
  }

  /** 10 Hz housekeeping: command retries and the control request's state machine. */
  private service(): void {
    this.commands.service();
    const c = this.control;
    if (!c) return;
    const now = this.opts.clock.nowUs();
    const b = this.builder;
    if (now > c.deadlineTUs) {
      const why = !this.warmedUp(now)
        ? 'setpoints have not streamed long enough'
        : c.lastRefusal || `autopilot in ${b.modeName}, armed=${b.armed}`;
      this.endControlRequest(new FlightLinkError('timeout', `autopilot did not accept control in time: ${why}`));
      return;
    }
    if (!this.autopilot || b.link.lastFcHeartbeatTUs === null) return;
    if (!b.inControl) {
      if (!this.warmedUp(now) || now < c.nextModeTUs || this.commands.isPending(MAV_CMD.DO_SET_MODE)) return;
      c.nextModeTUs = now + MODE_RETRY_US;
      this.commands.send(MAV_CMD.DO_SET_MODE, controlModeParams(this.autopilot)).catch((err: FlightLinkError) => {
        c.lastRefusal = err.message;
      });
      return;
    }
    if (this.opts.armWhenInControl && !b.armed) {
      if (now < c.nextArmTUs || this.commands.isPending(MAV_CMD.COMPONENT_ARM_DISARM)) return;
      c.nextArmTUs = now + MODE_RETRY_US;
      this.commands.send(MAV_CMD.COMPONENT_ARM_DISARM, [1]).catch((err: FlightLinkError) => {
        c.lastRefusal = err.message;
      });
      return;
    }
    this.control = null;
    c.resolve();
  }

  /** PX4's offboard precondition: setpoints for more than the warm-up, with no gap above 0.5 s. */
  private warmedUp(now: number): boolean {
    return (
      this.streamStartTUs !== null &&
      this.lastSetpointTUs !== null &&
      now - this.lastSetpointTUs <= STREAM_GAP_US &&
      now - this.streamStartTUs > (this.opts.offboardWarmupUs ?? 1_500_000)
    );
  }

  private endControlRequest(err: FlightLinkError): void {
    const c = this.control;
    this.control = null;
    c?.reject(err);
  }

  private stopActivity(): void {
    for (const cancel of this.timers) cancel();
    this.timers = [];
    for (const u of this.subs) u();
    this.subs = [];
    this.endpoint.detach();
    this.commands.cancelAll('link closed');
    this.endControlRequest(new FlightLinkError('closed', 'link closed'));
  }

  private refreshLinkCounters(): void {
    const c = this.endpoint.counters();
    const l = this.builder.link;
    const t = this.opts.transport;
    l.connected = t.isOpen;
    l.framesIn = c.frames;
    l.framesOut = c.framesOut;
    l.framesDropped = c.framesDropped;
    l.bytesSkipped = c.bytesSkipped;
    l.crcErrors = c.crcErrors;
    l.reconnects = reconnectCount(t);
  }

  private publish(now = this.opts.clock.nowUs()): void {
    this.refreshLinkCounters();
    this.stateListeners.emit(this.builder.publish(now));
  }

  private emitError(err: FlightLinkError): void {
    this.log(`${err.code}: ${err.message}`);
    this.errorListeners.emit(err);
  }
}
