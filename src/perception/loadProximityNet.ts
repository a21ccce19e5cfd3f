/**
 * Loads the proximity network from its artifacts on disk (models/): the forward graph and a weights
 * file with its manifest (`<weights>.weights` + `<weights>.weights.json`).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readWeightsFile } from '../platform/weightsFile.js';
import { ProximityNet, type ProximityNetOptions } from './proximityNet.js';

/** File names inside the models directory. */
export const PROXIMITY_MODEL_FILE = 'proximity-net.onnx';
export const PROXIMITY_TRAIN_MODEL_FILE = 'proximity-net.train.onnx';
export const PROXIMITY_INIT_WEIGHTS = 'proximity-net.init';

/** A weights file and its manifest, read and checked (shared with the learner). */
export { readWeightsFile as readWeights } from '../platform/weightsFile.js';

export interface LoadProximityNetOptions extends ProximityNetOptions {
  /** Directory of the artifacts; default `models`. */
  readonly dir?: string;
  /** Weights base name inside `dir` (without `.weights`); default the seeded initialisation. */
  readonly weights?: string;
}

export async function loadProximityNet(options: LoadProximityNetOptions = {}): Promise<ProximityNet> {
  const dir = options.dir ?? 'models';
  const modelBytes = await readFile(join(dir, PROXIMITY_MODEL_FILE));
  const { manifest, data } = await readWeightsFile(join(dir, options.weights ?? PROXIMITY_INIT_WEIGHTS));
  return ProximityNet.create(modelBytes, manifest, data, options);
}
