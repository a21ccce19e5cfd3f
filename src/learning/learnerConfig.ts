/**
 * Configuration of the in-flight learner (worker thread): artifacts, checkpoints, queue, camera, loss,
 * optimiser and guards. Validated with zod; every default is stated here. The resolved object is plain data
 * (it crosses to the worker thread as workerData).
 */
import { z } from 'zod';
import { DEFAULT_GUARD_THRESHOLDS } from './learnerGuards.js';
import { DEFAULT_NOISE_FILTER } from './loss/backgroundActivityFilter.js';
import { FOCUS_OBJECTIVES } from './loss/contrastLoss.js';
import { DEFAULT_GROUND_FLOOR, ONLINE_GROUND_FLOOR } from './loss/groundFloor.js';
import { DEFAULT_TRAINER_OPTIONS } from './trainer.js';
import { DEFAULT_CHECKPOINT_SCHEDULE } from './checkpointSchedule.js';

/**
 * The in-flight learner's learning-rate settling: from the full rate toward a quarter of it with a time constant
 * of 1000 updates (10 s at the 100 updates/s it sustains here). At a constant 1e-4 the map's overall level kept
 * following the latest scenes (the held-out error swung by up to 0.18 1/s between 5 s snapshots); settling kept
 * the fast first adaptation and flattened the swings on the tuning flights (src/learning/EVIDENCE.md (b), tuning).
 */
export const ONLINE_LR_SETTLING = { overUpdates: 1000, fraction: 0.25 } as const;

/**
 * The in-flight learner's loss window, ms: 80, as pretrained since round 6 (40 until round 5). Events move twice
 * as far in it as in 40 ms, so the contrast between the right warp and a wrong one is larger against the same
 * 16 384-event cap. With round 5's weights (pretrained at 40 ms) it lowered every whole-flight error on the four
 * tuning flights (by 4–8 %); 120 ms was worse (src/learning/EVIDENCE.md, round 6). The learner's cost per update
 * does not grow: the event cap, not the span, sets it.
 */
export const ONLINE_LOSS_SPAN_MS = 80;

/**
 * The loss's events per window by camera: 16 384 on a 160 × 120 camera (19 200 pixels), as pretrained, growing with
 * the pixel count up to 65 536. A finer camera sees the same scene in more events (domain B, 80 ms: median 18 k at
 * 160 × 120, 74 k at 320 × 240), and capping them at 16 k threw away what made the loss sharper there: on tuning
 * flight 6001 a 320 × 240 camera at 16 k learned no more than 160 × 120 (−7.5 % against −6.4 % over the flight); at
 * 64 k, 66.7 updates/s, −19.8 %. 65 536 is what the learner affords beside 200 Hz inference on the 2-core
 * development machine (68 updates/s, against 127 at 16 k; the design asks ≥ 20). src/learning/EVIDENCE.md, round 10.
 */
export const LEARNER_EVENT_CAP = { atNetworkCamera: 16_384, cameraPx: 160 * 120, most: 65_536 } as const;

/** The default `maxEvents` for a camera of `sensor` pixels: LEARNER_EVENT_CAP, in whole multiples of 1024. */
export function defaultLearnerEventCap(sensor: { readonly widthPx: number; readonly heightPx: number }): number {
  const c = LEARNER_EVENT_CAP;
  const scaled = (c.atNetworkCamera * sensor.widthPx * sensor.heightPx) / c.cameraPx;
  return Math.min(c.most, Math.max(c.atNetworkCamera, 1024 * Math.round(scaled / 1024)));
}

const geometry = z.object({ widthPx: z.number().int().min(1).max(65536), heightPx: z.number().int().min(1).max(65536) });

