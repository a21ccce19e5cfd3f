import type { EventBatch } from '../../contracts/eventBatch.js';

/**
 * A stateful encoder of event batches into raw words. Successive `encode` calls continue one stream
 * (a decoder fed the concatenated output reproduces the events); `reset` makes the next output
 * self-contained (it starts with a full time and address state), which is what live packets need.
 *
 * Input must be in non-decreasing time order with integer microsecond timestamps and x, y < 2048;
 * anything else is a programming error and throws RangeError.
 */
export interface EventEncoder {
  encode(batch: EventBatch): Uint8Array;
  reset(): void;
}

/** A growable word buffer shared by the encoders. */
export class WordSink<T extends Uint16Array | Uint32Array> {
  length = 0;
  constructor(
    public words: T,
    private readonly make: (n: number) => T,
  ) {}

  push(word: number): void {
    if (this.length === this.words.length) {
      const bigger = this.make(this.words.length * 2);
      bigger.set(this.words);
      this.words = bigger;
    }
    this.words[this.length++] = word;
  }

  /** The words written since the last take, as bytes (a copy), and empties the sink. */
  take(): Uint8Array {
    const bytes = new Uint8Array(this.words.buffer, 0, this.length * this.words.BYTES_PER_ELEMENT).slice();
    this.length = 0;
    return bytes;
  }
}

export function checkEvent(batch: EventBatch, i: number, previousTUs: number): number {
  const t = batch.tUs[i]!;
  if (!Number.isInteger(t) || t < 0) throw new RangeError(`event ${i}: timestamp ${t} µs is not a non-negative integer`);
  if (t < previousTUs) throw new RangeError(`event ${i}: timestamp ${t} µs goes back in time (previous ${previousTUs} µs)`);
  if (batch.x[i]! > 2047 || batch.y[i]! > 2047) throw new RangeError(`event ${i}: x/y beyond the 11-bit range`);
  return t;
}
