/** How one packet's sequence number relates to the packets before it. */
export type SequenceVerdict =
  /** The first packet seen: nothing to compare with (a late join is not a loss). */
  | 'first'
  /** Exactly the next number. */
  | 'next'
  /** Numbers were skipped: `lastGap` packets were lost on the way (publisher or socket dropped them). */
  | 'gap'
  /** A new stream id, or a number that did not move forward: the publisher restarted. Never a gap. */
  | 'restart';

/**
 * Follows the sequence numbers of one sensor's packets (pure). Loss is `sequence − expected` when the
 * number jumps forward within a stream. A publisher that restarts picks a new random stream id and
 * starts again from 0; either sign alone is taken as a restart, so a restarted driver that reuses its
 * stream id is not reported as a loss of 2^53 packets, and one that keeps counting is still noticed.
 */
export class SequenceTracker {
  gaps = 0;
  packetsLost = 0;
  restarts = 0;
  /** Size of the gap found by the last `observe` that returned 'gap'. */
  lastGap = 0;
  private started = false;
  private streamId = 0;
  private lastSequence = 0;

  observe(streamId: number, sequence: number): SequenceVerdict {
    if (!this.started) {
      this.started = true;
      this.remember(streamId, sequence);
      return 'first';
    }
    const expected = this.lastSequence + 1;
    let verdict: SequenceVerdict;
    if (streamId !== this.streamId || sequence < expected) {
      this.restarts++;
      verdict = 'restart';
    } else if (sequence === expected) {
      verdict = 'next';
    } else {
      this.lastGap = sequence - expected;
      this.gaps++;
      this.packetsLost += this.lastGap;
      verdict = 'gap';
    }
    this.remember(streamId, sequence);
    return verdict;
  }

  private remember(streamId: number, sequence: number): void {
    this.streamId = streamId;
    this.lastSequence = sequence;
  }
}
