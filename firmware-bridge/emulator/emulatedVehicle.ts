/**
 * The small interface through which the flight-controller emulators drive a vehicle. The simulator
 * (sim/) implements it with full dynamics; `FirstOrderVehicle` below is the test double, so the
 * emulators and the bridge work without the simulator.
 *
 * Units and frames: velocity setpoints in body FRD levelled about the heading (x forward, y right,
 * z down), m/s; yaw rate rad/s (positive nose right); state in local NED; time step in seconds.
 */
import type { BodyRatesRadS, EulerAnglesRad, VelocityNedMS } from '../../src/contracts/vehicleState.js';

export interface Vector3 {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

export interface EmulatedVehicleState {
  readonly positionNedM: { readonly northM: number; readonly eastM: number; readonly downM: number };
  readonly velocityNedMS: VelocityNedMS;
  readonly attitude: EulerAnglesRad;
  readonly bodyRatesRadS: BodyRatesRadS;
  readonly batteryV: number;
}

export interface EmulatedVehicle {
  /** The velocity the vehicle's own controller should track (what PX4 offboard would do). */
  setVelocitySetpoint(velBodyMS: Vector3, yawRateRadS: number): void;
  /** Advances the dynamics by `dtS` seconds. */
  step(dtS: number): void;
  state(): EmulatedVehicleState;
}

export interface FirstOrderVehicleOptions {
  /** Velocity time constant, s (default 0.3). */
  tauVelocityS?: number;
  /** Yaw-rate time constant, s (default 0.1). */
  tauYawRateS?: number;
  /** Battery voltage at start, V (default 16.8, a full 4S pack). */
  batteryStartV?: number;
  /** Battery sag per second of flight, V/s (default 0.005). */
  batteryDrainVPerS?: number;
}

const G = 9.80665;

/**
 * Test double: velocity and yaw rate follow their setpoints as first-order lags; tilt is what the
 * horizontal acceleration needs (pitch = −atan(a_forward / g), roll = atan(a_right / g)); body
 * rates are the tilt's rate of change and the yaw rate (small-angle approximation).
 */
export class FirstOrderVehicle implements EmulatedVehicle {
  private n = 0;
  private e = 0;
  private d = 0;
  private vn = 0;
  private ve = 0;
  private vd = 0;
  private yaw = 0;
  private yawRate = 0;
  private roll = 0;
  private pitch = 0;
  private rollRate = 0;
  private pitchRate = 0;
  private battery: number;
  private target = { x: 0, y: 0, z: 0, yawRate: 0 };
  private readonly tauV: number;
  private readonly tauY: number;

  constructor(private readonly opts: FirstOrderVehicleOptions = {}) {
    this.tauV = opts.tauVelocityS ?? 0.3;
    this.tauY = opts.tauYawRateS ?? 0.1;
    this.battery = opts.batteryStartV ?? 16.8;
  }

  setVelocitySetpoint(velBodyMS: Vector3, yawRateRadS: number): void {
    this.target = { x: velBodyMS.x, y: velBodyMS.y, z: velBodyMS.z, yawRate: yawRateRadS };
  }

  step(dtS: number): void {
    if (!(dtS > 0)) return;
    const c = Math.cos(this.yaw);
    const s = Math.sin(this.yaw);
    const tn = c * this.target.x - s * this.target.y;
    const te = s * this.target.x + c * this.target.y;
    const kv = 1 - Math.exp(-dtS / this.tauV);
    const an = ((tn - this.vn) * kv) / dtS;
    const ae = ((te - this.ve) * kv) / dtS;
    this.vn += an * dtS;
    this.ve += ae * dtS;
    this.vd += (this.target.z - this.vd) * kv;
    this.yawRate += (this.target.yawRate - this.yawRate) * (1 - Math.exp(-dtS / this.tauY));
    this.n += this.vn * dtS;
    this.e += this.ve * dtS;
    this.d += this.vd * dtS;
    this.yaw = wrapPi(this.yaw + this.yawRate * dtS);
    const aFwd = c * an + s * ae;
    const aRight = -s * an + c * ae;
    const pitch = -Math.atan(aFwd / G);
    const roll = Math.atan(aRight / G);
    this.pitchRate = (pitch - this.pitch) / dtS;
    this.rollRate = (roll - this.roll) / dtS;
    this.pitch = pitch;
    this.roll = roll;
    this.battery = Math.max(13.2, this.battery - (this.opts.batteryDrainVPerS ?? 0.005) * dtS);
  }

  state(): EmulatedVehicleState {
    return {
      positionNedM: { northM: this.n, eastM: this.e, downM: this.d },
      velocityNedMS: { northMS: this.vn, eastMS: this.ve, downMS: this.vd },
      attitude: { rollRad: this.roll, pitchRad: this.pitch, yawRad: this.yaw },
      bodyRatesRadS: { rollRadS: this.rollRate, pitchRadS: this.pitchRate, yawRadS: this.yawRate },
      batteryV: this.battery,
    };
  }
}

function wrapPi(a: number): number {
  const w = ((a + Math.PI) % (2 * Math.PI) + 2 * Math.PI) % (2 * Math.PI) - Math.PI;
  return w === -Math.PI ? Math.PI : w;
}
