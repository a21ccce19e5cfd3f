/**
 * Versioned network weights in a SharedArrayBuffer, written by the learner (one writer, worker thread) and
 * adopted by the inference path (one reader, main thread) between windows, complete or not at all.
 *
 * Layout: an Int32 header and three weight slots (triple buffering). Header: the published slot (−1 before
 * the first publication), a publication counter, each slot's version, and each slot's reader count.
 *
 * Protocol (no locks, neither side ever waits):
 * - Writer: picks a slot that is neither published nor being read (reader count 0), writes the weights
 *   there, stores the slot's version, then stores the published-slot index. It never writes a published slot.
 * - Reader: loads the published index s, increments readers[s], then loads the published index again; if
 *   it changed, it decrements and tries again (the writer may already be rewriting s); if not, s is held:
 *   the writer will not pick s while readers[s] > 0. It copies, then decrements.
 * Why it is safe: all header accesses are Atomics (sequentially consistent). If the reader's second load
 * still sees s, its increment precedes, in the single total order, the writer's next publication and so the
 * writer's later check of readers[s]. The weight values written before the publishing Atomics.store are
 * visible to a reader whose Atomics.load observes it (happens-before), and the reader's copy happens before
 * its decrement, which the writer observes before reusing the slot.
 *
 * Why three slots and not two with a seqlock: with two, the writer's only free slot may be the one a slow
 * reader is still copying (it would have to wait or skip a publication); and a seqlock needs the reader's
 * plain data reads ordered before its closing sequence check, which the JS memory model (an Atomics.load is
 * only an acquire for what follows) does not promise on weakly ordered CPUs such as the Jetson's ARM cores.
 * The third slot costs one more copy of the weights (244 KB for 61 k parameters).
 */

const H_PUBLISHED = 0;
const H_PUBLICATIONS = 1;
const H_VERSION = 2; // 3 words
const H_READERS = 5; // 3 words
const HEADER_WORDS = 8;
const HEADER_BYTES = 64; // keeps the Float32 slots aligned and off the header's cache line
const SLOTS = 3;
/** Reader retries when the published slot moves under it; after that it tries again next window. */
const READ_ATTEMPTS = 4;

/** Bytes a weight exchange for `length` float32 values needs. */
export function weightExchangeBytes(length: number): number {
  return HEADER_BYTES + SLOTS * length * 4;
}

export class WeightExchange {
  private readonly header: Int32Array;
  private readonly slots: Float32Array[] = [];
  /** Float32 values per set of weights. */
  readonly length: number;

  private constructor(readonly buffer: SharedArrayBuffer) {
    const bytes = buffer.byteLength - HEADER_BYTES;
    if (bytes <= 0 || bytes % (SLOTS * 4) !== 0) throw new RangeError(`weight exchange buffer of ${buffer.byteLength} bytes has no whole slots`);
    this.length = bytes / (SLOTS * 4);
    this.header = new Int32Array(buffer, 0, HEADER_WORDS);
    for (let s = 0; s < SLOTS; s++) this.slots.push(new Float32Array(buffer, HEADER_BYTES + s * this.length * 4, this.length));
  }

  /** A new exchange for `length` float32 values with nothing published yet. */
  static create(length: number): WeightExchange {
    if (!(Number.isInteger(length) && length > 0)) throw new RangeError(`weights length must be a positive integer, got ${length}`);
    const ex = new WeightExchange(new SharedArrayBuffer(weightExchangeBytes(length)));
    Atomics.store(ex.header, H_PUBLISHED, -1);
    return ex;
  }

  /** The same exchange seen from another thread. */
  static attach(buffer: SharedArrayBuffer): WeightExchange {
    return new WeightExchange(buffer);
  }

  /** Version of the published weights, or undefined before the first publication. Any thread. */
  publishedVersion(): number | undefined {
    const s = Atomics.load(this.header, H_PUBLISHED);
    return s < 0 ? undefined : Atomics.load(this.header, H_VERSION + s);
  }

  /** Number of publications so far. Any thread. */
  publications(): number {
    return Atomics.load(this.header, H_PUBLICATIONS);
  }

  /**
   * Writer only. Publishes `weights` (copied) as `version` (an Int32 ≥ 0 that should increase, so the
   * reader knows it is new). Returns false, publishing nothing, only when no slot is free — possible only
   * with more than one reader; the caller publishes again with its next update.
   */
  publish(version: number, weights: Float32Array): boolean {
    if (weights.length !== this.length) throw new RangeError(`weights: ${weights.length} values, the exchange holds ${this.length}`);
    if (!(Number.isInteger(version) && version >= 0 && version <= 0x7fffffff)) throw new RangeError(`weights version must be an Int32 ≥ 0, got ${version}`);
    const published = Atomics.load(this.header, H_PUBLISHED);
    let target = -1;
    for (let s = 0; s < SLOTS; s++) {
      if (s !== published && Atomics.load(this.header, H_READERS + s) === 0) {
        target = s;
        break;
      }
    }
    if (target < 0) return false;
    this.slots[target]!.set(weights);
    Atomics.store(this.header, H_VERSION + target, version);
    Atomics.store(this.header, H_PUBLISHED, target); // publishes the values written above
    Atomics.add(this.header, H_PUBLICATIONS, 1);
    return true;
  }

  /**
   * Reader side: a handle that remembers the version it last adopted. One reader handle per exchange
   * (three slots cover one reader; see the header comment).
   */
  reader(initialVersion = -1): WeightReader {
    return new WeightReader(this, initialVersion);
  }

  /** @internal Holds the published slot and lends its values to `use`; returns its version, or undefined. */
  readPublished(skipVersion: number, use: (version: number, weights: Float32Array) => void): number | undefined {
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const s = Atomics.load(this.header, H_PUBLISHED);
      if (s < 0) return undefined;
      if (Atomics.load(this.header, H_VERSION + s) === skipVersion) return undefined; // cheap path: nothing new
      Atomics.add(this.header, H_READERS + s, 1);
      try {
        if (Atomics.load(this.header, H_PUBLISHED) !== s) continue; // moved: the writer may rewrite s
        const version = Atomics.load(this.header, H_VERSION + s);
        if (version === skipVersion) return undefined;
        use(version, this.slots[s]!);
        return version;
      } finally {
        Atomics.sub(this.header, H_READERS + s, 1);
      }
    }
    return undefined;
  }
}

/** The inference side of a WeightExchange. Main thread; call between windows. */
export class WeightReader {
  private last: number;

  constructor(
    private readonly exchange: WeightExchange,
    initialVersion: number,
  ) {
    this.last = initialVersion;
  }

  /** Version of the weights last adopted through this reader (−1 or the initial version before that). */
  get adoptedVersion(): number {
    return this.last;
  }

  /**
   * When the learner has published weights newer than the last adopted ones, calls `adopt(version, weights)`
   * with a complete set and returns the version; otherwise returns undefined without calling it. `weights`
   * is a view into shared memory, valid only during the call: copy it (ProximityNet.setWeights does).
   * Costs two atomic loads when nothing is new; one 61 k-float copy (inside `adopt`) when something is.
   */
  tryAdopt(adopt: (version: number, weights: Float32Array) => void): number | undefined {
    const v = this.exchange.readPublished(this.last, adopt);
    if (v !== undefined) this.last = v;
    return v;
  }
}
