/**
 * A multirotor with a PX4-like offboard velocity controller. Implements `SimVehicle`.
 *
 * Model (mass-normalised, NED, integrated with semi-implicit Euler in sub-steps ≤ 1 ms):
 * - Velocity loop (PX4 MulticopterPositionControl, velocity part): acceleration command
 *   a = P·e + I·∫e − D·â (e = setpoint − velocity, â = 5 Hz low-passed acceleration), limited
 *   horizontally (MPC_ACC_HOR_MAX) and vertically (MPC_ACC_UP/DOWN_MAX), integrators clamped.
 * - Thrust vector f = a − g, tilted at most MPC_TILTMAX_AIR; collective thrust |f| up to
 *   thrust-to-weight × g, tracked with the motors' time constant.
 * - Attitude: roll and pitch follow the thrust vector's direction as a first-order response
 *   (τ = 1/MC_ROLL_P) with a rate limit; heading rate follows the yaw-rate setpoint (first order,
 *   MC_YAWRATE_MAX).
 * - Forces: thrust along body −z, gravity, linear rotor drag and quadratic body drag on the velocity
 *   relative to the air (wind: mean + Gauss–Markov gusts).
 * - Ground: the vehicle cannot sink below altitude 0.
 * Response to a 0 → 2 m/s forward step: about 0.6 s to 63 %, peak tilt ≈ 12°, as PX4 with defaults.
 *
 * Also: an IMU (noise, bias), an estimator-like reported state, collision detection against every
 * obstacle of the world with the vehicle's radius, and clearance tracking.
 */
import type { World } from '../world/world.js';
import type { Prng } from '../world/prng.js';
import { mat3, mulMat3TVec, rotationFromEulerZyx, vec3, wrapPi, type Mat3 } from '../world/frames.js';
import { CollisionMonitor } from './collisionMonitor.js';
import { FcEstimator, DEFAULT_FC_ESTIMATE_PARAMS, type FcEstimateParams } from './fcEstimate.js';
import { ImuModel } from './imu.js';
import { CALM, DEFAULT_IMU_PARAMS, DEFAULT_MULTIROTOR_PARAMS, type ImuParams, type MultirotorParams, type WindParams } from './multirotorParams.js';
import type { CollisionRecord, ImuSample, ReportedState, SimVehicle, SimVehicleState, Vector3 } from './simVehicle.js';
import { WindModel } from './wind.js';

export const GRAVITY_MS2 = 9.80665;

export interface MultirotorOptions {
  readonly world: World;
  readonly prng: Prng;
  readonly start: { readonly northM: number; readonly eastM: number; readonly altitudeM: number; readonly yawRad: number };
  readonly params?: Partial<MultirotorParams>;
  readonly wind?: WindParams;
  readonly imu?: ImuParams;
  readonly estimate?: FcEstimateParams;
}

export class Multirotor implements SimVehicle {
  readonly params: MultirotorParams;
  /** True state, NED metres / m/s / m/s², Euler angles (roll, pitch, yaw) rad, body rates FRD rad/s. */
  readonly positionNed = vec3();
  readonly velocityNed = vec3();
  readonly accelerationNed = vec3();
  readonly euler = vec3();
  readonly bodyRates = vec3();
  /** R_wb for the current attitude (kept in step with `euler`). */
  readonly worldFromBody: Mat3 = mat3();
  readonly collisions: CollisionRecord[] = [];
  timeUs = 0;
  crashed = false;

  private readonly wind: WindModel;
  private readonly imuModel: ImuModel;
  private readonly estimator: FcEstimator;
  private readonly monitor: CollisionMonitor;
  private readonly setpointNed = vec3();
  private setpointYawRate = 0;
  private sinceSetpointS = Number.POSITIVE_INFINITY;
  private yawRate = 0;
  private thrust = GRAVITY_MS2;
  private readonly velIntegral = vec3();
  private readonly accFiltered = vec3();
  private battery: number;
  private readonly tmp = vec3();
  private readonly specificForce = vec3();

