/**
 * The inference stage for one diagnostic flight (`evpilot start --steer-on-truth`): the network still runs on
 * every window (same timing, same learner and weight adoption), but the steering gets the simulator's true ν
 * map (sharedTruthChannel.ts) in place of the network's, once the simulator has written one. What a flight then
 * achieves is what a perfect ν map gives the avoidance law in that world.
 */
import type { NetworkInput } from '../contracts/eventWindow.js';
import type { ProximityMap } from '../contracts/proximityMap.js';
import { sameGeometry } from '../contracts/sensorGeometry.js';
import type { SharedTruthChannel } from './sharedTruthChannel.js';
import type { ProximityInference } from './steeringPipeline.js';

export class TruthSteeredInference implements ProximityInference {
  private readonly map: Float32Array;
  /** Maps handed on: the truth's, and the network's (before the first truth was written). */
  truthMaps = 0;
  networkMaps = 0;

  constructor(
    private readonly net: ProximityInference,
    private readonly truth: SharedTruthChannel,
  ) {
    this.map = new Float32Array(truth.geometry.widthPx * truth.geometry.heightPx);
  }

  /** The network's map with its ν replaced by the latest truth (a buffer reused by the next call). */
  async infer(input: NetworkInput, tUs: number, nuScale?: number): Promise<ProximityMap> {
    const predicted = await this.net.infer(input, tUs, nuScale);
    if (!sameGeometry(predicted.geometry, this.truth.geometry)) {
      throw new Error(`truth is ${this.truth.geometry.widthPx}×${this.truth.geometry.heightPx}, the network's map ${predicted.geometry.widthPx}×${predicted.geometry.heightPx}`);
    }
    if (Number.isNaN(this.truth.read(this.map))) {
      this.networkMaps++;
      return predicted;
    }
    this.truthMaps++;
    return { tUs: predicted.tUs, geometry: predicted.geometry, invTtcPerS: this.map, weightsVersion: predicted.weightsVersion };
  }

  setWeights(version: number, data: Float32Array): void {
    this.net.setWeights(version, data);
  }
}
