/**
 * What a flight controller's estimator reports, modelled from the truth rather than simulated as an
 * EKF: body rates are the gyro with its bias mostly removed (a residual of `biasResidual` × the true
 * bias remains) and low-passed at `gyroCutoffHz` (PX4 IMU_GYRO_CUTOFF, 40 Hz); attitude and velocity
 * are the truth plus slowly varying errors (first-order Gauss–Markov, σ and τ below), the size of a
 * healthy PX4 EKF2 with optical flow or GNSS; so is the height (LOCAL_POSITION_NED z, baro/range fused),
 * whose error comes from its own random stream so that adding it changed no other number of the simulator. Enough for a perception stack that must not assume
 * perfect rates and velocity; not a substitute for an estimator study.
 */
import type { Prng } from '../world/prng.js';

export interface FcEstimateParams {
  readonly gyroCutoffHz: number;
  readonly biasResidual: number;
  readonly attitudeErrorSigmaRad: number;
  readonly velocityErrorSigmaMS: number;
  /** σ of the reported height's error, m. */
  readonly heightErrorSigmaM: number;
  readonly errorTauS: number;
}

export const DEFAULT_FC_ESTIMATE_PARAMS: FcEstimateParams = {
  gyroCutoffHz: 40,
  biasResidual: 0.1,
  attitudeErrorSigmaRad: (0.5 * Math.PI) / 180,
  velocityErrorSigmaMS: 0.05,
  heightErrorSigmaM: 0.1,
  errorTauS: 2,
};

export class FcEstimator {
  /** Reported body rates (FRD, rad/s), attitude errors (roll, pitch, yaw; rad), velocity errors (NED, m/s). */
  readonly rates = new Float64Array(3);
  readonly attitudeError = new Float64Array(3);
  readonly velocityError = new Float64Array(3);
  /** Error of the reported height (NED down), m. */
  heightErrorM = 0;
  private readonly heightPrng: Prng;

  constructor(
    readonly params: FcEstimateParams,
    private readonly prng: Prng,
  ) {
    // A derived stream: `derive` does not draw from `prng`, so the other errors' sequences are unchanged.
    this.heightPrng = prng.derive('height');
  }

  /** Advances by dtS given the latest gyro sample and the IMU's true gyro bias. */
  step(gyro: ArrayLike<number>, gyroBias: ArrayLike<number>, dtS: number): void {
    const p = this.params;
    const alpha = 1 - Math.exp(-2 * Math.PI * p.gyroCutoffHz * dtS);
    const a = Math.exp(-dtS / p.errorTauS);
    const b = Math.sqrt(1 - a * a);
    for (let k = 0; k < 3; k++) {
      const corrected = gyro[k]! - (1 - p.biasResidual) * gyroBias[k]!;
      this.rates[k] = this.rates[k]! + alpha * (corrected - this.rates[k]!);
      this.attitudeError[k] = a * this.attitudeError[k]! + b * p.attitudeErrorSigmaRad * this.prng.normal();
      this.velocityError[k] = a * this.velocityError[k]! + b * p.velocityErrorSigmaMS * this.prng.normal();
    }
    this.heightErrorM = a * this.heightErrorM + b * p.heightErrorSigmaM * this.heightPrng.normal();
  }
}
