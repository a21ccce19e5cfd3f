/**
 * A bounded first-in first-out queue that makes room by dropping its OLDEST entries (pure).
 *
 * For live sensor data the newest packets are worth most: a consumer that fell behind should catch up
 * with the present, not work through a growing backlog. Bounded both in entries and in bytes, so a
 * slow consumer never makes memory grow. Single-threaded (the event loop); not safe across workers.
 */
export class DropOldestQueue<T> {
  private readonly items: (T | undefined)[];
  private readonly sizes: Float64Array;
  private head = 0;
  private count = 0;
  private bytesHeld = 0;
  /** Size of the entry the last `shift` removed (so `push` can count dropped bytes). */
  private lastShiftBytes = 0;
  /** Entries dropped to make room, since creation. */
  dropped = 0;
  /** Bytes of the dropped entries, since creation. */
  droppedBytes = 0;
  /** Most entries ever held at once. */
  highWater = 0;

  /**
   * @param capacity most entries held (≥ 1)
   * @param capacityBytes most bytes held (sum of the sizes given to `push`); one entry larger than this
   *   is still held alone, so the newest entry always gets through
   */
  constructor(
    readonly capacity: number,
    readonly capacityBytes = Number.POSITIVE_INFINITY,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`queue capacity ${capacity} must be an integer ≥ 1`);
    this.items = new Array<T | undefined>(capacity).fill(undefined);
    this.sizes = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  get bytes(): number {
    return this.bytesHeld;
  }

  /**
   * Appends `item` of `sizeBytes`, first dropping the oldest entries until it fits. `onDrop` sees each
   * dropped entry (to count what it carried). Returns the number dropped.
   */
  push(item: T, sizeBytes: number, onDrop?: (dropped: T) => void): number {
    let droppedNow = 0;
    while (this.count > 0 && (this.count === this.capacity || this.bytesHeld + sizeBytes > this.capacityBytes)) {
      const old = this.shift()!;
      this.dropped++;
      this.droppedBytes += this.lastShiftBytes;
      droppedNow++;
      onDrop?.(old);
    }
    const tail = (this.head + this.count) % this.capacity;
    this.items[tail] = item;
    this.sizes[tail] = sizeBytes;
    this.count++;
    this.bytesHeld += sizeBytes;
    if (this.count > this.highWater) this.highWater = this.count;
    return droppedNow;
  }

  /** Removes and returns the oldest entry, or undefined when empty. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined; // let the packet's memory go
    this.lastShiftBytes = this.sizes[this.head]!;
    this.bytesHeld -= this.lastShiftBytes;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return item;
  }

  clear(): void {
    while (this.count > 0) this.shift();
  }
}
