/**
 * A flight-controller emulator that speaks MAVLink the way PX4 does around offboard control, and
 * drives an `EmulatedVehicle`. It exists so that the companion's real serial code can be exercised
 * end to end in CI (over a socat pty pair) and by the simulator.
 *
 * What it emulates (PX4 v1.14 behaviour, simplified):
 * - HEARTBEAT at 1 Hz: MAV_TYPE_QUADROTOR, MAV_AUTOPILOT_PX4, base_mode with CUSTOM_MODE_ENABLED
 *   and SAFETY_ARMED, PX4 custom modes (main mode in bits 16–23, AUTO sub mode in 24–31).
 * - ATTITUDE at 100 Hz by default, 100–200 Hz on request; LOCAL_POSITION_NED at 50 Hz; SYS_STATUS
 *   at 1 Hz; rates changed by SET_MESSAGE_INTERVAL (clamped to those ranges), others UNSUPPORTED.
 * - SET_POSITION_TARGET_LOCAL_NED: velocity + yaw rate (type_mask 1479) in BODY_NED or LOCAL_NED.
 * - OFFBOARD entry (DO_SET_MODE) only after more than 1 s of setpoints at more than 2 Hz; otherwise
 *   TEMPORARILY_REJECTED.
 * - Offboard loss: no setpoint for COM_OF_LOSS_T (1.0 s) while in OFFBOARD → AUTO.LOITER (hold).
 * - COMPONENT_ARM_DISARM arms/disarms; the vehicle follows setpoints only when armed in OFFBOARD,
 *   holds (zero velocity) otherwise.
 * Timing comes from the injected Clock/Scheduler; physics steps at the ATTITUDE rate.
 */
import { common, minimal, type MavLinkData } from 'node-mavlink';
import type { Clock } from '../../src/contracts/clock.js';
import type { Cancel, Scheduler } from '../../src/contracts/scheduler.js';
import { decodePx4Mode, px4CustomMode, PX4_AUTO_SUB, PX4_MAIN } from '../mavlink/autopilotModes.js';
import { MavlinkFrameDecoder, type MavlinkFrame } from '../mavlink/frameDecoder.js';
import { MavlinkEncoder } from '../mavlink/frameEncoder.js';
import { MavlinkEndpoint, type MavlinkEndpointCounters } from '../mavlink/mavlinkEndpoint.js';
import { commandAck, commandParams, MAV_CMD, MAV_RESULT, TYPE_MASK_VELOCITY_YAW_RATE } from '../mavlink/messages.js';
import type { SignatureCheck } from '../mavlink/signing.js';
import type { ByteTransport } from '../transport/byteTransport.js';
import type { EmulatedVehicle, Vector3 } from './emulatedVehicle.js';

export interface Px4EmulatorOptions {
  transport: ByteTransport;
  vehicle: EmulatedVehicle;
  clock: Clock;
  scheduler: Scheduler;
  /** MAVLink system id (default 1); component is 1 (autopilot). */
  systemId?: number;
  /** ATTITUDE rate before any request, Hz (default 100). Requests are clamped to 100–200 Hz. */
  attitudeRateHz?: number;
  /** LOCAL_POSITION_NED rate, Hz (default 50, the most it grants). */
  localPositionRateHz?: number;
  /** COM_OF_LOSS_T: offboard setpoint timeout before failover to hold, µs (default 1.0 s). */
  offboardLossTimeoutUs?: number;
  /** Setpoint streaming needed before OFFBOARD is accepted, µs (default 1.0 s, must be exceeded). */
  offboardWarmupUs?: number;
  /** Start armed (default false). */
  armed?: boolean;
  /** Start mode as PX4 custom_mode (default AUTO.LOITER). */
  initialCustomMode?: number;
  /** Verify incoming signatures (and with `requireSigned` drop unsigned frames). */
  signing?: SignatureCheck;
}

export interface Px4EmulatorStats {
  readonly modeName: string;
  readonly armed: boolean;
  readonly attitudeRateHz: number;
  readonly localPositionRateHz: number;
  readonly setpointsReceived: number;
  readonly setpointsRejected: number;
  readonly offboardEntries: number;
  readonly offboardRejections: number;
  readonly failovers: number;
  readonly commandsReceived: number;
  readonly companionHeartbeats: number;
  readonly obstacleMessages: number;
  readonly attitudeSent: number;
  readonly localPositionSent: number;
  readonly link: MavlinkEndpointCounters;
}

