/**
 * The window cutter's options for the perception path, from the flight's window rate, the network's
 * weights and the learner (if any).
 *
 * The network input counts the span of events its weights were trained on: the weights manifest's
 * `inputLengthUs` (µs, ending with each window). Without it, one window period, as weights before that
 * field were trained (5 ms at 200 Hz). Counting another span would hand the network inputs of another
 * scale than it learned from (at 100 Hz, twice the counts of 5 ms weights), so the span follows the
 * weights, not the rate: at a rate below 1 / inputLengthUs the events between windows go unused.
 */
import type { WeightsManifest } from '../contracts/networkWeights.js';
import type { IngestWindowOptions } from './ingestRuntime.js';

/** What the learner asks of each window: its loss events' span (ms) and cap. */
export interface LearnerWindowNeeds {
  readonly lossSpanMs: number;
  readonly maxEvents: number;
}

export function perceptionWindowOptions(rateHz: number, weights: Pick<WeightsManifest, 'inputLengthUs'>, learner?: LearnerWindowNeeds): IngestWindowOptions {
  return {
    rateHz,
    ...(weights.inputLengthUs !== undefined ? { lengthUs: weights.inputLengthUs } : {}),
    // With the learner on, each window also carries the last lossSpanMs of events (up to its cap) for the
    // loss, as pretrained: 5 ms of motion is too little for contrast maximisation at 160 × 120.
    ...(learner ? { learnerLengthUs: learner.lossSpanMs * 1000, learnerCap: learner.maxEvents } : {}),
  };
}