  constructor(opts: MultirotorOptions) {
    this.params = { ...DEFAULT_MULTIROTOR_PARAMS, ...opts.params };
    this.wind = new WindModel(opts.wind ?? CALM, opts.prng.derive('wind'));
    this.imuModel = new ImuModel(opts.imu ?? DEFAULT_IMU_PARAMS, opts.prng.derive('imu'));
    this.estimator = new FcEstimator(opts.estimate ?? DEFAULT_FC_ESTIMATE_PARAMS, opts.prng.derive('estimator'));
    this.monitor = new CollisionMonitor(opts.world, this.params.radiusM, this.params.groundCollides);
    this.battery = this.params.batteryStartV;
    this.resetTo(opts.start);
  }

  /** Puts the vehicle at rest, level, at a pose (after a crash, or to start a new run). */
  resetTo(pose: { readonly northM: number; readonly eastM: number; readonly altitudeM: number; readonly yawRad: number }): void {
    this.positionNed[0] = pose.northM;
    this.positionNed[1] = pose.eastM;
    this.positionNed[2] = -pose.altitudeM;
    this.velocityNed.fill(0);
    this.accelerationNed.fill(0);
    this.euler[0] = 0;
    this.euler[1] = 0;
    this.euler[2] = wrapPi(pose.yawRad);
    this.bodyRates.fill(0);
    this.velIntegral.fill(0);
    this.accFiltered.fill(0);
    this.setpointNed.fill(0);
    this.setpointYawRate = 0;
    this.yawRate = 0;
    this.thrust = GRAVITY_MS2;
    this.crashed = false;
    rotationFromEulerZyx(0, 0, this.euler[2]!, this.worldFromBody);
    this.monitor.reset();
    this.monitor.update(pose.northM, pose.eastM, pose.altitudeM, 0, 0);
  }

  setVelocitySetpoint(velBodyMS: Vector3, yawRateRadS: number): void {
    const p = this.params;
    // Body (levelled) → NED with the current heading, as PX4 does on receipt.
    const c = Math.cos(this.euler[2]!);
    const s = Math.sin(this.euler[2]!);
    let n = c * velBodyMS.x - s * velBodyMS.y;
    let e = s * velBodyMS.x + c * velBodyMS.y;
    const h = Math.hypot(n, e);
    if (h > p.velXyMaxMS) {
      n *= p.velXyMaxMS / h;
      e *= p.velXyMaxMS / h;
    }
    const d = Math.min(p.velDownMaxMS, Math.max(-p.velUpMaxMS, velBodyMS.z));
    this.setpointNed[0] = Number.isFinite(n) ? n : 0;
    this.setpointNed[1] = Number.isFinite(e) ? e : 0;
    this.setpointNed[2] = Number.isFinite(d) ? d : 0;
    const yr = Number.isFinite(yawRateRadS) ? yawRateRadS : 0;
    this.setpointYawRate = Math.min(p.yawRateMaxRadS, Math.max(-p.yawRateMaxRadS, yr));
    this.sinceSetpointS = 0;
  }

  step(dtS: number): void {
    if (!(dtS > 0)) return;
    const n = Math.ceil(dtS / this.params.maxSubstepS - 1e-9);
    const h = dtS / n;
    for (let k = 0; k < n; k++) this.substep(h);
  }

