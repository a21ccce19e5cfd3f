/**
 * A beat from the control path to the learner: a counter in shared memory that inference bumps each time it
 * finishes a window. With `yieldToInference` on, the learner starts each of its heavy phases (the forward pass
 * with the loss, and the training step) just after a beat, so on a two-core machine they run in the gap before
 * the next window's inference instead of across it. The learner already runs at idle priority, so it never
 * delays an inference's start; what this avoids is the two sharing the cores' caches and memory while the
 * inference runs (tests/bench/controlpath.bench.ts measures both ways).
 *
 * Timing: a beat every window period (5 ms at 200 Hz). When no beat comes within `timeoutMs` (no control loop,
 * or inference stalled) the learner goes ahead anyway, so it never waits for ever.
 */
import { waitAsync } from '../platform/atomicsWait.js';

export class InferenceBeat {
  private readonly word: Int32Array;

  private constructor(readonly buffer: SharedArrayBuffer) {
    this.word = new Int32Array(buffer, 0, 1);
  }

  static create(): InferenceBeat {
    return new InferenceBeat(new SharedArrayBuffer(4));
  }

  /** The same counter, from another thread. */
  static attach(buffer: SharedArrayBuffer): InferenceBeat {
    if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength < 4) throw new TypeError('inference beat: expected a SharedArrayBuffer of at least 4 bytes');
    return new InferenceBeat(buffer);
  }

  /** Inference side: one window's inference has finished. Never blocks. */
  beat(): void {
    Atomics.add(this.word, 0, 1);
    Atomics.notify(this.word, 0);
  }

  /** Beats so far. */
  get count(): number {
    return Atomics.load(this.word, 0);
  }

  /** Learner side: resolves at the next beat (true) or after `timeoutMs` without one (false). Does not block the thread. */
  async next(timeoutMs: number): Promise<boolean> {
    const seen = Atomics.load(this.word, 0);
    return (await waitAsync(this.word, 0, seen, timeoutMs)) !== 'timed-out';
  }
}
