import type { EventBatch } from '../../contracts/eventBatch.js';
import type { SensorGeometry } from '../../contracts/sensorGeometry.js';
import type { BatchSink, DecoderOptions } from './decoder.js';
import { nearestLoopBaseUs } from './timeAnchor.js';
import { WordStreamDecoder } from './wordStreamDecoder.js';

/**
 * Prophesee EVT 3.0: 16-bit little-endian words, type in bits 15..12.
 *
 * | type | word            | content                                                  |
 * | 0x0  | EVT_ADDR_Y      | y in bits 10..0 (bit 11: system type; set → not a valid row) |
 * | 0x2  | EVT_ADDR_X      | one event: x in 10..0, polarity bit 11                     |
 * | 0x3  | VECT_BASE_X     | vector base: x in 10..0, polarity bit 11                   |
 * | 0x4  | VECT_12         | events at base+i for each set bit i of 11..0; base += 12   |
 * | 0x5  | VECT_8          | events at base+i for each set bit i of 7..0;  base += 8    |
 * | 0x6  | EVT_TIME_LOW    | time bits 11..0                                            |
 * | 0x7  | CONTINUED_4     | payload of a multi-word OTHERS event                       |
 * | 0x8  | EVT_TIME_HIGH   | time bits 23..12                                           |
 * | 0xA  | EXT_TRIGGER     | value bit 0, channel id bits 11..8                         |
 * | 0xE  | OTHERS          | sub-typed system events (IMU, event-rate counters, …)      |
 * | 0xF  | CONTINUED_12    | payload of a multi-word OTHERS event                       |
 *
 * Timestamp semantics follow Prophesee's OpenEB decoder: words before the first TIME_HIGH are skipped
 * (their events counted in `droppedNoTimeBase`); a TIME_HIGH that falls back by at least 2048 steps
 * (half the 12-bit range) is a wrap of the 24-bit counter (+2^24 µs); a TIME_HIGH that changes the high
 * part resets the low part to 0 until the next TIME_LOW; rows come only from ADDR_Y words seen after the
 * time base. Events outside the geometry are dropped and counted.
 */
export class Evt3Decoder extends WordStreamDecoder<Uint16Array> {
  private timeBaseSet = false;
  private anchorUs: number | undefined;
  private loopUs = 0;
  private high = 0;
  private low = 0;
  private rowSeen = false;
  private rowValid = false;
  private row = 0;
  private baseSeen = false;
  private baseX = 0;
  private basePol = 0;

  constructor(geometry: SensorGeometry, options: DecoderOptions = {}) {
    super(geometry, options, 2, (n, buffer, offset) => (buffer ? new Uint16Array(buffer, offset, n) : new Uint16Array(n)), 12);
    this.warmUp(WARM_UP_WORDS);
  }

  protected resetStream(anchorUs: number | undefined): void {
    this.timeBaseSet = false;
    this.anchorUs = anchorUs;
    this.loopUs = 0;
    this.high = 0;
    this.low = 0;
    this.rowSeen = false;
    this.rowValid = false;
    this.baseSeen = false;
  }

