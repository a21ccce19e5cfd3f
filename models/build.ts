/**
 * `npm run models:build [-- --trainable enc3,enc4,dec.up,dec.skip,head] [--batch 1] [--seed 1] [--out models]`
 *
 * Writes the proximity network's artifacts (deterministic: the same options give the same bytes):
 *   proximity-net.onnx                forward graph (inference), weights as inputs
 *   proximity-net.train.onnx          training step (backprop of dL/dν, clipping, Adam) for the trainable layers
 *   proximity-net.backward.onnx       forward + raw parameter gradients of every parameter
 *   proximity-net.init.weights(.json) seeded He initialisation, version 0
 * See models/README.md for the graphs' inputs and outputs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBackwardGraph, buildForwardGraph, buildTrainStepGraph } from '../src/graph/index.js';
import { initialParameters, layerNames, paramSpecs, parameterCount, proximityNetDefinition } from './proximityNet.js';
import { packWeights, weightsBytes } from './weightsPacking.js';

export interface BuildOptions {
  /** Layers whose parameters the training step updates (default: all). */
  readonly trainableLayers?: readonly string[];
  /** Windows per training step (the inference graph always takes one). Default 1. */
  readonly trainBatch?: number;
  /** Seed of the initial weights. Default 1. */
  readonly seed?: number;
}

export interface BuiltArtifacts {
  readonly files: ReadonlyMap<string, Uint8Array>;
  readonly parameterCount: number;
}

/** Every artifact as bytes, keyed by file name (no I/O). */
export function buildArtifacts(options: BuildOptions = {}): BuiltArtifacts {
  const layers = options.trainableLayers ?? layerNames();
  for (const l of layers) if (!layerNames().includes(l)) throw new Error(`unknown layer ${l} (layers: ${layerNames().join(', ')})`);
  const trainable = paramSpecs().filter((p) => layers.includes(p.layer)).map((p) => p.name);
  const seed = options.seed ?? 1;
  const forward = buildForwardGraph(proximityNetDefinition(1));
  const train = buildTrainStepGraph(proximityNetDefinition(options.trainBatch ?? 1), { trainable });
  const backward = buildBackwardGraph(proximityNetDefinition(1));
  for (const g of [forward, train, backward]) {
    g.setMetadata('evpilot.input', 'x: N×2×120×160 float32 per-polarity event counts (OFF, ON)');
    g.setMetadata('evpilot.output', 'nu: N×1×120×160 float32 inverse time-to-contact in 1/s (predicted at 30×40, bilinear upsampling)');
    g.setMetadata('evpilot.trainableLayers', layers.join(','));
  }
  const packed = packWeights('proximity-net', paramSpecs(), initialParameters(seed), 0, `he-normal seed ${seed}`);
  const files = new Map<string, Uint8Array>([
    ['proximity-net.onnx', forward.toModelBytes()],
    ['proximity-net.train.onnx', train.toModelBytes()],
    ['proximity-net.backward.onnx', backward.toModelBytes()],
    ['proximity-net.init.weights', weightsBytes(packed.data)],
    ['proximity-net.init.weights.json', new TextEncoder().encode(JSON.stringify(packed.manifest, null, 2) + '\n')],
  ]);
  return { files, parameterCount: parameterCount() };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const out = arg('out') ?? 'models';
  const built = buildArtifacts({
    trainableLayers: arg('trainable')?.split(','),
    trainBatch: arg('batch') ? Number(arg('batch')) : undefined,
    seed: arg('seed') ? Number(arg('seed')) : undefined,
  });
  mkdirSync(out, { recursive: true });
  for (const [name, bytes] of built.files) {
    writeFileSync(join(out, name), bytes);
    process.stdout.write(`${join(out, name)}  ${(bytes.byteLength / 1024).toFixed(1)} KiB\n`);
  }
  process.stdout.write(`parameters: ${built.parameterCount}\n`);
}

const { pathToFileURL } = await import('node:url');
if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) await main();