  private substep(h: number): void {
    const p = this.params;
    this.timeUs += h * 1e6;
    this.sinceSetpointS += h;
    this.wind.step(h);
    const v = this.velocityNed;
    const pos = this.positionNed;
    const eul = this.euler;
    if (this.crashed) {
      // Resting where it hit: gravity balanced, nothing moves; sensors keep sampling.
      this.velocityNed.fill(0);
      this.accelerationNed.fill(0);
      this.bodyRates.fill(0);
      this.sampleSensors(h);
      return;
    }
    const hold = this.sinceSetpointS > p.offboardTimeoutS;
    const spN = hold ? 0 : this.setpointNed[0]!;
    const spE = hold ? 0 : this.setpointNed[1]!;
    const spD = hold ? 0 : this.setpointNed[2]!;
    const spYawRate = hold ? 0 : this.setpointYawRate;

    // Velocity loop → acceleration command.
    const eN = spN - v[0]!;
    const eE = spE - v[1]!;
    const eD = spD - v[2]!;
    const I = this.velIntegral;
    I[0] = I[0]! + eN * h;
    I[1] = I[1]! + eE * h;
    I[2] = I[2]! + eD * h;
    if (p.velXyI > 0) {
      const lim = p.accHorMaxMS2 / p.velXyI;
      const m = Math.hypot(I[0]!, I[1]!);
      if (m > lim) {
        I[0] = (I[0]! * lim) / m;
        I[1] = (I[1]! * lim) / m;
      }
    }
    if (p.velZI > 0) {
      const lim = Math.max(p.accUpMaxMS2, p.accDownMaxMS2) / p.velZI;
      I[2] = Math.min(lim, Math.max(-lim, I[2]!));
    }
    const af = this.accFiltered;
    let aN = p.velXyP * eN + p.velXyI * I[0]! - p.velXyD * af[0]!;
    let aE = p.velXyP * eE + p.velXyI * I[1]! - p.velXyD * af[1]!;
    let aD = p.velZP * eD + p.velZI * I[2]! - p.velZD * af[2]!;
    const aH = Math.hypot(aN, aE);
    if (aH > p.accHorMaxMS2) {
      aN *= p.accHorMaxMS2 / aH;
      aE *= p.accHorMaxMS2 / aH;
    }
    aD = Math.min(p.accDownMaxMS2, Math.max(-p.accUpMaxMS2, aD));

    // Thrust vector and tilt limit.
    let fN = aN;
    let fE = aE;
    const fD = Math.min(aD - GRAVITY_MS2, -0.1 * GRAVITY_MS2);
    const fH = Math.hypot(fN, fE);
    const fHMax = -fD * Math.tan(p.tiltMaxRad);
    if (fH > fHMax) {
      fN *= fHMax / fH;
      fE *= fHMax / fH;
    }
    const tDes = Math.min(p.thrustToWeight * GRAVITY_MS2, Math.hypot(fN, fE, fD));
    const yaw = eul[2]!;
    const cy = Math.cos(yaw);
    const sy = Math.sin(yaw);
    const fx = cy * fN + sy * fE;
    const fy = -sy * fN + cy * fE;
    const pitchDes = Math.atan2(-fx, -fD);
    const rollDes = Math.asin(Math.max(-1, Math.min(1, fy / Math.hypot(fN, fE, fD))));

    // Attitude and heading responses.
    const rollRate = clamp((rollDes - eul[0]!) / p.attitudeTauS, p.tiltRateMaxRadS);
    const pitchRate = clamp((pitchDes - eul[1]!) / p.attitudeTauS, p.tiltRateMaxRadS);
    this.yawRate = clamp(this.yawRate + (spYawRate - this.yawRate) * (1 - Math.exp(-h / p.yawRateTauS)), p.yawRateMaxRadS);
    eul[0] = eul[0]! + rollRate * h;
    eul[1] = eul[1]! + pitchRate * h;
    eul[2] = wrapPi(yaw + this.yawRate * h);
    this.thrust += (tDes - this.thrust) * (1 - Math.exp(-h / p.thrustTauS));
    const R = rotationFromEulerZyx(eul[0]!, eul[1]!, eul[2]!, this.worldFromBody);

    // Forces: thrust along body −z (third column of R, negated), gravity, drag on air-relative velocity.
    const w = this.wind.nedMS;
    const rN = v[0]! - w[0]!;
    const rE = v[1]! - w[1]!;
    const rD = v[2]! - w[2]!;
    const rSpeed = Math.hypot(rN, rE, rD);
    const drag = p.dragLinearPerS + p.dragQuadraticPerM * rSpeed;
    const acc = this.accelerationNed;
    acc[0] = -R[2]! * this.thrust - drag * rN;
    acc[1] = -R[5]! * this.thrust - drag * rE;
    acc[2] = -R[8]! * this.thrust + GRAVITY_MS2 - drag * rD;
    const lp = 1 - Math.exp(-2 * Math.PI * 5 * h);
    for (let k = 0; k < 3; k++) af[k] = af[k]! + lp * (acc[k]! - af[k]!);

    v[0] = v[0]! + acc[0]! * h;
    v[1] = v[1]! + acc[1]! * h;
    v[2] = v[2]! + acc[2]! * h;
    pos[0] = pos[0]! + v[0]! * h;
    pos[1] = pos[1]! + v[1]! * h;
    pos[2] = pos[2]! + v[2]! * h;
    if (pos[2]! > 0) {
      pos[2] = 0;
      if (v[2]! > 0) v[2] = 0;
    }

    // Body rates from Euler rates (ZYX).
    const sr = Math.sin(eul[0]!);
    const cr = Math.cos(eul[0]!);
    const sp = Math.sin(eul[1]!);
    const cp = Math.cos(eul[1]!);
    this.bodyRates[0] = rollRate - this.yawRate * sp;
    this.bodyRates[1] = pitchRate * cr + this.yawRate * sr * cp;
    this.bodyRates[2] = -pitchRate * sr + this.yawRate * cr * cp;

    this.sampleSensors(h);
    const speed = Math.hypot(v[0]!, v[1]!, v[2]!);
    if (this.monitor.update(pos[0]!, pos[1]!, -pos[2]!, speed * h, h)) {
      this.collisions.push({
        tUs: Math.round(this.timeUs),
        positionNedM: { northM: pos[0]!, eastM: pos[1]!, downM: pos[2]! },
        obstacleIndex: this.monitor.contactIndex,
        speedMS: speed,
      });
      if (p.collisionResponse === 'stop') this.crashed = true;
    }
    this.battery = Math.max(13.2, this.battery - p.batteryDrainVPerS * h);
  }

