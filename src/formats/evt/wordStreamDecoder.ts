import type { EventBatch } from '../../contracts/eventBatch.js';
import type { SensorGeometry } from '../../contracts/sensorGeometry.js';
import { MutableCounters, type BatchSink, type DecoderOptions, type EventDecoder } from './decoder.js';
import { HOST_IS_LITTLE_ENDIAN } from './timeAnchor.js';

type Words = Uint16Array | Uint32Array;

/** The reusable output batch a decoder fills and hands to its sink. */
export interface OutputBatch {
  x: Uint16Array;
  y: Uint16Array;
  p: Uint8Array;
  tUs: Float64Array;
  length: number;
}

/**
 * What every streaming word decoder shares: chunking (a word split across chunks is carried over),
 * aligned word views over the caller's bytes (copied once when misaligned), the reusable output batch,
 * counters, and the warm-up of the hot loop. Subclasses implement only the format: `run` over whole
 * words and `resetStream`.
 */
export abstract class WordStreamDecoder<W extends Words> implements EventDecoder {
  readonly counters = new MutableCounters();
  protected readonly widthPx: number;
  protected readonly heightPx: number;
  protected readonly batchCapacity: number;
  protected readonly prophesseeShift: boolean;
  protected readonly out: OutputBatch;
  /** Metavision-style time shift (µs), fixed by the first TIME_HIGH ever seen when enabled. */
  protected shiftUs = 0;
  protected shiftSet = false;
  private scratch: W;
  private readonly carry: Uint8Array;
  private carryLength = 0;

  /**
   * @param wordBytes 2 (EVT 3.0) or 4 (EVT 2.0)
   * @param makeWords allocates a word array of n words, or views `n` words of a buffer at a byte offset
   * @param eventsPerWord the most events one word can yield (output slack past batchCapacity)
   */
  protected constructor(
    geometry: SensorGeometry,
    options: DecoderOptions,
    private readonly wordBytes: 2 | 4,
    private readonly makeWords: (n: number, buffer?: ArrayBufferLike, byteOffset?: number) => W,
    eventsPerWord: number,
  ) {
    if (!HOST_IS_LITTLE_ENDIAN) throw new Error('the EVT decoders need a little-endian host');
    this.widthPx = geometry.widthPx;
    this.heightPx = geometry.heightPx;
    this.batchCapacity = Math.max(64, options.batchCapacity ?? 65536);
    this.prophesseeShift = options.timeShift === 'prophesee';
    const cap = this.batchCapacity + eventsPerWord;
    this.out = { x: new Uint16Array(cap), y: new Uint16Array(cap), p: new Uint8Array(cap), tUs: new Float64Array(cap), length: 0 };
    this.scratch = makeWords(0);
    this.carry = new Uint8Array(wordBytes);
  }

  /** Decodes `nWords` whole words, flushing to `onBatch` whenever the output reaches batchCapacity. */
  protected abstract run(words: W, nWords: number, onBatch: BatchSink): void;

  /** Forgets the format's stream state (time base, addresses); see EventDecoder.reset. */
  protected abstract resetStream(anchorUs: number | undefined): void;

  reset(anchorUs?: number): void {
    this.carryLength = 0;
    this.resetStream(anchorUs);
  }

  decode(chunk: Uint8Array, onBatch: BatchSink): void {
    this.counters.bytes += chunk.length;
    const wb = this.wordBytes;
    let offset = 0;
    if (this.carryLength > 0) {
      const need = Math.min(wb - this.carryLength, chunk.length);
      this.carry.set(chunk.subarray(0, need), this.carryLength);
      this.carryLength += need;
      offset = need;
      if (this.carryLength < wb) return;
      this.carryLength = 0;
      this.ensureScratch(1);
      new Uint8Array(this.scratch.buffer, 0, wb).set(this.carry);
      this.run(this.scratch, 1, onBatch);
    }
    const nWords = Math.floor((chunk.length - offset) / wb);
    if (nWords > 0) {
      const start = chunk.byteOffset + offset;
      let words: W;
      if (start % wb === 0) {
        words = this.makeWords(nWords, chunk.buffer, start);
      } else {
        // Misaligned view (pooled Buffers): copy once into an aligned scratch buffer.
        this.ensureScratch(nWords);
        new Uint8Array(this.scratch.buffer, 0, nWords * wb).set(chunk.subarray(offset, offset + nWords * wb));
        words = this.scratch;
      }
      this.run(words, nWords, onBatch);
    }
    const tail = chunk.length - offset - nWords * wb;
    if (tail > 0) {
      this.carry.set(chunk.subarray(chunk.length - tail));
      this.carryLength = tail;
    }
    this.flush(onBatch);
  }

  end(onBatch: BatchSink): void {
    this.counters.trailingBytes += this.carryLength;
    this.carryLength = 0;
    this.flush(onBatch);
  }

  protected flush(onBatch: BatchSink): void {
    if (this.out.length > 0) {
      onBatch(this.out as EventBatch);
      this.out.length = 0;
    }
  }

  /**
   * Runs the hot loop once over a few words of every type, then forgets them. V8 compiles the long
   * loop on-stack while the first real chunk is being decoded; code it has never run (the rare word
   * types, the write-back after the loop) would then have no type feedback and deoptimise on every
   * call. Running it on a short input first gives every path its feedback. Subclasses call this last
   * in their constructor.
   */
  protected warmUp(words: W): void {
    for (let k = 0; k < 2; k++) {
      this.run(words, words.length, () => undefined);
      this.out.length = 0;
      this.reset();
    }
    Object.assign(this.counters, new MutableCounters());
    this.shiftUs = 0;
    this.shiftSet = false;
  }

  private ensureScratch(nWords: number): void {
    if (this.scratch.length < nWords) this.scratch = this.makeWords(Math.max(nWords, 1024));
  }
}