/** A gap longer than this restarts the setpoint stream ("more than 2 Hz"). */
const STREAM_GAP_US = 500_000;
const MAV_FRAME_LOCAL_NED = 1;

export class Px4Emulator {
  readonly endpoint: MavlinkEndpoint;
  private readonly sysId: number;
  private customMode: number;
  private armed: boolean;
  private attitudeRateHz: number;
  private localPositionRateHz: number;
  private sysStatusRateHz = 1;
  private readonly startTUs: number;
  private lastStepTUs: number;
  private nextLocalPositionTUs: number;
  private nextSysStatusTUs: number;
  private setpoint: { velBody: Vector3; yawRateRadS: number } | null = null;
  private streamStartTUs: number | null = null;
  private lastSetpointTUs: number | null = null;
  private cancelLoop: Cancel | null = null;
  private cancelHeartbeat: Cancel | null = null;
  private unsubscribe: (() => void) | null = null;
  private s = {
    setpointsReceived: 0,
    setpointsRejected: 0,
    offboardEntries: 0,
    offboardRejections: 0,
    failovers: 0,
    commandsReceived: 0,
    companionHeartbeats: 0,
    obstacleMessages: 0,
    attitudeSent: 0,
    localPositionSent: 0,
  };

  constructor(private readonly opts: Px4EmulatorOptions) {
    this.sysId = opts.systemId ?? 1;
    this.armed = opts.armed ?? false;
    this.customMode = opts.initialCustomMode ?? px4CustomMode(PX4_MAIN.AUTO, PX4_AUTO_SUB.LOITER);
    this.attitudeRateHz = clamp(opts.attitudeRateHz ?? 100, 100, 200);
    this.localPositionRateHz = clamp(opts.localPositionRateHz ?? 50, 1, 50);
    this.startTUs = this.lastStepTUs = this.nextLocalPositionTUs = this.nextSysStatusTUs = opts.clock.nowUs();
    this.endpoint = new MavlinkEndpoint(
      opts.transport,
      new MavlinkEncoder({ sysId: this.sysId, compId: 1 }),
      new MavlinkFrameDecoder(opts.signing ? { signing: opts.signing } : {}),
    );
  }

  /** Opens the transport and starts streaming. */
  async start(): Promise<void> {
    this.endpoint.attach();
    this.unsubscribe = this.endpoint.onFrame((f, m) => this.onFrame(f, m));
    await this.opts.transport.open();
    this.lastStepTUs = this.opts.clock.nowUs();
    this.sendHeartbeat();
    this.cancelHeartbeat = this.opts.scheduler.every(1_000_000, () => this.sendHeartbeat());
    this.restartLoop();
  }

  async stop(): Promise<void> {
    this.cancelLoop?.();
    this.cancelHeartbeat?.();
    this.cancelLoop = this.cancelHeartbeat = null;
    this.unsubscribe?.();
    this.endpoint.detach();
    await this.opts.transport.close();
  }

  stats(): Px4EmulatorStats {
    return {
      ...this.s,
      modeName: decodePx4Mode(this.customMode).name,
      armed: this.armed,
      attitudeRateHz: this.attitudeRateHz,
      localPositionRateHz: this.localPositionRateHz,
      link: this.endpoint.counters(),
    };
  }

