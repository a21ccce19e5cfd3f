/**
 * `npm run pretrain [-- options]`: pretrains the proximity network on simulated domain-A flights and writes
 * `<out>/proximity-net.pretrained.weights` + `.weights.json` (the weights manifest, with a `pretraining`
 * entry: geometry, normalisation, windows, loss, optimiser, the clips that trained it, updates, final
 * losses, validation history, graph hash, date, wall time). Progress on stderr; `--json` prints the
 * metadata on stdout. `--quick` runs a seconds-long version (tests) and, unless `--out` is given, writes to
 * a temporary directory rather than over the committed weights.
 */
import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import type { SpeedScaling } from '../../contracts/networkOutput.js';
import { offable, offValue, type Offable, parseGroundFloor, parseNoiseFilter, parseSpeedScaling, parsePositiveNumber as positive, parseWholeNumber as int } from '../../cli/options.js';
import type { GroundFloorSettings, NoiseFilterSettings } from '../loss/index.js';
import { weightsBytes } from '../../../models/weightsPacking.js';
import { DEFAULT_PRETRAIN_CONFIG, quickConfig, type PretrainConfig } from './pretrainConfig.js';
import { runPretraining, type PretrainResult } from './pretrain.js';
import { SILENT_PROGRESS, StderrProgress } from './progress.js';

export const PRETRAINED_WEIGHTS_NAME = 'proximity-net.pretrained';


/** Writes the weights and the manifest (manifest last, each through a temporary name, so a reader never sees half a pair). */
export function writePretrained(dir: string, result: PretrainResult, extra: Record<string, unknown>): { weights: string; manifest: string } {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, PRETRAINED_WEIGHTS_NAME);
  const json = { ...result.manifest, pretraining: { ...result.metadata, ...extra } };
  writeFileSync(`${base}.weights.tmp`, weightsBytes(result.weights));
  renameSync(`${base}.weights.tmp`, `${base}.weights`);
  writeFileSync(`${base}.weights.json.tmp`, JSON.stringify(json, null, 2) + '\n');
  renameSync(`${base}.weights.json.tmp`, `${base}.weights.json`);
  return { weights: `${base}.weights`, manifest: `${base}.weights.json` };
}