  /** The hot loop: decodes `nWords` words, state kept in locals and written back at the end. */
  protected run(words: Uint16Array, nWords: number, onBatch: BatchSink): void {
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
    let loopUs = this.loopUs;
    let high = this.high;
    let low = this.low;
    let rowSeen = this.rowSeen;
    let rowValid = this.rowValid;
    let row = this.row;
    let baseSeen = this.baseSeen;
    let baseX = this.baseX;
    let basePol = this.basePol;
    let shiftUs = this.shiftUs;
    // A row is ready for events once the time base and a valid in-geometry row are known.
    let rowReady = timeBaseSet && rowSeen && rowValid;
    let tUs = loopUs + high * 4096 + low - shiftUs;
    let on = 0;
    let emitted = 0;
    let droppedGeom = 0;
    let droppedNoBase = 0;

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
      const type = w >>> 12;
      switch (type) {
        case 0x4:
        case 0x5: {
          // VECT_12 / VECT_8: the set bits of the mask, via a table of bit positions per 12-bit mask
          const mask = type === 0x4 ? w & 0xfff : w & 0xff;
          const span = type === 0x4 ? 12 : 8;
          const count = BIT_COUNT[mask]!;
          if (!timeBaseSet || !rowSeen || !baseSeen) {
            droppedNoBase += count;
          } else if (!rowValid) {
            droppedGeom += count;
          } else if (baseX + span <= width) {
            const at = mask * 12;
            const end = n + count;
            for (let k = 0; n < end; k++, n++) {
              X[n] = baseX + BIT_POSITIONS[at + k]!;
              Y[n] = row;
              P[n] = basePol;
              T[n] = tUs;
            }
            emitted += count;
            on += basePol * count;
          } else {
            const at = mask * 12;
            for (let k = 0; k < count; k++) {
              const x = baseX + BIT_POSITIONS[at + k]!;
              if (x >= width) {
                droppedGeom++;
                continue;
              }
              X[n] = x;
              Y[n] = row;
              P[n] = basePol;
              T[n] = tUs;
              n++;
              emitted++;
              on += basePol;
            }
          }
          baseX += span;
          break;
        }
        case 0x2: {
          // EVT_ADDR_X
          const x = w & 0x7ff;
          if (!rowReady || x >= width) {
            if (!timeBaseSet || !rowSeen) droppedNoBase++;
            else droppedGeom++;
            break;
          }
          const pol = (w >>> 11) & 1;
          X[n] = x;
          Y[n] = row;
          P[n] = pol;
          T[n] = tUs;
          n++;
          emitted++;
          on += pol;
          break;
        }
        case 0x0: {
          if (!timeBaseSet) break;
          const yField = w & 0xfff; // bit 11 set (system type) makes the row invalid, as in OpenEB
          row = yField & 0x7ff;
          rowSeen = true;
          rowValid = yField < height;
          rowReady = rowValid;
          break;
        }
        case 0x3:
          if (!timeBaseSet) break;
          baseX = w & 0x7ff;
          basePol = (w >>> 11) & 1;
          baseSeen = true;
          break;
        case 0x6:
          if (!timeBaseSet) break;
          low = w & 0xfff;
          tUs = loopUs + high * 4096 + low - shiftUs;
          break;
        case 0x8: {
          const newHigh = w & 0xfff;
          if (!timeBaseSet) {
            timeBaseSet = true;
            if (this.prophesseeShift && !this.shiftSet) {
              this.shiftUs = shiftUs = Math.max(newHigh - 1, 0) * 4096;
              this.shiftSet = true;
            }
            if (this.anchorUs !== undefined) {
              loopUs = nearestLoopBaseUs(this.anchorUs + shiftUs, newHigh * 4096, 16777216);
            }
            high = newHigh;
            low = 0;
          } else {
            if (high >= 2048 + newHigh) {
              loopUs += 16777216;
              c.timeWraps++;
            }
            if (newHigh !== high) low = 0;
            high = newHigh;
          }
          tUs = loopUs + high * 4096 + low - shiftUs;
          break;
        }
        case 0xa:
          c.triggers++;
          break;
        case 0x7:
        case 0xe:
        case 0xf:
          c.otherWords++;
          break;
        case 0x1:
          // Rows of exposure-measurement (non-CD) events on ATIS sensors: what follows is not a CD event.
          c.invalidWords++;
          if (timeBaseSet) {
            rowSeen = true;
            rowValid = false;
            rowReady = false;
          }
          break;
        default:
          c.invalidWords++;
          break;
      }
    }

    out.length = n;
    c.events += emitted;
    c.onEvents += on;
    c.offEvents += emitted - on;
    c.droppedOutOfGeometry += droppedGeom;
    c.droppedNoTimeBase += droppedNoBase;
    this.timeBaseSet = timeBaseSet;
    this.loopUs = loopUs;
    this.high = high;
    this.low = low;
    this.rowSeen = rowSeen;
    this.rowValid = rowValid;
    this.row = row;
    this.baseSeen = baseSeen;
    this.baseX = baseX;
    this.basePol = basePol;
  }
}

/** One word of every type (a wrap, an out-of-geometry vector, system words) for the warm-up. */
const WARM_UP_WORDS = new Uint16Array([
  0x8000 | 4095, 0x6001, 0x0001, 0x2801, 0x3002, 0x4fff, 0x50ff, 0x3000 | 2040, 0x4fff, 0xa001, 0xe001, 0xf001, 0x7001,
  0x9000, 0x1001, 0x0fff, 0x2001, 0x8000, 0x6002, 0x0001, 0x2002,
]);

/** For every 12-bit vector mask: how many bits are set, and their positions in increasing order. */
const BIT_COUNT = new Uint8Array(4096);
const BIT_POSITIONS = new Uint8Array(4096 * 12);
for (let m = 0; m < 4096; m++) {
  let c = 0;
  for (let b = 0; b < 12; b++) if (m & (1 << b)) BIT_POSITIONS[m * 12 + c++] = b;
  BIT_COUNT[m] = c;
}
