/**
 * `FlightLink` over MSP v2, for Betaflight and INAV.
 *
 * Outbound: MSP_SET_RAW_RC with the stick loop's channels, written at once for every setpoint and
 * re-sent by a timer so the flight controller sees at least `rcRateHz` (default 100 Hz, ≥ 50) —
 * Betaflight drops MSP override when frames stop. Polls MSP_ATTITUDE and MSP_RAW_IMU (body rates)
 * at `attitudePollHz`, MSP_STATUS (armed, ANGLE) and MSP_ANALOG (battery) at `statusPollHz`.
 *
 * MSP cannot change modes or arm: the pilot hands over control with the MSP OVERRIDE switch, so
 * `requestControl()` resolves at once, and `requestHold()` only sets level sticks and hover
 * throttle (Betaflight has no position hold). Any valid MSP reply counts as the autopilot's
 * heartbeat for the guard's link-loss watchdog.
 */
import type { Clock } from '../../src/contracts/clock.js';
import type { ObstacleDistances } from '../../src/contracts/obstacleDistances.js';
import { hoverSetpoint, type SteeringSetpoint } from '../../src/contracts/steeringSetpoint.js';
import type { VehicleState } from '../../src/contracts/vehicleState.js';
import { FlightLinkError } from '../link/errors.js';
import type { FlightLink } from '../link/flightLink.js';
import { Listeners, type Unsubscribe } from '../link/listeners.js';
import type { Cancel, Scheduler } from '../../src/contracts/scheduler.js';
import { reconnectCount, watchTransport } from '../link/transportWatch.js';
import { newLinkCounters, VehicleStateBuilder } from '../link/vehicleStateBuilder.js';
import type { ByteTransport } from '../transport/byteTransport.js';
import { encodeMspV2, MspV2Decoder, type MspFrame } from './mspCodec.js';
import {
  decodeAnalogVoltage,
  decodeAttitude,
  decodeRawImuRates,
  decodeStatus,
  DEFAULT_AXIS_SIGNS,
  encodeRawRc,
  MSP,
  type MspAxisSigns,
} from './mspMessages.js';
import { channelsForSticks, parseStickLoopConfig, sticksForSetpoint, type StickLoopConfig, type StickLoopConfigInput } from './stickLoop.js';

export interface MspFlightLinkOptions {
  transport: ByteTransport;
  clock: Clock;
  scheduler: Scheduler;
  /** Minimum MSP_SET_RAW_RC rate, Hz (≥ 50, default 100). */
  rcRateHz?: number;
  /** MSP_ATTITUDE + MSP_RAW_IMU poll rate, Hz (default 50). */
  attitudePollHz?: number;
  /** MSP_STATUS + MSP_ANALOG poll rate, Hz (default 5). */
  statusPollHz?: number;
  /** Airframe and channel parameters of the stick loop. */
  stickLoop?: StickLoopConfigInput;
  /** Axis signs for attitude and gyro, if the board's conventions differ. */
  axisSigns?: MspAxisSigns;
  log?: (line: string) => void;
}

export class MspFlightLink implements FlightLink {
  readonly protocol = 'msp' as const;
  readonly stickConfig: StickLoopConfig;
  /** The channels (µs) the last RC frame carried. */
  lastChannels: number[] = [];
  private readonly decoder = new MspV2Decoder();
  private readonly builder = new VehicleStateBuilder(newLinkCounters());
  private readonly stateListeners = new Listeners<VehicleState>();
  private readonly errorListeners = new Listeners<FlightLinkError>();
  private readonly rcPeriodUs: number;
  private setpoint: SteeringSetpoint | null = null;
  private lastRcTUs: number | null = null;
  private framesOut = 0;
  private framesDropped = 0;
  private timers: Cancel[] = [];
  private subs: Unsubscribe[] = [];
  private readonly signs: MspAxisSigns;

  constructor(private readonly opts: MspFlightLinkOptions) {
    const rc = opts.rcRateHz ?? 100;
    if (rc < 50) throw new RangeError('rcRateHz must be ≥ 50 (MSP override needs a steady RC stream)');
    this.rcPeriodUs = 1e6 / rc;
    this.stickConfig = parseStickLoopConfig(opts.stickLoop);
    this.signs = opts.axisSigns ?? DEFAULT_AXIS_SIGNS;
    this.builder.mode = 'angle';
    this.builder.modeName = 'Betaflight:unknown';
  }

