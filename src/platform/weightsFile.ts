/**
 * Reads a weights file and its manifest (`<base>.weights` raw little-endian float32 + `<base>.weights.json`,
 * see src/contracts/networkWeights.ts). Shared by the stages that load network weights (inference and the
 * learner), so neither imports the other.
 */
import { readFile } from 'node:fs/promises';
import { parseWeightsManifest, type WeightsManifest } from '../contracts/networkWeights.js';

/** The manifest and a fresh, aligned Float32Array of the values; throws with the reason when they disagree. */
export async function readWeightsFile(base: string): Promise<{ manifest: WeightsManifest; data: Float32Array }> {
  const manifest = parseWeightsManifest(JSON.parse(await readFile(`${base}.weights.json`, 'utf8')));
  const bytes = await readFile(`${base}.weights`);
  if (bytes.byteLength !== manifest.totalLength * 4) {
    throw new Error(`${base}.weights: ${bytes.byteLength} bytes, the manifest needs ${manifest.totalLength * 4}`);
  }
  // Copy into a fresh buffer: a Buffer may be a view into a shared, unaligned pool.
  const data = new Float32Array(manifest.totalLength);
  new Uint8Array(data.buffer).set(bytes);
  return { manifest, data };
}
