/** Test double of the inference stage: every map is `value` everywhere, stamped with the window's time; records its calls. */
import type { ProximityInference } from '../../src/app/steeringPipeline.js';
import type { NetworkInput } from '../../src/contracts/eventWindow.js';
import type { ProximityMap } from '../../src/contracts/proximityMap.js';
import type { SensorGeometry } from '../../src/contracts/sensorGeometry.js';

export class ConstantNet implements ProximityInference {
  readonly calls: { tUs: number; nuScale: number | undefined }[] = [];
  readonly weights: number[] = [];
  private readonly data: Float32Array;
  constructor(
    readonly geometry: SensorGeometry,
    value: number,
  ) {
    this.data = new Float32Array(geometry.widthPx * geometry.heightPx).fill(value);
  }
  infer(_input: NetworkInput, tUs: number, nuScale?: number): Promise<ProximityMap> {
    this.calls.push({ tUs, nuScale });
    return Promise.resolve({ tUs, geometry: this.geometry, invTtcPerS: this.data, weightsVersion: 7 });
  }
  setWeights(version: number): void {
    this.weights.push(version);
  }
}
