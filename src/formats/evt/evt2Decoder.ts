import type { EventBatch } from '../../contracts/eventBatch.js';
import type { SensorGeometry } from '../../contracts/sensorGeometry.js';
import type { BatchSink, DecoderOptions } from './decoder.js';
import { nearestLoopBaseUs } from './timeAnchor.js';
import { WordStreamDecoder } from './wordStreamDecoder.js';

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
export class Evt2Decoder extends WordStreamDecoder<Uint32Array> {
  private timeBaseSet = false;
  private anchorUs: number | undefined;
  private loopUs = 0;
  /** Unwrapped TIME_HIGH value in µs (loop included). */
  private baseUs = 0;

  constructor(geometry: SensorGeometry, options: DecoderOptions = {}) {
    super(geometry, options, 4, (n, buffer, offset) => (buffer ? new Uint32Array(buffer, offset, n) : new Uint32Array(n)), 1);
    this.warmUp(WARM_UP_WORDS);
  }

  protected resetStream(anchorUs: number | undefined): void {
    this.timeBaseSet = false;
    this.anchorUs = anchorUs;
    this.loopUs = 0;
    this.baseUs = 0;
  }

  protected run(words: Uint32Array, nWords: number, onBatch: BatchSink): void {
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

/** One word of every type (a wrap, out-of-geometry events, system words) for the warm-up. */
const WARM_UP_WORDS = new Uint32Array([
  0x10000000, 0x80000000 | 0x0fffffff, 0x10400801, 0x00400801, 0x80000000, 0x10000801, 0x1fffffff, 0xa0000001, 0xe0000000,
  0xf0000000, 0x50000000,
]);
