/**
 * Loads the proximity network from its artifacts on disk (models/): the forward graph and a weights
 * file with its manifest (`<weights>.weights` + `<weights>.weights.json`).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseWeightsManifest, type WeightsManifest } from '../contracts/networkWeights.js';
import { ProximityNet, type ProximityNetOptions } from './proximityNet.js';

/** File names inside the models directory. */
export const PROXIMITY_MODEL_FILE = 'proximity-net.onnx';
export const PROXIMITY_TRAIN_MODEL_FILE = 'proximity-net.train.onnx';
export const PROXIMITY_INIT_WEIGHTS = 'proximity-net.init';

/** A weights file and its manifest, read and checked. */
export async function readWeights(path: string): Promise<{ manifest: WeightsManifest; data: Float32Array }> {
  const manifest = parseWeightsManifest(JSON.parse(await readFile(`${path}.weights.json`, 'utf8')));
  const bytes = await readFile(`${path}.weights`);
  if (bytes.byteLength !== manifest.totalLength * 4) {
    throw new Error(`${path}.weights: ${bytes.byteLength} bytes, the manifest needs ${manifest.totalLength * 4}`);
  }
  // Copy into a fresh, aligned buffer (a Buffer may share an unaligned pool).
  const data = new Float32Array(manifest.totalLength);
  new Uint8Array(data.buffer).set(bytes);
  return { manifest, data };
}

export interface LoadProximityNetOptions extends ProximityNetOptions {
  /** Directory of the artifacts; default `models`. */
  readonly dir?: string;
  /** Weights base name inside `dir` (without `.weights`); default the seeded initialisation. */
  readonly weights?: string;
}

export async function loadProximityNet(options: LoadProximityNetOptions = {}): Promise<ProximityNet> {
  const dir = options.dir ?? 'models';
  const modelBytes = await readFile(join(dir, PROXIMITY_MODEL_FILE));
  const { manifest, data } = await readWeights(join(dir, options.weights ?? PROXIMITY_INIT_WEIGHTS));
  return ProximityNet.create(modelBytes, manifest, data, options);
}
