/**
 * Is the self-supervised loss informative about ν? For windows of a simulated clip, the mean focus loss
 * (smoothness left out) of the map α · ν_true for a range of α, and of the constant map 0.69 1/s (what
 * a freshly initialised network predicts). A loss whose minimum sits at α ≈ 1 pulls the network toward the
 * truth; a flat or monotone curve does not. Uses ground truth by construction: a diagnostic, not training.
 */
import type { FocusObjective, NoiseFilterSettings } from '../loss/index.js';
import { ContrastMaximizationLoss } from '../loss/index.js';
import { collectClipSamples } from '../pretrain/clipSamples.js';
import { SampleExpander } from '../pretrain/compactSample.js';
import type { ClipOptions, ClipSpec } from '../pretrain/simClips.js';

export const SCAN_ALPHAS: readonly number[] = [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 3];

export interface ScanRow {
  readonly objective: FocusObjective;
  readonly splatScale: number;
  /** The background-activity filter on the loss events, if any. */
  readonly noiseFilter: NoiseFilterSettings | null;
  /** Mean focus loss at each α of SCAN_ALPHAS. */
  readonly loss: readonly number[];
  readonly constant069: number;
  /** The α of the lowest loss. */
  readonly argminAlpha: number;
}

export interface ScanReport {
  readonly clip: ClipSpec;
  readonly windows: number;
  readonly meanEventsPerWindow: number;
  readonly lossLengthUs: number;
  readonly learnerCap: number;
  readonly rows: readonly ScanRow[];
}

export async function scanLoss(
  clip: ClipSpec,
  options: Omit<ClipOptions, 'truthEvery'>,
  sampleEvery: number,
  variants: ReadonlyArray<{ readonly objective: FocusObjective; readonly splatScale: number; readonly noiseFilter?: NoiseFilterSettings }>,
): Promise<ScanReport> {
  const r = await collectClipSamples({ spec: clip, options, sampleEvery, keepTruth: true });
  const cam = r.camera;
  const n = cam.network.widthPx * cam.network.heightPx;
  const expander = new SampleExpander(2 * n, options.learnerCap);
  const nu = new Float32Array(n);
  const grad = new Float32Array(n);
  let events = 0;
  for (const s of r.samples) events += s.x.length;
  const rows: ScanRow[] = [];
  for (const v of variants) {
    const loss = new ContrastMaximizationLoss({ sensor: cam.sensor, network: cam.network, intrinsics: cam.intrinsics, objective: v.objective, smoothnessWeight: 0, splatScale: v.splatScale, maxEvents: options.learnerCap, ...(v.noiseFilter ? { noiseFilter: v.noiseFilter } : {}) });
    const sums = new Float64Array(SCAN_ALPHAS.length + 1);
    for (const s of r.samples) {
      const x = expander.expand(s);
      for (let a = 0; a <= SCAN_ALPHAS.length; a++) {
        if (a < SCAN_ALPHAS.length) for (let i = 0; i < n; i++) nu[i] = SCAN_ALPHAS[a]! * s.truthNu![i]!;
        else nu.fill(0.69);
        sums[a] += loss.evaluate({ ...x, invTtcPerS: nu }, grad).focusLoss;
      }
    }
    const mean = Array.from(sums, (v2) => v2 / Math.max(1, r.samples.length));
    const curve = mean.slice(0, SCAN_ALPHAS.length);
    rows.push({ objective: v.objective, splatScale: v.splatScale, noiseFilter: v.noiseFilter ?? null, loss: curve, constant069: mean[SCAN_ALPHAS.length]!, argminAlpha: SCAN_ALPHAS[curve.indexOf(Math.min(...curve))]! });
  }
  return {
    clip,
    windows: r.samples.length,
    meanEventsPerWindow: r.samples.length > 0 ? events / r.samples.length : 0,
    lossLengthUs: options.lossLengthUs ?? 0,
    learnerCap: options.learnerCap,
    rows,
  };
}
