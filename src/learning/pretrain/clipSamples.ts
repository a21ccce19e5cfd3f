/**
 * One clip → the compact samples a trainer or an evaluation uses: every `sampleEvery`-th closed-loop step
 * of a simulated flight (flyClip), windows that straddle a respawn left out, ground truth kept when asked.
 * Runs in the calling thread (clipWorker.ts runs it in a worker thread; clipPool.ts runs many).
 */
import { compactSample, type CompactSample } from './compactSample.js';
import { flyClip, type ClipCamera, type ClipOptions, type ClipSpec, type ClipSummary } from './simClips.js';

export interface ClipJob {
  readonly spec: ClipSpec;
  readonly options: Partial<ClipOptions>;
  /** Keep every n-th step's window. */
  readonly sampleEvery: number;
  /** Keep the ground truth with each sample (evaluation); the truth is then rendered only for kept steps. */
  readonly keepTruth: boolean;
}

export interface ClipResult {
  readonly summary: ClipSummary;
  readonly camera: ClipCamera;
  readonly samples: CompactSample[];
}

/** Simulated seconds of a job (warm-up included), for progress. */
export const jobSeconds = (j: ClipJob): number => j.spec.seconds + (j.options.warmUpS ?? 0.5);

export async function collectClipSamples(job: ClipJob, onProgress?: (simulatedS: number) => void): Promise<ClipResult> {
  if (!(Number.isInteger(job.sampleEvery) && job.sampleEvery >= 1)) throw new RangeError(`sampleEvery must be an integer ≥ 1, got ${job.sampleEvery}`);
  const samples: CompactSample[] = [];
  let camera: ClipCamera | undefined;
  const rateHz = job.options.windowRateHz ?? 100;
  const summary = await flyClip(
    job.spec,
    { ...job.options, truthEvery: job.keepTruth ? job.sampleEvery : 0 },
    (w) => {
      if (w.step % 25 === 0) onProgress?.((w.step + 1) / rateHz);
      if (w.step % job.sampleEvery !== 0 || w.afterCut) return;
      if (job.keepTruth && !w.truth) return;
      samples.push(compactSample(w.window, w.lossWindow, w.motion, job.keepTruth ? w.truth : undefined));
    },
    { onStart: (c) => (camera = c) },
  );
  onProgress?.(jobSeconds(job));
  return { summary, camera: camera!, samples };
}
