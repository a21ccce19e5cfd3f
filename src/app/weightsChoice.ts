/**
 * Which proximity-network weights a flight uses: the name given, else pretrained weights if models/ has
 * any (`proximity-net.<name>.weights` + manifest, other than the seeded `init`; a name containing
 * "pretrain" first, then the most recently written), else the seeded initialisation. The choice is
 * reported with the manifest's origin and version, because a flight on untrained weights says nothing
 * about the network, only about the plumbing, and with the SHA-256 of the weights: the version counts
 * updates, so weights retrained the same way carry the same version and origin (the hash is the one a
 * learner checkpoint records of the weights it continues).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { weightsSha256 } from '../learning/checkpointFormat.js';
import { PROXIMITY_INIT_WEIGHTS } from '../perception/loadProximityNet.js';
import { readWeightsFile } from '../platform/weightsFile.js';

export interface WeightsChoice {
  /** Base name inside the models directory (without `.weights`). */
  readonly name: string;
  /** `given` (asked for), `pretrained` (found in models/), `init` (the seeded initialisation). */
  readonly kind: 'given' | 'pretrained' | 'init';
  /** The manifest's origin and version. */
  readonly origin: string;
  readonly version: number;
  /** SHA-256 of the weights (hex, 64 digits): what tells apart weights of the same version and origin. */
  readonly sha256: string;
}

const WEIGHTS_FILE = /^(proximity-net\..+)\.weights$/;

export async function chooseWeights(modelDir: string, given?: string): Promise<WeightsChoice> {
  let name: string;
  let kind: WeightsChoice['kind'];
  if (given !== undefined) {
    name = given.replace(/\.weights$/, '');
    kind = 'given';
  } else {
    const found = pretrainedCandidates(modelDir);
    name = found[0] ?? PROXIMITY_INIT_WEIGHTS;
    kind = found.length > 0 ? 'pretrained' : 'init';
  }
  const { manifest, data } = await readWeightsFile(join(modelDir, name));
  return { name, kind, origin: manifest.origin, version: manifest.version, sha256: weightsSha256(data) };
}

/** Non-init weights with a manifest, best first. */
function pretrainedCandidates(modelDir: string): string[] {
  let files: string[];
  try {
    files = readdirSync(modelDir);
  } catch {
    return [];
  }
  const names = files
    .map((f) => WEIGHTS_FILE.exec(f)?.[1])
    .filter((n): n is string => n !== undefined && n !== PROXIMITY_INIT_WEIGHTS && existsSync(join(modelDir, `${n}.weights.json`)));
  const score = (n: string) => (/pretrain/i.test(n) ? 1 : 0);
  const mtime = (n: string) => statSync(join(modelDir, `${n}.weights`)).mtimeMs;
  return names.sort((a, b) => score(b) - score(a) || mtime(b) - mtime(a));
}
