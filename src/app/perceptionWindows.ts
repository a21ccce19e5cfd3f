/**
 * How the perception path cuts windows, from the flight's window rate, the network's weights and the
 * learner (if any): the window cutter's options and the filter on the network input's events.
 *
 * The network input is what the weights were trained on:
 * - the span: the weights manifest's `inputLengthUs` (µs, ending with each window); without it, one window
 *   period, as weights before that field were trained (5 ms at 200 Hz). Counting another span would hand the
 *   network inputs of another scale than it learned from (at 100 Hz, twice the counts of 5 ms weights), so
 *   the span follows the weights, not the rate: at a rate below 1 / inputLengthUs the events between windows
 *   go unused;
 * - the noise filter: the manifest's `inputNoiseFilter` (background activity: an event counts when enough
 *   neighbours fired near it in time); without it every event counts;
 * - the camera's pixels: the manifest's `inputSampling` (`decimate`: weights trained on a camera of the
 *   network's resolution read a finer one a sensor pixel per network pixel); without it every pixel counts.
 */
import type { WeightsManifest } from '../contracts/networkWeights.js';
import { inputNoiseFilterFor } from '../learning/loss/backgroundActivityFilter.js';
import type { InputEventFilterFactory } from '../windows/index.js';
import type { IngestWindowOptions } from './ingestRuntime.js';

/** What the learner asks of each window: its loss events' span (ms) and cap. */
export interface LearnerWindowNeeds {
  readonly lossSpanMs: number;
  readonly maxEvents: number;
}

export interface PerceptionWindows {
  readonly options: IngestWindowOptions;
  /** Makes the input filter for the network geometry; undefined when the weights count every event. */
  readonly inputFilterFor: InputEventFilterFactory | undefined;
}

export function perceptionWindows(
  rateHz: number,
  weights: Pick<WeightsManifest, 'inputLengthUs' | 'inputNoiseFilter' | 'inputSampling'>,
  learner?: LearnerWindowNeeds,
): PerceptionWindows {
  return {
    options: {
      rateHz,
      ...(weights.inputLengthUs !== undefined ? { lengthUs: weights.inputLengthUs } : {}),
      ...(weights.inputSampling !== undefined ? { inputSampling: weights.inputSampling } : {}),
      // With the learner on, each window also carries the last lossSpanMs of events (up to its cap) for the
      // loss, as pretrained: 5 ms of motion is too little for contrast maximisation at 160 × 120.
      ...(learner ? { learnerLengthUs: learner.lossSpanMs * 1000, learnerCap: learner.maxEvents } : {}),
    },
    inputFilterFor: inputNoiseFilterFor(weights.inputNoiseFilter),
  };
}
