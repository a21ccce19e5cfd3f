import type { EventBatch } from '../../contracts/eventBatch.js';
import type { SensorGeometry } from '../../contracts/sensorGeometry.js';
import { MutableCounters, type BatchSink, type DecoderOptions, type EventDecoder } from './decoder.js';
import { HOST_IS_LITTLE_ENDIAN, nearestLoopBaseUs } from './timeAnchor.js';

/** EVT 2.0 time counter: 28-bit TIME_HIGH (units of 64 µs) + 6-bit low part in each event. */
const EVT2_LOOP_US = 2 ** 34;
const EVT2_MAX_TIME_HIGH_US = (2 ** 28 - 1) * 64;
/** OpenEB's tolerance: a backwards TIME_HIGH is a wrap only if it falls back by nearly the whole range. */
const EVT2_LOOP_THRESHOLD_US = 10000;

/**
 * Prophesee EVT 2.0: 32-bit little-endian words, type in bits 31..28.
 *
 * | type | word          | content                                                          |
 * | 0x0  | CD_OFF        | time low bits 27..22 (6 bits, µs), x bits 21..11, y bits 10..0   |
 * | 0x1  | CD_ON         | as CD_OFF                                                        |
 * | 0x8  | EV_TIME_HIGH  | time bits 33..6 in bits 27..0                                    |
 * | 0xA  | EXT_TRIGGER   | time low 27..22, channel id 12..8, value bit 0                   |
 * | 0xE  | OTHERS        | vendor system events                                             |
 * | 0xF  | CONTINUED     | payload of a multi-word OTHERS event                             |
 *
 * Semantics follow OpenEB: words before the first TIME_HIGH are skipped; a TIME_HIGH that falls back by
 * at least (max − 10 000 µs) is a wrap of the 34-bit counter.
 */
export class Evt2Decoder implements EventDecoder {
  readonly counters = new MutableCounters();

  private readonly widthPx: number;
  private readonly heightPx: number;
  private readonly batchCapacity: number;
  private readonly prophesseeShift: boolean;
  private readonly out: { x: Uint16Array; y: Uint16Array; p: Uint8Array; tUs: Float64Array; length: number };
  private scratch = new Uint32Array(0);
  private readonly carry = new Uint8Array(4);
  private carryLength = 0;

  private timeBaseSet = false;
  private anchorUs: number | undefined;
  private loopUs = 0;
  /** Unwrapped TIME_HIGH value in µs (loop included). */
  private baseUs = 0;
  private shiftUs = 0;
  private shiftSet = false;

  constructor(geometry: SensorGeometry, options: DecoderOptions = {}) {
    if (!HOST_IS_LITTLE_ENDIAN) throw new Error('the EVT decoders need a little-endian host');
    this.widthPx = geometry.widthPx;
    this.heightPx = geometry.heightPx;
    this.batchCapacity = Math.max(64, options.batchCapacity ?? 65536);
    this.prophesseeShift = options.timeShift === 'prophesee';
    const cap = this.batchCapacity + 1;
    this.out = {
      x: new Uint16Array(cap),
      y: new Uint16Array(cap),
      p: new Uint8Array(cap),
      tUs: new Float64Array(cap),
      length: 0,
    };
    this.warmUp();
  }

  /**
   * Runs the hot loop once over a few words of every type, then forgets them. V8 compiles the long
   * loop on-stack while the first real chunk is being decoded; code it has never run (the rare word
   * types, the write-back after the loop) would then have no type feedback and deoptimise on every
   * call. Running it once on a short input first gives every path its feedback.
   */
  private warmUp(): void {
    const words = new Uint32Array([0x10000000, 0x80000000 | 0x0fffffff, 0x10400801, 0x00400801, 0x80000000, 0x10000801, 0x1fffffff, 0xa0000001, 0xe0000000, 0xf0000000, 0x50000000]);
    for (let k = 0; k < 2; k++) {
      this.run(words, words.length, () => undefined);
      this.out.length = 0;
      this.reset();
    }
    Object.assign(this.counters, new MutableCounters());
    this.shiftUs = 0;
    this.shiftSet = false;
  }

  reset(anchorUs?: number): void {
    this.timeBaseSet = false;
    this.anchorUs = anchorUs;
    this.loopUs = 0;
    this.baseUs = 0;
    this.carryLength = 0;
  }

