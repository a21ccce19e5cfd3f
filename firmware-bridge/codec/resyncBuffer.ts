/**
 * The byte window a resynchronising frame decoder works on: chunks are appended at the end, the
 * decoder consumes frames or skips bytes at the start, and every skipped byte is counted. Shared
 * by the MAVLink and MSP decoders. Storage is a Buffer (a Uint8Array that node-mavlink's CRC
 * accepts), compacted or grown only when a chunk does not fit.
 */
export class ResyncBuffer {
  buf: Buffer;
  /** First unconsumed byte. */
  start = 0;
  /** One past the last byte. */
  end = 0;
  bytesIn = 0;
  bytesSkipped = 0;

  constructor(initialSize = 1024) {
    this.buf = Buffer.alloc(initialSize);
  }

  /** Bytes not yet consumed. */
  get available(): number {
    return this.end - this.start;
  }

  append(chunk: Uint8Array): void {
    this.bytesIn += chunk.length;
    const live = this.end - this.start;
    if (this.end + chunk.length > this.buf.length) {
      if (live + chunk.length <= this.buf.length) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        const grown = Buffer.alloc(Math.max(this.buf.length * 2, live + chunk.length));
        this.buf.copy(grown, 0, this.start, this.end);
        this.buf = grown;
      }
      this.start = 0;
      this.end = live;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  /** Consumes `n` bytes that formed a delivered frame. */
  consume(n: number): void {
    this.start += n;
    if (this.start === this.end) this.start = this.end = 0;
  }

  /** Drops `n` bytes as garbage, counting them. */
  skip(n: number): void {
    this.bytesSkipped += n;
    this.consume(n);
  }

  /** Skips forward to the next byte for which `isStart` holds (or to the end). */
  skipUntil(isStart: (byte: number) => boolean): void {
    let i = this.start + 1;
    while (i < this.end && !isStart(this.buf[i]!)) i++;
    this.skip(i - this.start);
  }

  /** Drops everything pending (after a reconnect the old bytes mean nothing), counted as skipped. */
  reset(): void {
    this.skip(this.end - this.start);
  }
}