const learnerConfigObject = z.object({
  /** Directory of the network artifacts. */
  modelDir: z.string().default('models'),
  /** Inference graph (the learner's own forward pass), inside modelDir. */
  forwardModelFile: z.string().default('proximity-net.onnx'),
  /** Training-step graph, inside modelDir; its batch size is the number of windows per update. */
  trainModelFile: z.string().default('proximity-net.train.onnx'),
  /** Pretrained weights base name inside modelDir (`<name>.weights` + `.weights.json`). */
  pretrainedWeights: z.string().default('proximity-net.init'),
  /** Checkpoint directory; null: no checkpoints, no resume. */
  checkpointDir: z.string().nullable().default(null),
  /** Checkpoints kept on disk. */
  checkpointKeep: z.number().int().min(1).default(3),
  /** Periodic checkpoint every this many weight versions … */
  checkpointEveryUpdates: z.number().int().min(1).default(DEFAULT_CHECKPOINT_SCHEDULE.everyUpdates),
  /** … or this many seconds of clock, whichever first. */
  checkpointEverySeconds: z.number().positive().default(DEFAULT_CHECKPOINT_SCHEDULE.everyUs / 1e6),
  /** Resume from the newest usable checkpoint in checkpointDir at start. */
  resume: z.boolean().default(true),
  /**
   * Queue slots (≥ windows per update + 1), ≈ 367 KB each at 16 384 events (≈ 1 MB at 65 536). When the
   * learner is slower than the window rate the queue stays full and a sample waits about capacity × the window
   * period (FIFO), so a small queue keeps what the learner trains on fresh; the slots beyond one absorb learner
   * stalls.
   */
  queueCapacity: z.number().int().min(2).max(1024).default(4),
  /**
   * How far back the loss looks from each window's end, ms: the window cutter's learner span
   * (`learnerLengthUs`). Default ONLINE_LOSS_SPAN_MS (80, as pretrained): at 160 × 120 the events of a
   * 5 ms input window move a fraction of a pixel and the loss is flat in ν (src/learning/EVIDENCE.md, "Choices").
   */
  lossSpanMs: z.number().positive().max(1000).default(ONLINE_LOSS_SPAN_MS),
  /**
   * Most learner events per window kept in the queue; the window cutter's learner cap follows it. Default
   * `defaultLearnerEventCap(sensor)`: 16 384 at 160 × 120, as pretrained (denser splat images make the loss ~3×
   * deeper around the true ν: src/learning/EVIDENCE.md), up to 65 536 for a finer camera.
   */
  maxEvents: z.number().int().min(1).optional(),
  /** Sensor geometry of the events, and its pinhole intrinsics (sensor px). */
  sensor: geometry,
  intrinsics: z.object({ fxPx: z.number().positive(), fyPx: z.number().positive(), cxPx: z.number(), cyPx: z.number() }),
  /** Camera up-tilt from body x, rad. */
  mountPitchUpRad: z.number().default(0),
  /** Body rates older than this (host clock) make a window unusable for learning, ms. */
  maxRatesAgeMs: z.number().positive().default(50),
  loss: z
    .object({
      objective: z.enum(FOCUS_OBJECTIVES).default('avg-timestamps'),
      /** λ, s. */
      smoothnessWeight: z.number().min(0).default(0.05),
      /**
       * Splat images at this fraction of the sensor resolution. 1 at 160 × 120, as pretrained (at 0.5 the
       * minimum sits at 0.75 ν and training drifts low; use ≈ 0.25 at 640 × 480; EVIDENCE.md, "Choices").
       */
      splatScale: z.number().gt(0).max(1).default(1),
      /**
       * Background-activity filter on the loss's events (loss/backgroundActivityFilter.ts): support
       * half-width, µs, and neighbouring pixels required. Real sensors have shot noise, which pulls the loss
       * toward ν = 0; null turns it off (a noiseless simulated sensor).
       */
      noiseFilter: z
        .object({ supportUs: z.number().positive(), minNeighbours: z.number().int().min(1).max(8) })
        .nullable()
        .default({ ...DEFAULT_NOISE_FILTER }),
      /**
       * Ground-floor prior (loss/groundFloor.ts): with the FC's height (LOCAL_POSITION_NED z, the take-off
       * point taken as flat ground), attitude and velocity, ν below the ground's ν costs weight (s²) ×
       * the mean squared shortfall beyond `margin` (a fraction of the bound); windows without a height
       * (Betaflight) skip it. Off in flight by default (ONLINE_GROUND_FLOOR): pretraining uses it to set
       * ν's scale over many scenes, but online, one scene at a time, its one-sided push lifted the map's
       * overall level above the truth (EVIDENCE.md (b), tuning). Give { weight, margin } to turn it on.
       */
      groundFloor: z
        .object({ weight: z.number().min(0), margin: z.number().min(0).lt(1), minFloorPerS: z.number().min(0).default(DEFAULT_GROUND_FLOOR.minFloorPerS) })
        .nullable()
        .default(ONLINE_GROUND_FLOOR),
    })
    .default({ objective: 'avg-timestamps', smoothnessWeight: 0.05, splatScale: 1, noiseFilter: { ...DEFAULT_NOISE_FILTER }, groundFloor: ONLINE_GROUND_FLOOR }),
  trainer: z
    .object({
      learningRate: z.number().positive().default(DEFAULT_TRAINER_OPTIONS.learningRate),
      maxGradNorm: z.number().positive().default(DEFAULT_TRAINER_OPTIONS.maxGradNorm),
      minEventsPerWindow: z.number().int().min(0).default(DEFAULT_TRAINER_OPTIONS.minEventsPerWindow),
      /**
       * Inference adopts a moving average of the trained weights over about this many updates (0 = the
       * trained weights): the trained weights follow the latest scene, the average what recent scenes agree on.
       */
      averageOverUpdates: z.number().min(0).default(DEFAULT_TRAINER_OPTIONS.averageOverUpdates),
      /**
       * Learning-rate settling (Trainer): the rate falls from `learningRate` toward `settledFraction` of it
       * with this time constant in updates, counted from the learner's start or a weights reset (0 = constant;
       * default ONLINE_LR_SETTLING).
       */
      settleOverUpdates: z.number().min(0).default(ONLINE_LR_SETTLING.overUpdates),
      settledFraction: z.number().gt(0).max(1).default(ONLINE_LR_SETTLING.fraction),
    })
    .default({
      learningRate: DEFAULT_TRAINER_OPTIONS.learningRate,
      maxGradNorm: DEFAULT_TRAINER_OPTIONS.maxGradNorm,
      minEventsPerWindow: DEFAULT_TRAINER_OPTIONS.minEventsPerWindow,
      averageOverUpdates: DEFAULT_TRAINER_OPTIONS.averageOverUpdates,
      settleOverUpdates: ONLINE_LR_SETTLING.overUpdates,
      settledFraction: ONLINE_LR_SETTLING.fraction,
    }),
  guards: z
    .object({
      spikeFactor: z.number().gt(1).default(DEFAULT_GUARD_THRESHOLDS.spikeFactor),
      spikeWindow: z.number().int().min(1).default(DEFAULT_GUARD_THRESHOLDS.spikeWindow),
      spikeMinHistory: z.number().int().min(1).default(DEFAULT_GUARD_THRESHOLDS.spikeMinHistory),
      maxRelativeDrift: z.number().positive().default(DEFAULT_GUARD_THRESHOLDS.maxRelativeDrift),
      snapshotAfterHealthy: z.number().int().min(1).default(DEFAULT_GUARD_THRESHOLDS.snapshotAfterHealthy),
    })
    .default({ ...DEFAULT_GUARD_THRESHOLDS }),
  /**
   * Most updates per second (updatePacer.ts); null: as fast as the learner can. A cap leaves idle CPU
   * time for the control path on a small machine.
   */
  maxUpdatesPerS: z.number().positive().nullable().default(null),
  /** onnxruntime intra-op threads of the learner's sessions (one core of two). */
  intraOpThreads: z.number().int().min(1).default(1),
  /**
   * Nice value of the learner thread (Linux; 0 = same priority as the control path). onnxruntime-node runs a
   * session synchronously on the calling thread, so with one intra-op thread all of the learner's compute is
   * on this thread; at 10, inference preempts it whenever both want a core. Null: leave it alone.
   */
  threadNice: z.number().int().min(0).max(19).nullable().default(10),
  /**
   * Run the learner thread under SCHED_IDLE (Linux, via `chrt`): it gets only CPU time nothing else wants,
   * and a core running it counts as idle when the control path's thread wakes, so that thread starts at once
   * instead of queueing behind another process (see src/learning/README.md, figures). Learning slows or
   * stops while the machine is saturated — the intended order of priorities. False: nice value only.
   */
  threadSchedIdle: z.boolean().default(true),
  /**
   * Start each heavy phase (forward with the loss; the training step) just after an inference finishes
   * (inferenceBeat.ts), so that on a small machine the learner computes in the gaps between inferences rather
   * than across them. Costs learning rate: each phase waits up to a window period for the beat (10 ms at most).
   */
  yieldToInference: z.boolean().default(false),
});

export const learnerConfigSchema = learnerConfigObject.transform((c) => ({ ...c, maxEvents: c.maxEvents ?? defaultLearnerEventCap(c.sensor) }));

/** What callers write (defaults filled in by `resolveLearnerConfig`). */
export type LearnerConfigInput = z.input<typeof learnerConfigSchema>;
/** The resolved configuration. */
export type LearnerConfig = z.output<typeof learnerConfigSchema>;

/** Validates and fills defaults; throws an Error listing what is wrong. */
export function resolveLearnerConfig(input: LearnerConfigInput): LearnerConfig {
  const r = learnerConfigSchema.safeParse(input);
  if (!r.success) throw new Error(`learner config: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}
