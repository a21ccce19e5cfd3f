/**
 * The learner's parts in this thread, as the in-flight learner (learnerWorker.ts) builds them: the
 * forward session on the committed inference graph, a training-step session, the contrast-maximisation
 * loss and a Trainer. Used by pretraining and by the adaptation evaluation, so both train exactly as the
 * learner does.
 *
 * The training-step graph is the committed one (models/proximity-net.train.onnx: batch 1, every layer
 * trainable) when that is what is asked for; any other batch size (windows per update) or trainable subset
 * is built in memory from the same definition (models/proximityNet.ts → src/graph), which takes well under
 * a second and is byte-for-byte what `npm run models:build -- --batch B --trainable …` would write.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { layerNames, paramSpecs, proximityNetDefinition } from '../../../models/proximityNet.js';
import type { SpeedScaling } from '../../contracts/networkOutput.js';
import type { CameraIntrinsics } from '../../contracts/cameraIntrinsics.js';
import type { WeightsManifest } from '../../contracts/networkWeights.js';
import type { SensorGeometry } from '../../contracts/sensorGeometry.js';
import { buildTrainStepGraph } from '../../graph/index.js';
import { ManualClock } from '../../platform/time.js';
import { ForwardSession } from '../forwardSession.js';
import { type GuardThresholds } from '../learnerGuards.js';
import { ContrastMaximizationLoss, type FocusObjective, type GroundFloorSettings, type NoiseFilterSettings } from '../loss/index.js';
import { Trainer, type WindowLoss } from '../trainer.js';
import { TrainStepSession } from '../trainStepSession.js';

export interface LossSettings {
  readonly objective: FocusObjective;
  /** Splat image resolution relative to the sensor. */
  readonly splatScale: number;
  /** λ, s. */
  readonly smoothnessWeight: number;
  /** Background-activity filter on the loss's events (noisy sensors); absent or null = off. */
  readonly noiseFilter?: NoiseFilterSettings | null;
  /** The ground-floor prior (loss/groundFloor.ts); absent or null = off. */
  readonly groundFloor?: GroundFloorSettings | null;
}

export interface TrainerSettings {
  readonly learningRate: number;
  readonly maxGradNorm: number;
  /** Windows per update (the training-step graph's batch). */
  readonly windowsPerUpdate: number;
  /** Layers the training step updates (models/proximityNet.ts layer names). */
  readonly trainableLayers: readonly string[];
  /** Windows with fewer loss events are not trained on. */
  readonly minEventsPerWindow: number;
  /** Inference weights = moving average over about this many updates (Trainer option; absent or 0 = off). */
  readonly averageOverUpdates?: number;
  /** Learning-rate settling (Trainer options `settleOverUpdates`, `settledFraction`); absent = a constant rate. */
  readonly settle?: { readonly overUpdates: number; readonly fraction: number };
}

export interface SetupOptions {
  readonly modelDir: string;
  readonly manifest: WeightsManifest;
  /** The weights training starts from (the Trainer's drift reference). */
  readonly weights: Float32Array;
  readonly sensor: SensorGeometry;
  readonly intrinsics: CameraIntrinsics;
  readonly maxEvents: number;
  readonly loss: LossSettings;
  readonly trainer: TrainerSettings;
  readonly guards?: Partial<GuardThresholds>;
  readonly origin: string;
  /**
   * What the trainer learns from instead of the contrast loss (the adaptation evaluation's teachers,
   * evaluation/truthTeacher.ts, evaluation/searchTeacher.ts): a loss, or one built around this setup's contrast
   * loss and the network's geometry; absent = the contrast loss, as in flight. `LearningSetup.loss` stays the
   * contrast loss either way.
   */
  readonly windowLoss?: WindowLoss | ((contrastLoss: ContrastMaximizationLoss, network: SensorGeometry) => WindowLoss);
}