export async function main(argv: readonly string[] = process.argv): Promise<void> {
  const program = new Command('pretrain')
    .description('Pretrain the proximity network (self-supervised) on simulated domain-A flights and write models/proximity-net.pretrained.weights(.json).')
    .option('--quick', 'a seconds-long run (tests); writes to a temporary directory unless --out is given')
    .option('--seed <n>', 'seed of the initial weights, the clips and the order (not 7, 8, 9: reserved for evaluation clips)', int, DEFAULT_PRETRAIN_CONFIG.seed)
    .option('--out <dir>', 'where to write the weights (default models)')
    .option('--models <dir>', 'directory of the committed graphs', 'models')
    .option('--workers <n>', 'simulator worker threads (0 = in this thread)', int)
    .option('--epochs <n>', 'passes over the training windows', int)
    .option('--lr <x>', 'Adam learning rate, every epoch (replaces the step decay)', positive)
    .option('--batch <n>', 'windows per update', int)
    .option('--input-ms <ms>', `length of the network's input window in ms, ending with each window (default ${DEFAULT_PRETRAIN_CONFIG.clip.inputLengthUs! / 1000}); the runtime reads it from the weights' metadata`, positive)
    .option('--input-noise-filter <ms:neighbours|off>', `noise filter on the network input's events: support in ms and neighbours required (of 8), or off (default ${DEFAULT_PRETRAIN_CONFIG.clip.inputNoiseFilter ? `${DEFAULT_PRETRAIN_CONFIG.clip.inputNoiseFilter.supportUs / 1000}:${DEFAULT_PRETRAIN_CONFIG.clip.inputNoiseFilter.minNeighbours}` : 'off'}); the runtime reads it from the weights' metadata`, offable(parseNoiseFilter))
    .option('--loss-ms <ms>', `how far back the loss looks from each window's end, ms (default ${DEFAULT_PRETRAIN_CONFIG.clip.lossLengthUs! / 1000}; the in-flight learner's is its own lossSpanMs)`, positive)
    .option('--learner-cap <n>', `most loss events per window (default ${DEFAULT_PRETRAIN_CONFIG.clip.learnerCap})`, int)
    .option('--seconds-scale <x>', 'multiply every training clip length (more or less data)', positive)
    .option('--ground-floor <weight[:margin]|off>', 'the loss\'s ground-floor prior from the FC\'s height (ν ≥ the flat ground\'s ν): weight (s²) and margin, or off (default: as configured)', offable(parseGroundFloor))
    .option('--speed-scaling <refMS[:minMS]|off>', 'train the output as ν at this reference speed, scaled by each window\'s axial speed (default: as configured)', offable(parseSpeedScaling))
    .option('--json', 'print the metadata as JSON on stdout')
    .option('--no-progress', 'no progress on stderr')
    .parse(argv);
  const o = program.opts<{
    quick?: boolean;
    seed: number;
    out?: string;
    models: string;
    workers?: number;
    epochs?: number;
    lr?: number;
    batch?: number;
    secondsScale?: number;
    learnerCap?: number;
    lossMs?: number;
    inputMs?: number;
    inputNoiseFilter?: Offable<NoiseFilterSettings>;
    groundFloor?: Offable<GroundFloorSettings>;
    speedScaling?: Offable<SpeedScaling>;
    json?: boolean;
    progress: boolean;
  }>();
  const groundFloor = offValue(o.groundFloor);
  const inputNoiseFilter = offValue(o.inputNoiseFilter);
  const speedScaling = offValue(o.speedScaling);
  let config: PretrainConfig = o.quick ? quickConfig() : DEFAULT_PRETRAIN_CONFIG;
  if (inputNoiseFilter !== undefined) {
    const { inputNoiseFilter: _, ...clip } = config.clip;
    config = { ...config, clip: inputNoiseFilter ? { ...clip, inputNoiseFilter } : clip };
  }
  config = {
    ...config,
    seed: o.seed,
    ...(o.workers !== undefined ? { workers: o.workers } : {}),
    ...(o.epochs !== undefined || o.lr !== undefined ? { epochs: o.epochs ?? config.epochs, epochLearningRates: undefined } : {}),
    clip: {
      ...config.clip,
      ...(o.learnerCap !== undefined ? { learnerCap: o.learnerCap } : {}),
      ...(o.inputMs !== undefined ? { inputLengthUs: Math.round(o.inputMs * 1000) } : {}),
      ...(o.lossMs !== undefined ? { lossLengthUs: Math.round(o.lossMs * 1000) } : {}),
    },
    ...(groundFloor !== undefined ? { loss: { ...config.loss, groundFloor } } : {}),
    ...(speedScaling !== undefined ? { speedScaling: speedScaling ?? undefined } : {}),
    ...(o.secondsScale !== undefined ? { scenarios: config.scenarios.map((s) => ({ ...s, seconds: s.seconds * o.secondsScale! })) } : {}),
    trainer: { ...config.trainer, ...(o.lr !== undefined ? { learningRate: o.lr } : {}), ...(o.batch !== undefined ? { windowsPerUpdate: o.batch } : {}) },
  };
  const out = o.out ?? (o.quick ? mkdtempSync(join(tmpdir(), 'evpilot-pretrain-')) : 'models');
  const progress = o.progress ? new StderrProgress() : SILENT_PROGRESS;
  const load0 = loadavg()[0]!;
  const t0 = performance.now();
  const result = await runPretraining(config, { modelDir: o.models, progress });
  const wallSeconds = (performance.now() - t0) / 1000;
  const extra = {
    date: new Date().toISOString(),
    wallSeconds: Math.round(wallSeconds * 10) / 10,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', loadAverageAtStart: Math.round(load0 * 100) / 100, loadAverageAtEnd: Math.round(loadavg()[0]! * 100) / 100, node: process.version },
    quick: Boolean(o.quick),
  };
  const files = writePretrained(out, result, extra);
  const m = result.metadata;
  progress.log(
    `wrote ${files.weights} (+ .json): ${m.updates} updates on ${m.data.samples} windows from ${m.data.clips.length} clips (${m.data.simulatedSeconds} s), ` +
      `final validation ν MAE ${m.finalValidationNu.all.maePerS.toFixed(3)} 1/s (start ${m.history[0]!.validationNu.all.maePerS.toFixed(3)}), ${wallSeconds.toFixed(0)} s wall`,
  );
  if (o.json) process.stdout.write(JSON.stringify({ files, ...result.metadata, ...extra }, null, 2) + '\n');
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  main().catch((err: unknown) => {
    process.stderr.write(`pretrain: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