  private sampleSensors(h: number): void {
    // Specific force = R_wbᵀ (a − g).
    const t = this.tmp;
    t[0] = this.accelerationNed[0]!;
    t[1] = this.accelerationNed[1]!;
    t[2] = this.accelerationNed[2]! - GRAVITY_MS2;
    mulMat3TVec(this.worldFromBody, t, this.specificForce);
    this.imuModel.sample(this.specificForce, this.bodyRates, h, Math.round(this.timeUs));
    this.estimator.step(this.imuModel.gyro, this.imuModel.gyroBias, h);
  }

  state(): SimVehicleState {
    const v = this.velocityNed;
    const vb = mulMat3TVec(this.worldFromBody, v, vec3());
    return {
      tUs: Math.round(this.timeUs),
      positionNedM: { northM: this.positionNed[0]!, eastM: this.positionNed[1]!, downM: this.positionNed[2]! },
      velocityNedMS: { northMS: v[0]!, eastMS: v[1]!, downMS: v[2]! },
      velocityBodyMS: { x: vb[0]!, y: vb[1]!, z: vb[2]! },
      accelerationNedMS2: { x: this.accelerationNed[0]!, y: this.accelerationNed[1]!, z: this.accelerationNed[2]! },
      attitude: { rollRad: this.euler[0]!, pitchRad: this.euler[1]!, yawRad: this.euler[2]! },
      bodyRatesRadS: { rollRadS: this.bodyRates[0]!, pitchRadS: this.bodyRates[1]!, yawRadS: this.bodyRates[2]! },
      batteryV: this.battery,
      clearanceM: this.monitor.clearanceM,
      minClearanceM: this.monitor.minClearanceM,
      collisionCount: this.collisions.length,
      crashed: this.crashed,
      windNedMS: { x: this.wind.nedMS[0]!, y: this.wind.nedMS[1]!, z: this.wind.nedMS[2]! },
    };
  }

  imu(): ImuSample {
    const a = this.imuModel.accel;
    const g = this.imuModel.gyro;
    return {
      tUs: this.imuModel.sampleTUs,
      accelBodyMS2: { x: a[0]!, y: a[1]!, z: a[2]! },
      gyroBodyRadS: { x: g[0]!, y: g[1]!, z: g[2]! },
    };
  }

  reported(): ReportedState {
    const e = this.estimator;
    return {
      tUs: Math.round(this.timeUs),
      attitude: {
        rollRad: this.euler[0]! + e.attitudeError[0]!,
        pitchRad: this.euler[1]! + e.attitudeError[1]!,
        yawRad: wrapPi(this.euler[2]! + e.attitudeError[2]!),
      },
      bodyRatesRadS: { rollRadS: e.rates[0]!, pitchRadS: e.rates[1]!, yawRadS: e.rates[2]! },
      velocityNedMS: {
        northMS: this.velocityNed[0]! + e.velocityError[0]!,
        eastMS: this.velocityNed[1]! + e.velocityError[1]!,
        downMS: this.velocityNed[2]! + e.velocityError[2]!,
      },
      positionNedM: { northM: this.positionNed[0]!, eastM: this.positionNed[1]!, downM: this.positionNed[2]! + e.heightErrorM },
    };
  }
}

function clamp(x: number, limit: number): number {
  return x > limit ? limit : x < -limit ? -limit : x;
}
