/**
 * Figure (a): the ν error of several weight sets on held-out simulated clips (seeds never trained on),
 * pooled over all clips and per clip, with the self-supervised loss of each for comparison. One forward
 * session; every weight set sees exactly the same windows. The "constant" row is an oracle reference:
 * ν ≡ the mean truth of the evaluated pixels (the best a map without structure could do on average; it
 * uses the truth, so no model could pick it).
 */
import type { ContrastMaximizationLoss } from '../loss/index.js';
import { outputToNuScale, type SpeedScaling } from '../../contracts/networkOutput.js';
import type { ForwardSession } from '../forwardSession.js';
import type { ClipResult } from '../pretrain/clipSamples.js';
import { SampleExpander } from '../pretrain/compactSample.js';
import { NuErrorAccumulator, type NuErrorReport } from './nuError.js';

export interface WeightsScore {
  readonly name: string;
  /** Mean loss (focus + λ·smoothness) over the windows. */
  readonly loss: number;
  readonly nu: NuErrorReport;
  readonly perClip: ReadonlyArray<{ readonly clip: string; readonly nu: NuErrorReport }>;
}

export interface HeldOutReport {
  readonly clips: ReadonlyArray<{ readonly clip: string; readonly windows: number }>;
  readonly scores: readonly WeightsScore[];
}

export const clipLabel = (r: ClipResult): string => `${r.summary.spec.scenario}-${r.summary.spec.domain}-${r.summary.spec.seed}`;

export async function scoreHeldOut(
  forward: ForwardSession,
  loss: ContrastMaximizationLoss,
  clips: readonly ClipResult[],
  weights: ReadonlyArray<{ readonly name: string; readonly data: Float32Array; readonly speedScaling?: SpeedScaling | undefined }>,
  maxEvents: number,
): Promise<HeldOutReport> {
  const expander = new SampleExpander(forward.sizes.input, maxEvents);
  const grad = new Float32Array(forward.sizes.output);
  const scores: WeightsScore[] = [];
  for (const w of weights) {
    const total = new NuErrorAccumulator();
    const perClip: Array<{ clip: string; nu: NuErrorReport }> = [];
    let lossSum = 0;
    let n = 0;
    for (const c of clips) {
      const acc = new NuErrorAccumulator();
      for (const s of c.samples) {
        const x = expander.expand(s);
        const nu = await forward.run(x.input, w.data, outputToNuScale(x.axialSpeedMS, w.speedScaling));
        acc.add(nu, s.truthNu!, s.truthDepth!, x.input);
        lossSum += loss.evaluate({ ...x, invTtcPerS: nu }, grad).loss;
        n++;
      }
      total.merge(acc);
      perClip.push({ clip: clipLabel(c), nu: acc.report() });
    }
    scores.push({ name: w.name, loss: n > 0 ? lossSum / n : NaN, nu: total.report(), perClip });
  }
  // Oracle constant: the mean truth over the evaluated pixels.
  const probe = new NuErrorAccumulator();
  for (const c of clips) for (const s of c.samples) probe.add(s.truthNu!, s.truthNu!, s.truthDepth!);
  const mean = probe.report().all.meanTruthPerS;
  const constant = new NuErrorAccumulator();
  const perClip: Array<{ clip: string; nu: NuErrorReport }> = [];
  let lossSum = 0;
  let n = 0;
  const map = new Float32Array(forward.sizes.output).fill(Number.isFinite(mean) ? mean : 0);
  for (const c of clips) {
    const acc = new NuErrorAccumulator();
    for (const s of c.samples) {
      const x = expander.expand(s);
      acc.add(map, s.truthNu!, s.truthDepth!, x.input);
      lossSum += loss.evaluate({ ...x, invTtcPerS: map }, grad).loss;
      n++;
    }
    constant.merge(acc);
    perClip.push({ clip: clipLabel(c), nu: acc.report() });
  }
  scores.push({ name: `constant ${Number.isFinite(mean) ? mean.toFixed(3) : 'NaN'} 1/s (oracle)`, loss: n > 0 ? lossSum / n : NaN, nu: constant.report(), perClip });
  return { clips: clips.map((c) => ({ clip: clipLabel(c), windows: c.samples.length })), scores };
}