  /** One physics + streaming step (the scheduled loop calls this at the ATTITUDE rate). */
  step(): void {
    const now = this.opts.clock.nowUs();
    const dtS = (now - this.lastStepTUs) / 1e6;
    this.lastStepTUs = now;
    this.checkOffboardLoss(now);
    const offboard = ((this.customMode >>> 16) & 0xff) === PX4_MAIN.OFFBOARD;
    const v = this.opts.vehicle;
    if (this.armed && offboard && this.setpoint) v.setVelocitySetpoint(this.setpoint.velBody, this.setpoint.yawRateRadS);
    else v.setVelocitySetpoint({ x: 0, y: 0, z: 0 }, 0);
    v.step(dtS);
    const st = v.state();
    const bootMs = Math.floor((now - this.startTUs) / 1000);
    const att = new common.Attitude();
    att.timeBootMs = bootMs;
    att.roll = st.attitude.rollRad;
    att.pitch = st.attitude.pitchRad;
    att.yaw = st.attitude.yawRad;
    att.rollspeed = st.bodyRatesRadS.rollRadS;
    att.pitchspeed = st.bodyRatesRadS.pitchRadS;
    att.yawspeed = st.bodyRatesRadS.yawRadS;
    if (this.send(att)) this.s.attitudeSent++;
    if (now >= this.nextLocalPositionTUs) {
      this.nextLocalPositionTUs = Math.max(this.nextLocalPositionTUs + 1e6 / this.localPositionRateHz, now);
      const lp = new common.LocalPositionNed();
      lp.timeBootMs = bootMs;
      lp.x = st.positionNedM.northM;
      lp.y = st.positionNedM.eastM;
      lp.z = st.positionNedM.downM;
      lp.vx = st.velocityNedMS.northMS;
      lp.vy = st.velocityNedMS.eastMS;
      lp.vz = st.velocityNedMS.downMS;
      if (this.send(lp)) this.s.localPositionSent++;
    }
    if (now >= this.nextSysStatusTUs) {
      this.nextSysStatusTUs = Math.max(this.nextSysStatusTUs + 1e6 / this.sysStatusRateHz, now);
      this.send(sysStatus(st.batteryV));
    }
  }

  private checkOffboardLoss(now: number): void {
    if (((this.customMode >>> 16) & 0xff) !== PX4_MAIN.OFFBOARD) return;
    const last = this.lastSetpointTUs ?? -Infinity;
    if (now - last > (this.opts.offboardLossTimeoutUs ?? 1_000_000)) {
      this.customMode = px4CustomMode(PX4_MAIN.AUTO, PX4_AUTO_SUB.LOITER);
      this.s.failovers++;
      this.sendHeartbeat(); // PX4 announces a mode change at once
    }
  }

  private onFrame(frame: MavlinkFrame, message: MavLinkData | null): void {
    if (!message) return;
    const now = this.opts.clock.nowUs();
    if (message instanceof minimal.Heartbeat) {
      if (message.type === minimal.MavType.ONBOARD_CONTROLLER || message.type === minimal.MavType.GCS) this.s.companionHeartbeats++;
    } else if (message instanceof common.SetPositionTargetLocalNed) {
      this.onSetpoint(message, now);
    } else if (message instanceof common.CommandLong) {
      if (message.targetSystem !== this.sysId && message.targetSystem !== 0) return;
      this.s.commandsReceived++;
      const result = this.onCommand(message.command, commandParams(message), now);
      this.send(commandAck(message.command, result, frame.sysId, frame.compId));
    } else if (message instanceof common.ObstacleDistance) {
      this.s.obstacleMessages++;
    }
  }

  private onSetpoint(m: common.SetPositionTargetLocalNed, now: number): void {
    const frameOk = m.coordinateFrame === common.MavFrame.BODY_NED || m.coordinateFrame === MAV_FRAME_LOCAL_NED;
    const values = [m.vx, m.vy, m.vz, m.yawRate];
    if ((m.targetSystem !== this.sysId && m.targetSystem !== 0) || !frameOk || (m.typeMask as number) !== TYPE_MASK_VELOCITY_YAW_RATE || !values.every(Number.isFinite)) {
      this.s.setpointsRejected++;
      return;
    }
    this.s.setpointsReceived++;
    let velBody: Vector3 = { x: m.vx, y: m.vy, z: m.vz };
    if (m.coordinateFrame === MAV_FRAME_LOCAL_NED) {
      const yaw = this.opts.vehicle.state().attitude.yawRad;
      const c = Math.cos(yaw);
      const s = Math.sin(yaw);
      velBody = { x: c * m.vx + s * m.vy, y: -s * m.vx + c * m.vy, z: m.vz };
    }
    this.setpoint = { velBody, yawRateRadS: m.yawRate };
    if (this.lastSetpointTUs === null || now - this.lastSetpointTUs > STREAM_GAP_US) this.streamStartTUs = now;
    this.lastSetpointTUs = now;
  }

