/**
 * Wind at the vehicle: a steady mean plus gusts, each axis a first-order Gauss–Markov process
 * (an Ornstein–Uhlenbeck process with standard deviation σ and correlation time τ; the vertical axis
 * gets σ/2). Stepped by the vehicle with its own sub-step; seeded.
 */
import type { Prng } from '../world/prng.js';
import type { WindParams } from './multirotorParams.js';

export class WindModel {
  /** Current wind, NED m/s. */
  readonly nedMS = new Float64Array(3);
  private readonly gust = new Float64Array(3);

  constructor(
    readonly params: WindParams,
    private readonly prng: Prng,
  ) {
    this.update();
  }

  step(dtS: number): void {
    const p = this.params;
    if (p.gustSigmaMS > 0) {
      // Exact discretisation of the OU process over dt.
      const a = Math.exp(-dtS / p.gustTauS);
      const b = Math.sqrt(1 - a * a);
      for (let k = 0; k < 3; k++) {
        const sigma = k === 2 ? p.gustSigmaMS / 2 : p.gustSigmaMS;
        this.gust[k] = a * this.gust[k]! + b * sigma * this.prng.normal();
      }
    }
    this.update();
  }

  private update(): void {
    this.nedMS[0] = this.params.meanNorthMS + this.gust[0]!;
    this.nedMS[1] = this.params.meanEastMS + this.gust[1]!;
    this.nedMS[2] = this.params.meanDownMS + this.gust[2]!;
  }
}
