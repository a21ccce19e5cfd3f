import type { EventBatch } from '../../contracts/eventBatch.js';
import { checkEvent, WordSink, type EventEncoder } from './encoder.js';

/** Longest forward TIME_HIGH step emitted at once (in 64 µs units), far inside the decoder's wrap test. */
const MAX_HIGH_STEP = 2 ** 26;

/** EVT 2.0 encoder: a TIME_HIGH word whenever t div 64 changes, then one CD word per event. */
export class Evt2Encoder implements EventEncoder {
  private readonly sink = new WordSink(new Uint32Array(4096), (n) => new Uint32Array(n));
  private synced = false;
  private lastHighAbs = 0;
  private lastTUs = 0;

  reset(): void {
    this.synced = false;
  }

  encode(batch: EventBatch): Uint8Array {
    const s = this.sink;
    for (let i = 0; i < batch.length; i++) {
      const t = checkEvent(batch, i, this.synced ? this.lastTUs : 0);
      this.lastTUs = t;
      const highAbs = Math.floor(t / 64);
      if (!this.synced || highAbs !== this.lastHighAbs) {
        if (this.synced) {
          while (highAbs - this.lastHighAbs > MAX_HIGH_STEP) {
            this.lastHighAbs += MAX_HIGH_STEP;
            s.push((0x80000000 | (this.lastHighAbs % 2 ** 28)) >>> 0);
          }
        }
        s.push((0x80000000 | (highAbs % 2 ** 28)) >>> 0);
        this.lastHighAbs = highAbs;
        this.synced = true;
      }
      const low = t - highAbs * 64;
      const type = batch.p[i]! & 1;
      s.push(((type << 28) | (low << 22) | (batch.x[i]! << 11) | batch.y[i]!) >>> 0);
    }
    return s.take();
  }
}
