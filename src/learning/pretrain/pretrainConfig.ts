/**
 * What `npm run pretrain` does, as data: the simulated flights it trains on (domain A), how windows are
 * cut, the loss, the optimiser, the validation it records, and a quick variant for tests. Every default is
 * here, with the reason for it (measurements in src/learning/EVIDENCE.md).
 *
 * Seeds. One seed decides everything random: the initial weights (He-normal from models/proximityNet.ts,
 * so seed 1 starts from the committed `proximity-net.init.weights`), the training clips' seeds
 * (seed × 1000 + k for the k-th clip) and the order windows are trained in. Evaluation uses fixed seeds
 * that no pretraining seed reaches: validation 8001…, held-out domain A 9001…, domain B 7001…
 * (src/learning/evaluation/evalClips.ts); seeds 7, 8 and 9 are refused for that reason.
 */
import { DEFAULT_MIN_SPEED_MS, type SpeedScaling } from '../../contracts/networkOutput.js';
import { DEFAULT_GROUND_FLOOR, DEFAULT_NOISE_FILTER } from '../loss/index.js';
import { layerNames } from '../../../models/proximityNet.js';
import type { LossSettings, TrainerSettings } from './learningSetup.js';
import type { ClipOptions, ClipSpec } from './simClips.js';

export interface ScenarioShare {
  readonly scenario: string;
  /** Clips of this scenario (each its own seed, so its own world and flight). */
  readonly clips: number;
  /** Simulated seconds per clip (after the warm-up). */
  readonly seconds: number;
  readonly params?: Readonly<Record<string, number>>;
}

export interface PretrainConfig {
  readonly seed: number;
  readonly domain: 'A';
  readonly scenarios: readonly ScenarioShare[];
  /** Window cutting and simulator knobs (simClips.ts). */
  readonly clip: Omit<ClipOptions, 'truthEvery'>;
  /** Train on every n-th window (at 200 Hz, n = 10: one window every 50 ms, its 40 ms loss window not overlapping the next). */
  readonly sampleEvery: number;
  readonly loss: LossSettings;
  readonly trainer: TrainerSettings;
  /**
   * Train the network to output ν at a reference speed, scaled by each window's axial speed
   * (contracts/networkOutput.ts); written into the weights' manifest. Absent: the output is ν itself.
   */
  readonly speedScaling?: SpeedScaling;
  /** Passes over the training windows (each in a seeded shuffled order). */
  readonly epochs: number;
  /** Learning rate of each epoch (step decay; `trainer.learningRate` is ignored when given); length = epochs. */
  readonly epochLearningRates?: readonly number[];
  /** Held-out domain-A clips whose loss and ν error are recorded during training (figure (c)); never trained on. */
  readonly validation: { readonly clips: readonly ClipSpec[]; readonly everyUpdates: number };
  /** Worker threads simulating clips in parallel (0 = in this thread). */
  readonly workers: number;
}

/** Validation clips: domain A, seeds reserved for it (8001…), not the held-out evaluation's. */
export const VALIDATION_CLIPS: readonly ClipSpec[] = [
  { scenario: 'forest', domain: 'A', seed: 8001, seconds: 6 },
  { scenario: 'corridor', domain: 'A', seed: 8002, seconds: 4 },
];

