/**
 * A MEMS IMU: true specific force and body rates plus white noise and slowly wandering biases
 * (turn-on bias, then a first-order Gauss–Markov random walk), discretised for the sample interval:
 * white-noise standard deviation = density / √dt. Seeded; no clock (times come from the vehicle).
 */
import type { Prng } from '../world/prng.js';
import type { ImuParams } from './multirotorParams.js';

export class ImuModel {
  readonly gyroBias = new Float64Array(3);
  readonly accelBias = new Float64Array(3);
  /** Latest sample, body FRD: specific force (m/s²) and angular rate (rad/s). */
  readonly accel = new Float64Array(3);
  readonly gyro = new Float64Array(3);
  sampleTUs = 0;

  constructor(
    readonly params: ImuParams,
    private readonly prng: Prng,
  ) {
    for (let k = 0; k < 3; k++) {
      this.gyroBias[k] = params.gyroTurnOnBiasSigma * prng.normal();
      this.accelBias[k] = params.accelTurnOnBiasSigma * prng.normal();
    }
  }

  /** Takes a sample of the true specific force and rates (body FRD) after `dtS` seconds. */
  sample(specificForceBody: ArrayLike<number>, ratesBody: ArrayLike<number>, dtS: number, tUs: number): void {
    const p = this.params;
    const prng = this.prng;
    const sq = Math.sqrt(dtS);
    const gA = Math.exp(-dtS / p.gyroBiasTauS);
    const aA = Math.exp(-dtS / p.accelBiasTauS);
    for (let k = 0; k < 3; k++) {
      this.gyroBias[k] = gA * this.gyroBias[k]! + p.gyroBiasRandomWalk * sq * prng.normal();
      this.accelBias[k] = aA * this.accelBias[k]! + p.accelBiasRandomWalk * sq * prng.normal();
      this.gyro[k] = ratesBody[k]! + this.gyroBias[k]! + (p.gyroNoiseDensity / sq) * prng.normal();
      this.accel[k] = specificForceBody[k]! + this.accelBias[k]! + (p.accelNoiseDensity / sq) * prng.normal();
    }
    this.sampleTUs = tUs;
  }
}
