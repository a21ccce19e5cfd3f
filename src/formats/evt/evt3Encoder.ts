import type { EventBatch } from '../../contracts/eventBatch.js';
import { checkEvent, WordSink, type EventEncoder } from './encoder.js';

/** Longest forward step of TIME_HIGH (in 4096 µs units) emitted at once: a decoder tells a forward step
 *  from a wrap only while the step is below 2048, so longer gaps get intermediate TIME_HIGH words. */
const MAX_HIGH_STEP = 1024;
/** A vector covers at most this many columns from its base (VECT_12 + VECT_12 + VECT_8). */
const MAX_VECTOR_SPAN = 32;
/** Vectors pay for their VECT_BASE_X word from this many events on. */
const MIN_VECTOR_EVENTS = 3;

/**
 * EVT 3.0 encoder. Emits TIME_HIGH / TIME_LOW / ADDR_Y only when they change, and packs runs of
 * consecutive events with the same time, row and polarity and increasing x into VECT_BASE_X + VECT_12 /
 * VECT_8 words; other events become single ADDR_X words. Event order is preserved exactly, so the
 * decoder returns the input unchanged.
 */
export class Evt3Encoder implements EventEncoder {
  private readonly sink = new WordSink(new Uint16Array(4096), (n) => new Uint16Array(n));
  private synced = false;
  private lastHighAbs = 0;
  private lastLow = -1;
  private lastRow = -1;
  private lastTUs = 0;

  reset(): void {
    this.synced = false;
    this.lastLow = -1;
    this.lastRow = -1;
  }

  encode(batch: EventBatch): Uint8Array {
    const s = this.sink;
    const n = batch.length;
    const X = batch.x;
    const Y = batch.y;
    const P = batch.p;
    const T = batch.tUs;
    let i = 0;
    while (i < n) {
      const t = checkEvent(batch, i, this.synced ? this.lastTUs : 0);
      this.lastTUs = t;
      const highAbs = Math.floor(t / 4096);
      if (!this.synced || highAbs !== this.lastHighAbs) {
        if (this.synced) {
          while (highAbs - this.lastHighAbs > MAX_HIGH_STEP) {
            this.lastHighAbs += MAX_HIGH_STEP;
            s.push(0x8000 | (this.lastHighAbs & 0xfff));
          }
        }
        s.push(0x8000 | (highAbs & 0xfff));
        this.lastHighAbs = highAbs;
        this.lastLow = -1; // the decoder zeroes the low part when the high part changes
        this.synced = true;
      }
      const low = t - highAbs * 4096;
      if (low !== this.lastLow) {
        s.push(0x6000 | low);
        this.lastLow = low;
      }
      const y = Y[i]!;
      if (y !== this.lastRow) {
        s.push(y);
        this.lastRow = y;
      }
      const x0 = X[i]!;
      const p = P[i]! & 1;
      // Extent of the run that a vector can carry.
      let j = i + 1;
      while (
        j < n &&
        T[j] === t &&
        Y[j] === y &&
        (P[j]! & 1) === p &&
        X[j]! > X[j - 1]! &&
        X[j]! - x0 < MAX_VECTOR_SPAN
      ) {
        j++;
      }
      if (j - i >= MIN_VECTOR_EVENTS) {
        for (let k = i + 1; k < j; k++) checkEvent(batch, k, t);
        s.push(0x3000 | (p << 11) | x0);
        const span = X[j - 1]! - x0 + 1;
        let covered = 0;
        let k = i;
        while (covered < span) {
          const size = span - covered <= 8 ? 8 : 12;
          let mask = 0;
          const limit = x0 + covered + size;
          while (k < j && X[k]! < limit) {
            mask |= 1 << (X[k]! - x0 - covered);
            k++;
          }
          s.push((size === 12 ? 0x4000 : 0x5000) | mask);
          covered += size;
        }
        i = j;
      } else {
        s.push(0x2000 | (p << 11) | x0);
        i++;
      }
    }
    return s.take();
  }
}