export interface LearningSetup {
  readonly forward: ForwardSession;
  /** The weights' output normalisation (from the manifest); undefined: the output is ν. */
  readonly speedScaling: SpeedScaling | undefined;
  readonly stepper: TrainStepSession;
  readonly loss: ContrastMaximizationLoss;
  /** The current trainer (replaced by `setLearningRate`). */
  readonly trainer: Trainer;
  /**
   * Continues with another learning rate: a new Trainer resumed from the current one's state (weights, Adam
   * moments and step, update count, version — the checkpoint path the in-flight learner resumes by), so
   * only the rate changes. The guards' loss history starts afresh.
   */
  setLearningRate(learningRate: number): Trainer;
  release(): Promise<void>;
}

export function newLoss(o: Pick<SetupOptions, 'sensor' | 'intrinsics' | 'maxEvents' | 'loss'>, network: SensorGeometry): ContrastMaximizationLoss {
  return new ContrastMaximizationLoss({
    sensor: o.sensor,
    network,
    intrinsics: o.intrinsics,
    objective: o.loss.objective,
    smoothnessWeight: o.loss.smoothnessWeight,
    splatScale: o.loss.splatScale,
    maxEvents: o.maxEvents,
    ...(o.loss.noiseFilter ? { noiseFilter: o.loss.noiseFilter } : {}),
    ...(o.loss.groundFloor ? { groundFloor: o.loss.groundFloor } : {}),
  });
}

/** The training-step graph's bytes for a batch size and trainable layers (committed file when it matches). */
export async function trainStepModel(modelDir: string, windowsPerUpdate: number, trainableLayers: readonly string[]): Promise<Uint8Array> {
  const all = layerNames();
  for (const l of trainableLayers) if (!all.includes(l)) throw new Error(`unknown layer '${l}' (layers: ${all.join(', ')})`);
  if (!(Number.isInteger(windowsPerUpdate) && windowsPerUpdate >= 1)) throw new RangeError(`windowsPerUpdate must be an integer ≥ 1, got ${windowsPerUpdate}`);
  const everything = all.every((l) => trainableLayers.includes(l));
  if (windowsPerUpdate === 1 && everything) return readFile(join(modelDir, 'proximity-net.train.onnx'));
  const trainable = paramSpecs().filter((p) => trainableLayers.includes(p.layer)).map((p) => p.name);
  return buildTrainStepGraph(proximityNetDefinition(windowsPerUpdate), { trainable }).toModelBytes();
}

export async function createLearningSetup(o: SetupOptions): Promise<LearningSetup> {
  const forward = await ForwardSession.create(await readFile(join(o.modelDir, 'proximity-net.onnx')), o.manifest);
  const stepper = await TrainStepSession.create(await trainStepModel(o.modelDir, o.trainer.windowsPerUpdate, o.trainer.trainableLayers), o.manifest, o.weights);
  const loss = newLoss(o, forward.geometry);
  const windowLoss = typeof o.windowLoss === 'function' ? o.windowLoss(loss, forward.geometry) : o.windowLoss;
  const deps = { forward, stepper, loss: windowLoss ?? loss, publish: () => true, clock: new ManualClock() };
  const init = {
    pretrained: o.weights,
    pretrainedVersion: o.manifest.version,
    model: o.manifest.model,
    origin: o.origin,
    ...(o.manifest.speedScaling ? { speedScaling: o.manifest.speedScaling } : {}),
  };
  const options = (learningRate: number) => ({ learningRate, maxGradNorm: o.trainer.maxGradNorm, minEventsPerWindow: o.trainer.minEventsPerWindow, guards: o.guards ?? {}, averageOverUpdates: o.trainer.averageOverUpdates ?? 0, settleOverUpdates: o.trainer.settle?.overUpdates ?? 0, settledFraction: o.trainer.settle?.fraction ?? 1 });
  let trainer = new Trainer(deps, init, options(o.trainer.learningRate));
  return {
    forward,
    speedScaling: o.manifest.speedScaling,
    stepper,
    loss,
    get trainer() {
      return trainer;
    },
    setLearningRate(learningRate: number): Trainer {
      trainer = new Trainer(deps, { ...init, resume: trainer.checkpointState('periodic', 0) }, options(learningRate));
      return trainer;
    },
    release: async () => {
      await forward.release();
      await stepper.release();
    },
  };
}
