/**
 * Experience replay for online learning, an option of the adaptation evaluation (`eval:learning --replay`):
 * measured on the tuning flights and left off, so not wired into the in-flight learner (EVIDENCE.md (b)).
 * A uniform sample of every window trained on so far (reservoir sampling, Vitter's algorithm R), and a mixer
 * that swaps every `every`-th window the trainer would take for one drawn from the reservoir.
 *
 * The idea: online, consecutive windows come from the same few seconds of flight (at 200 Hz with a 40 ms loss span,
 * consecutive windows share most of their events), so the gradient follows the latest scenes and the map's
 * overall level with them. Mixing in windows from the whole flight so far makes each update a step on the
 * flight's loss rather than the last seconds', at no extra cost per update: the mixer replaces windows, it does
 * not add any. A reservoir (not a ring) keeps the sample uniform over the flight however long it lasts.
 *
 * Memory: about 100 KB per kept window at 16 384 loss events (compactSample.ts), so 256 windows ≈ 25 MB.
 * Pure: no I/O, seeded, one thread.
 */
import { mulberry32 } from '../../platform/random.js';
import { compactTrainingSample, type CompactSample, type SampleExpander } from '../pretrain/compactSample.js';
import type { TrainingSample } from '../trainingSample.js';

export interface ReplaySettings {
  /** Windows the reservoir keeps (≥ 1). */
  readonly capacity: number;
  /** Every n-th window handed to the mixer is swapped for a replayed one (≥ 2; 2 = half the windows are replays). */
  readonly every: number;
  /** PRNG seed for which windows are kept and drawn. */
  readonly seed?: number;
}

export function validateReplaySettings(s: ReplaySettings): void {
  checkCapacity(s.capacity);
  if (!(Number.isInteger(s.every) && s.every >= 2)) throw new RangeError(`replay every must be an integer ≥ 2, got ${s.every}`);
}

function checkCapacity(capacity: number): void {
  if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError(`replay capacity must be an integer ≥ 1, got ${capacity}`);
}

/** A uniform random sample (without replacement) of the windows added so far, at most `capacity` of them. */
export class ReplayReservoir {
  private readonly kept: CompactSample[] = [];
  private seen = 0;
  private readonly random: () => number;

  constructor(
    readonly capacity: number,
    seed = 1,
  ) {
    checkCapacity(capacity);
    this.random = mulberry32(seed);
  }

  /** Windows kept now. */
  get size(): number {
    return this.kept.length;
  }

  /** Windows offered over the reservoir's life. */
  get offered(): number {
    return this.seen;
  }

  /** Offers a window; it is copied (compactly) only when kept, so the caller's buffers may be reused at once. */
  add(sample: TrainingSample): void {
    this.seen++;
    if (this.kept.length < this.capacity) {
      this.kept.push(compactTrainingSample(sample));
      return;
    }
    // Algorithm R: the n-th window replaces a random kept one with probability capacity / n.
    const j = Math.floor(this.random() * this.seen);
    if (j < this.capacity) this.kept[j] = compactTrainingSample(sample);
  }

  /** A kept window drawn uniformly, or undefined while empty. */
  draw(): CompactSample | undefined {
    if (this.kept.length === 0) return undefined;
    return this.kept[Math.floor(this.random() * this.kept.length)];
  }

  clear(): void {
    this.kept.length = 0;
    this.seen = 0;
  }
}

/**
 * Decides, window by window, what the trainer takes: the fresh window, or (every `every`-th call, once the
 * reservoir holds something) a replayed one. Every fresh window is offered to the reservoir either way.
 */
export class ReplayMixer {
  readonly reservoir: ReplayReservoir;
  private calls = 0;
  private replayed = 0;

  constructor(
    readonly settings: ReplaySettings,
    private readonly expander: SampleExpander,
  ) {
    validateReplaySettings(settings);
    this.reservoir = new ReplayReservoir(settings.capacity, settings.seed ?? 1);
  }

  /** Windows replaced by replays so far. */
  get replays(): number {
    return this.replayed;
  }

  /**
   * The window to train on in place of `fresh`. A replay is drawn before `fresh` is offered to the reservoir,
   * so it is always an earlier window; it lives in the expander's buffers until the next call.
   */
  next(fresh: TrainingSample): TrainingSample {
    this.calls++;
    const swap = this.calls % this.settings.every === 0 && this.reservoir.size > 0;
    const drawn = swap ? this.reservoir.draw() : undefined;
    this.reservoir.add(fresh);
    if (!drawn) return fresh;
    this.replayed++;
    return this.expander.expand(drawn);
  }
}
