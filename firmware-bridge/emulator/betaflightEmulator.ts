/**
 * A flight-controller emulator that answers MSP v2 the way Betaflight 4.x does, and drives an
 * `EmulatedVehicle` from the RC channels it receives.
 *
 * - Answers MSP_STATUS (armed, ANGLE), MSP_ATTITUDE, MSP_RAW_IMU, MSP_ANALOG; acknowledges
 *   MSP_SET_RAW_RC with an empty response; anything else gets an error ('!') frame.
 * - Flies ANGLE mode with the stick loop's airframe model inverted: sticks → the velocity and yaw
 *   rate the airframe would settle at, handed to the vehicle's velocity controller.
 * - When no RC frame arrives for `rcTimeoutUs` (default 0.5 s), the sticks fall back to centre and
 *   hover throttle — a stand-in for Betaflight returning the channels to the pilot's receiver.
 * - MSP cannot arm: `armed` is a start option (the pilot's arm switch).
 */
import type { Clock } from '../../src/contracts/clock.js';
import type { Cancel, Scheduler } from '../../src/contracts/scheduler.js';
import { encodeMspV2, MspV2Decoder, type MspDecodeCounters, type MspFrame } from '../msp/mspCodec.js';
import { decodeRawRc, encodeAnalog, encodeAttitude, encodeRawImu, encodeStatus, MSP } from '../msp/mspMessages.js';
import { parseStickLoopConfig, steadyStateForSticks, sticksFromChannels, type StickLoopConfig, type StickLoopConfigInput } from '../msp/stickLoop.js';
import type { ByteTransport } from '../transport/byteTransport.js';
import type { EmulatedVehicle } from './emulatedVehicle.js';

export interface BetaflightEmulatorOptions {
  transport: ByteTransport;
  vehicle: EmulatedVehicle;
  clock: Clock;
  scheduler: Scheduler;
  /** Airframe model; should match the companion's stick loop for the loop to be exact. */
  airframe?: StickLoopConfigInput;
  /** Start armed (the pilot's switch). Default true. */
  armed?: boolean;
  /** Physics rate, Hz (default 200). */
  physicsRateHz?: number;
  /** RC frames older than this fall back to centred sticks, µs (default 500 ms). */
  rcTimeoutUs?: number;
}

export interface BetaflightEmulatorStats {
  readonly armed: boolean;
  readonly rcFrames: number;
  readonly lastChannelsUs: readonly number[];
  readonly requests: number;
  readonly unsupported: number;
  readonly rcTimeouts: number;
  readonly link: MspDecodeCounters;
}

export class BetaflightEmulator {
  private readonly decoder = new MspV2Decoder();
  private readonly airframe: StickLoopConfig;
  private readonly armed: boolean;
  private channels: number[] = [];
  private lastRcTUs: number | null = null;
  private lastStepTUs: number;
  private rcTimedOut = true;
  private cancelLoop: Cancel | null = null;
  private unsubscribe: (() => void) | null = null;
  private s = { rcFrames: 0, requests: 0, unsupported: 0, rcTimeouts: 0 };

  constructor(private readonly opts: BetaflightEmulatorOptions) {
    this.airframe = parseStickLoopConfig(opts.airframe);
    this.armed = opts.armed ?? true;
    this.lastStepTUs = opts.clock.nowUs();
  }

  async start(): Promise<void> {
    this.unsubscribe = this.opts.transport.onData((c) => {
      for (const f of this.decoder.push(c)) this.onFrame(f);
    });
    await this.opts.transport.open();
    this.lastStepTUs = this.opts.clock.nowUs();
    this.cancelLoop = this.opts.scheduler.every(1e6 / (this.opts.physicsRateHz ?? 200), () => this.step());
  }

  async stop(): Promise<void> {
    this.cancelLoop?.();
    this.cancelLoop = null;
    this.unsubscribe?.();
    await this.opts.transport.close();
  }

  stats(): BetaflightEmulatorStats {
    return { ...this.s, armed: this.armed, lastChannelsUs: [...this.channels], link: this.decoder.counters() };
  }

  step(): void {
    const now = this.opts.clock.nowUs();
    const dtS = (now - this.lastStepTUs) / 1e6;
    this.lastStepTUs = now;
    const fresh = this.lastRcTUs !== null && now - this.lastRcTUs <= (this.opts.rcTimeoutUs ?? 500_000);
    if (!fresh && !this.rcTimedOut) this.s.rcTimeouts++;
    this.rcTimedOut = !fresh;
    const sticks = fresh ? sticksFromChannels(this.airframe, this.channels) : null;
    const v = this.opts.vehicle;
    if (this.armed && sticks) {
      const ss = steadyStateForSticks(this.airframe, sticks);
      v.setVelocitySetpoint({ x: ss.velForwardMS, y: ss.velRightMS, z: ss.velDownMS }, ss.yawRateRadS);
    } else {
      v.setVelocitySetpoint({ x: 0, y: 0, z: 0 }, 0);
    }
    v.step(dtS);
  }

  private onFrame(f: MspFrame): void {
    if (f.direction !== '<') return;
    this.s.requests++;
    const st = this.opts.vehicle.state();
    let reply: Uint8Array | null;
    switch (f.fn) {
      case MSP.STATUS:
        reply = encodeStatus(this.armed, true);
        break;
      case MSP.ATTITUDE:
        reply = encodeAttitude(st.attitude);
        break;
      case MSP.RAW_IMU: {
        const r = st.attitude;
        // Specific force in body axes of a hovering, tilted airframe: gravity seen through the tilt.
        reply = encodeRawImu([Math.sin(r.pitchRad), -Math.sin(r.rollRad) * Math.cos(r.pitchRad), -Math.cos(r.rollRad) * Math.cos(r.pitchRad)], st.bodyRatesRadS);
        break;
      }
      case MSP.ANALOG:
        reply = encodeAnalog(st.batteryV);
        break;
      case MSP.SET_RAW_RC:
        this.channels = decodeRawRc(f.payload);
        this.lastRcTUs = this.opts.clock.nowUs();
        this.s.rcFrames++;
        reply = new Uint8Array(0);
        break;
      default:
        reply = null;
    }
    if (reply) this.opts.transport.write(encodeMspV2('>', f.fn, reply));
    else {
      this.s.unsupported++;
      this.opts.transport.write(encodeMspV2('!', f.fn));
    }
  }
}