  private onCommand(command: number, p: number[], now: number): number {
    switch (command) {
      case MAV_CMD.SET_MESSAGE_INTERVAL:
        return this.setInterval(p[0]!, p[1]!);
      case MAV_CMD.DO_SET_MODE: {
        const main = Math.round(p[1]!);
        const sub = Math.round(p[2]!);
        if (main === PX4_MAIN.OFFBOARD) {
          const streaming =
            this.streamStartTUs !== null &&
            this.lastSetpointTUs !== null &&
            now - this.lastSetpointTUs <= STREAM_GAP_US &&
            now - this.streamStartTUs > (this.opts.offboardWarmupUs ?? 1_000_000);
          if (!streaming) {
            this.s.offboardRejections++;
            return MAV_RESULT.TEMPORARILY_REJECTED;
          }
          this.s.offboardEntries++;
        }
        this.customMode = px4CustomMode(main, main === PX4_MAIN.AUTO ? sub : 0);
        this.sendHeartbeat();
        return MAV_RESULT.ACCEPTED;
      }
      case MAV_CMD.COMPONENT_ARM_DISARM:
        this.armed = p[0]! >= 0.5;
        this.sendHeartbeat();
        return MAV_RESULT.ACCEPTED;
      default:
        return MAV_RESULT.UNSUPPORTED;
    }
  }

  private setInterval(msgId: number, intervalUs: number): number {
    const hz = (def: number) => (intervalUs > 0 ? 1e6 / intervalUs : def);
    switch (Math.round(msgId)) {
      case common.Attitude.MSG_ID:
        this.attitudeRateHz = clamp(hz(100), 100, 200);
        this.restartLoop();
        return MAV_RESULT.ACCEPTED;
      case common.LocalPositionNed.MSG_ID:
        this.localPositionRateHz = clamp(hz(50), 1, 50);
        return MAV_RESULT.ACCEPTED;
      case common.SysStatus.MSG_ID:
        this.sysStatusRateHz = clamp(hz(1), 0.2, 10);
        return MAV_RESULT.ACCEPTED;
      default:
        return MAV_RESULT.UNSUPPORTED;
    }
  }

  private restartLoop(): void {
    if (!this.cancelHeartbeat) return; // not started yet: start() will
    this.cancelLoop?.();
    this.cancelLoop = this.opts.scheduler.every(1e6 / this.attitudeRateHz, () => this.step());
  }

  private sendHeartbeat(): void {
    const hb = new minimal.Heartbeat();
    const main = (this.customMode >>> 16) & 0xff;
    hb.type = minimal.MavType.QUADROTOR;
    hb.autopilot = minimal.MavAutopilot.PX4;
    hb.baseMode = (minimal.MavModeFlag.CUSTOM_MODE_ENABLED |
      (this.armed ? minimal.MavModeFlag.SAFETY_ARMED : 0) |
      minimal.MavModeFlag.STABILIZE_ENABLED |
      (main === PX4_MAIN.OFFBOARD || main === PX4_MAIN.AUTO ? minimal.MavModeFlag.GUIDED_ENABLED | minimal.MavModeFlag.AUTO_ENABLED : 0)) as minimal.MavModeFlag;
    hb.customMode = this.customMode;
    hb.systemStatus = this.armed ? minimal.MavState.ACTIVE : minimal.MavState.STANDBY;
    hb.mavlinkVersion = 3;
    this.send(hb);
  }

  private send(m: MavLinkData): boolean {
    return this.endpoint.send(m);
  }
}

function sysStatus(batteryV: number): common.SysStatus {
  const m = new common.SysStatus();
  m.onboardControlSensorsPresent = 0 as common.MavSysStatusSensor;
  m.onboardControlSensorsEnabled = 0 as common.MavSysStatusSensor;
  m.onboardControlSensorsHealth = 0 as common.MavSysStatusSensor;
  m.load = 250;
  m.voltageBattery = Math.round(batteryV * 1000);
  m.currentBattery = -1;
  m.batteryRemaining = -1;
  m.dropRateComm = 0;
  m.errorsComm = 0;
  m.errorsCount1 = m.errorsCount2 = m.errorsCount3 = m.errorsCount4 = 0;
  m.onboardControlSensorsPresentExtended = 0 as common.MavSysStatusSensorExtended;
  m.onboardControlSensorsEnabledExtended = 0 as common.MavSysStatusSensorExtended;
  m.onboardControlSensorsHealthExtended = 0 as common.MavSysStatusSensorExtended;
  return m;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