export const DEFAULT_PRETRAIN_CONFIG: PretrainConfig = {
  seed: 1,
  domain: 'A',
  // 1000 s of flight (20 000 windows, about 2 GB held in memory; ≈ 15 min here). A quarter of it (the
  // previous default) reached a validation ν MAE of 0.233; this, 0.194 (EVIDENCE.md).
  scenarios: [
    { scenario: 'forest', clips: 3, seconds: 120 },
    { scenario: 'corridor', clips: 2, seconds: 120 },
    { scenario: 'wall-gap', clips: 2, seconds: 100 },
    { scenario: 'slalom', clips: 2, seconds: 100 },
  ],
  clip: {
    // The runtime's default window rate (evpilot start --rate-hz 200). The network sees the last 20 ms of
    // events (5 ms until round 8): four times the pixels with input events, a validation ν MAE of 0.131 against
    // 0.145, and a better map in flight with and without learning (EVIDENCE.md, round 8). The input filter judges
    // each event once (windows/inputEventFilter.ts), so the longer span costs little more than 5 ms did.
    windowRateHz: 200,
    inputLengthUs: 20_000,
    // Only events with neighbourhood support count in the input (5 ms, 2 of 8 neighbours): the network then
    // never learns to read sensor noise, and a noisy sensor (domain B) looks like the clean one it trained on
    // (EVIDENCE.md, "The input noise filter"). The runtime applies the same filter (manifest inputNoiseFilter).
    inputNoiseFilter: { ...DEFAULT_NOISE_FILTER },
    // The loss warps the events of the last 80 ms (40 ms until round 5): at 160 × 120 the events of 5–10 ms move
    // a fraction of a pixel and the loss is flat in ν (EVIDENCE.md, "Choices"); twice 40 ms moved the validation
    // ν MAE from 0.218 to 0.155 1/s and its bias from +0.12 to −0.01 at quarter data (EVIDENCE.md, round 6).
    // The in-flight learner's window is the same (learnerConfig ONLINE_LOSS_SPAN_MS).
    lossLengthUs: 80_000,
    // 16 384 loss events per window rather than the runtime's default 4096: denser splat images make the
    // loss ~3× deeper around the true ν (EVIDENCE.md, "Choices"); the window holds 10–40 k events in 40 ms,
    // twice that in 80.
    learnerCap: 16_384,
    // The simulator's --fast-rate 500: about 2× faster, same events per second (sim/README.md).
    fastRateHz: 500,
    excitation: 1,
    warmUpS: 0.5,
  },
  sampleEvery: 10,
  // The ground-floor prior (weight 0.3 s², margin 10 %) anchors ν's scale from below where the FC's height
  // says the ground is (loss/README.md). The in-flight learner does not use it by default (ONLINE_GROUND_FLOOR).
  loss: { objective: 'avg-timestamps', splatScale: 1, smoothnessWeight: 0.05, groundFloor: { ...DEFAULT_GROUND_FLOOR } },
  // The network outputs ν at 2 m/s, scaled by each window's axial speed (contracts/networkOutput.ts): the
  // speed is the FC's to know, not the events'.
  speedScaling: { referenceSpeedMS: 2, minSpeedMS: DEFAULT_MIN_SPEED_MS },
  trainer: { learningRate: 1e-3, maxGradNorm: 1, windowsPerUpdate: 4, trainableLayers: layerNames(), minEventsPerWindow: 200 },
  epochs: 3,
  // Step decay: the loss is shallow in ν's overall level, and at a constant 1e-3 the level random-walks
  // (validation ν MAE swinging 0.21–0.37 between points of one run); smaller steps at the end settle it.
  epochLearningRates: [1e-3, 3e-4, 1e-4],
  validation: { clips: VALIDATION_CLIPS, everyUpdates: 250 },
  workers: 2,
};

/** Seconds-long variant for tests: one short forest clip, two passes, a tiny validation clip, no workers. */
export function quickConfig(base: PretrainConfig = DEFAULT_PRETRAIN_CONFIG): PretrainConfig {
  return {
    ...base,
    scenarios: [{ scenario: 'forest', clips: 1, seconds: 1 }],
    clip: { ...base.clip, warmUpS: 0.3 },
    sampleEvery: 4,
    trainer: { ...base.trainer, windowsPerUpdate: 2 },
    epochs: 2,
    epochLearningRates: [1e-3, 3e-4],
    validation: { clips: [{ scenario: 'forest', domain: 'A', seed: 8001, seconds: 0.3 }], everyUpdates: 5 },
    workers: 0,
  };
}

/** Training clips of a config, seeds derived from its seed. */
export function trainingClips(c: PretrainConfig): ClipSpec[] {
  const clips: ClipSpec[] = [];
  for (const s of c.scenarios) {
    for (let i = 0; i < s.clips; i++) {
      clips.push({ scenario: s.scenario, domain: c.domain, seed: c.seed * 1000 + clips.length, seconds: s.seconds, ...(s.params ? { params: s.params } : {}) });
    }
  }
  return clips;
}

export function validatePretrainConfig(c: PretrainConfig): PretrainConfig {
  const bad = (what: string): never => {
    throw new RangeError(`pretrain config: ${what}`);
  };
  if (!(Number.isInteger(c.seed) && c.seed >= 1 && c.seed <= 1_000_000)) bad(`seed must be an integer in [1, 1e6], got ${c.seed}`);
  if (c.seed >= 7 && c.seed <= 9) bad(`seed ${c.seed} would reuse the evaluation's reserved clip seeds (7000–9999); pick another`);
  if (c.scenarios.length === 0) bad('no scenarios');
  if (trainingClips(c).length >= 1000) bad('at most 999 clips');
  for (const s of c.scenarios) if (!(s.seconds > 0 && Number.isInteger(s.clips) && s.clips >= 1)) bad(`scenario ${s.scenario}: clips ≥ 1 and seconds > 0`);
  if (!(Number.isInteger(c.sampleEvery) && c.sampleEvery >= 1)) bad(`sampleEvery must be an integer ≥ 1, got ${c.sampleEvery}`);
  if (!(Number.isInteger(c.epochs) && c.epochs >= 1)) bad(`epochs must be an integer ≥ 1, got ${c.epochs}`);
  if (c.epochLearningRates !== undefined && (c.epochLearningRates.length !== c.epochs || !c.epochLearningRates.every((r) => r > 0 && Number.isFinite(r)))) {
    bad(`epochLearningRates: one positive rate per epoch (${c.epochs}), got [${c.epochLearningRates.join(', ')}]`);
  }
  if (!(Number.isInteger(c.validation.everyUpdates) && c.validation.everyUpdates >= 1)) bad('validation.everyUpdates must be an integer ≥ 1');
  if (!(Number.isInteger(c.workers) && c.workers >= 0)) bad(`workers must be an integer ≥ 0, got ${c.workers}`);
  return c;
}