  decode(chunk: Uint8Array, onBatch: BatchSink): void {
    this.counters.bytes += chunk.length;
    let offset = 0;
    if (this.carryLength > 0) {
      const need = Math.min(4 - this.carryLength, chunk.length);
      this.carry.set(chunk.subarray(0, need), this.carryLength);
      this.carryLength += need;
      offset = need;
      if (this.carryLength < 4) return;
      this.carryLength = 0;
      this.ensureScratch(1);
      this.scratch[0] = this.carry[0]! | (this.carry[1]! << 8) | (this.carry[2]! << 16) | (this.carry[3]! << 24);
      this.run(this.scratch, 1, onBatch);
    }
    const rest = chunk.length - offset;
    const nWords = rest >>> 2;
    if (nWords > 0) {
      const start = chunk.byteOffset + offset;
      let words: Uint32Array;
      if ((start & 3) === 0) {
        words = new Uint32Array(chunk.buffer, start, nWords);
      } else {
        this.ensureScratch(nWords);
        new Uint8Array(this.scratch.buffer, 0, nWords * 4).set(chunk.subarray(offset, offset + nWords * 4));
        words = this.scratch;
      }
      this.run(words, nWords, onBatch);
    }
    const tail = rest & 3;
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

  private ensureScratch(nWords: number): void {
    if (this.scratch.length < nWords) this.scratch = new Uint32Array(Math.max(nWords, 1024));
  }

  private flush(onBatch: BatchSink): void {
    if (this.out.length > 0) {
      onBatch(this.out as EventBatch);
      this.out.length = 0;
    }
  }

  private run(words: Uint32Array, nWords: number, onBatch: BatchSink): void {
    const c = this.counters;
    const out = this.out;
    const X = out.x;
    const Y = out.y;
    const P = out.p;
    const T = out.tUs;
    const width = this.widthPx;
    const height = this.heightPx;
    const flushAt = this.batchCapacity;
    let n = out.length;
    let timeBaseSet = this.timeBaseSet;
    let baseUs = this.baseUs - this.shiftUs;
    let on = 0;
    let emitted = 0;

    for (let i = 0; i < nWords; i++) {
      if (n >= flushAt) {
        out.length = n;
        c.events += emitted;
        c.onEvents += on;
        c.offEvents += emitted - on;
        emitted = 0;
        on = 0;
        onBatch(out as EventBatch);
        n = 0;
      }
      const w = words[i]!;
      const type = w >>> 28;
      if (type <= 1) {
        if (!timeBaseSet) {
          c.droppedNoTimeBase++;
          continue;
        }
        const x = (w >>> 11) & 0x7ff;
        const y = w & 0x7ff;
        if (x >= width || y >= height) {
          c.droppedOutOfGeometry++;
          continue;
        }
        X[n] = x;
        Y[n] = y;
        P[n] = type;
        T[n] = baseUs + ((w >>> 22) & 0x3f);
        n++;
        emitted++;
        on += type;
      } else if (type === 0x8) {
        const counterUs = (w & 0x0fffffff) * 64;
        if (!timeBaseSet) {
          timeBaseSet = true;
          if (this.prophesseeShift && !this.shiftSet) {
            this.shiftUs = counterUs;
            this.shiftSet = true;
          }
          if (this.anchorUs !== undefined) {
            this.loopUs = nearestLoopBaseUs(this.anchorUs + this.shiftUs, counterUs, EVT2_LOOP_US);
          }
        } else {
          const previousUs = this.baseUs - this.loopUs;
          if (counterUs < previousUs && previousUs - counterUs >= EVT2_MAX_TIME_HIGH_US - EVT2_LOOP_THRESHOLD_US) {
            this.loopUs += EVT2_LOOP_US;
            c.timeWraps++;
          }
        }
        this.baseUs = this.loopUs + counterUs;
        baseUs = this.baseUs - this.shiftUs;
      } else if (type === 0xa) {
        c.triggers++;
      } else if (type === 0xe || type === 0xf) {
        c.otherWords++;
      } else {
        c.invalidWords++;
      }
    }

    out.length = n;
    c.events += emitted;
    c.onEvents += on;
    c.offEvents += emitted - on;
    this.timeBaseSet = timeBaseSet;
  }
}