  async connect(): Promise<void> {
    const t = this.opts.transport;
    this.subs.push(t.onData((chunk) => this.onData(chunk)));
    this.subs.push(
      watchTransport(t, {
        onReopened: () => this.decoder.reset(),
        onLost: (err) => this.emitError(err),
      }),
    );
    try {
      await t.open();
    } catch (err) {
      this.stop();
      throw new FlightLinkError('connect-failed', `cannot open ${t.description}: ${(err as Error).message}`, { cause: err });
    }
    const s = this.opts.scheduler;
    this.timers.push(
      s.every(this.rcPeriodUs, () => {
        const now = this.opts.clock.nowUs();
        if (this.lastRcTUs === null || now - this.lastRcTUs >= this.rcPeriodUs * 0.9) this.writeRc(now);
      }),
      s.every(1e6 / (this.opts.attitudePollHz ?? 50), () => {
        this.request(MSP.ATTITUDE);
        this.request(MSP.RAW_IMU);
      }),
      s.every(1e6 / (this.opts.statusPollHz ?? 5), () => {
        this.request(MSP.STATUS);
        this.request(MSP.ANALOG);
      }),
    );
    this.request(MSP.STATUS);
  }

  async close(): Promise<void> {
    this.stop();
    await this.opts.transport.close();
  }

  sendSetpoint(setpoint: SteeringSetpoint): boolean {
    this.setpoint = setpoint;
    return this.writeRc(this.opts.clock.nowUs());
  }

  /** MSP cannot change modes: the pilot's MSP OVERRIDE switch hands over control. */
  async requestControl(): Promise<void> {}

  requestHold(reason: string): boolean {
    if (!this.builder.inControl) return false;
    this.setpoint = hoverSetpoint(this.opts.clock.nowUs());
    this.writeRc(this.opts.clock.nowUs());
    this.opts.log?.(`hold (level sticks, hover throttle): ${reason}`);
    return true;
  }

  /** MSP has no obstacle message. */
  sendObstacleDistances(_distances: ObstacleDistances): boolean {
    return false;
  }

  state(): VehicleState {
    this.refreshLink();
    return this.builder.current();
  }

  onState(listener: (state: VehicleState) => void): Unsubscribe {
    return this.stateListeners.add(listener);
  }

  onError(listener: (error: FlightLinkError) => void): Unsubscribe {
    return this.errorListeners.add(listener);
  }

  private writeRc(now: number): boolean {
    const sp = this.setpoint ?? hoverSetpoint(now);
    const b = this.builder;
    const feedback = b.velNedMS && b.attitude ? { velNedMS: b.velNedMS, yawRad: b.attitude.yawRad } : null;
    const channels = channelsForSticks(this.stickConfig, sticksForSetpoint(this.stickConfig, sp, feedback));
    const ok = this.write(encodeMspV2('<', MSP.SET_RAW_RC, encodeRawRc(channels)));
    if (ok) {
      this.lastChannels = channels;
      this.lastRcTUs = now;
    }
    return ok;
  }

  private request(fn: number): void {
    this.write(encodeMspV2('<', fn));
  }

  private write(frame: Uint8Array): boolean {
    const ok = this.opts.transport.write(frame);
    if (ok) this.framesOut++;
    else this.framesDropped++;
    return ok;
  }

  private onData(chunk: Uint8Array): void {
    for (const frame of this.decoder.push(chunk)) this.onFrame(frame);
  }

  private onFrame(f: MspFrame): void {
    if (f.direction === '<') return; // our own requests echoed, or another master: not for us
    const now = this.opts.clock.nowUs();
    const b = this.builder;
    b.link.lastFcHeartbeatTUs = now;
    if (f.direction === '!') {
      this.emitError(new FlightLinkError('protocol', `flight controller refused MSP function ${f.fn}`));
    } else if (f.fn === MSP.ATTITUDE) {
      const a = decodeAttitude(f.payload, this.signs);
      if (a) {
        b.attitude = a;
        b.attitudeTUs = now;
      }
    } else if (f.fn === MSP.RAW_IMU) {
      const r = decodeRawImuRates(f.payload, this.signs);
      if (r) b.bodyRatesRadS = r;
    } else if (f.fn === MSP.STATUS) {
      const s = decodeStatus(f.payload);
      if (s) {
        b.armed = s.armed;
        b.mode = s.angleMode ? 'angle' : 'acro';
        b.modeName = s.angleMode ? 'Betaflight:ANGLE' : 'Betaflight:ACRO';
      }
    } else if (f.fn === MSP.ANALOG) {
      b.batteryV = decodeAnalogVoltage(f.payload);
    }
    b.inControl = b.armed && this.lastRcTUs !== null && now - this.lastRcTUs < 4 * this.rcPeriodUs;
    this.refreshLink();
    this.stateListeners.emit(b.publish(now));
  }

  private refreshLink(): void {
    const c = this.decoder.counters();
    const l = this.builder.link;
    const t = this.opts.transport;
    l.connected = t.isOpen;
    l.framesIn = c.frames;
    l.framesOut = this.framesOut;
    l.framesDropped = this.framesDropped;
    l.bytesSkipped = c.bytesSkipped;
    l.crcErrors = c.crcErrors;
    l.reconnects = reconnectCount(t);
  }

  private stop(): void {
    for (const c of this.timers) c();
    for (const u of this.subs) u();
    this.timers = [];
    this.subs = [];
  }

  private emitError(err: FlightLinkError): void {
    this.opts.log?.(`${err.code}: ${err.message}`);
    this.errorListeners.emit(err);
  }
}
