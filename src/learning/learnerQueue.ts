/**
 * Bounded queue of training samples between the window path (main thread, the one producer) and the
 * learner (worker thread, the one consumer), in a preallocated SharedArrayBuffer: the producer copies a
 * window into a slot, the consumer reads it in place. Nothing goes through postMessage, nothing is
 * allocated per sample.
 *
 * Policy: FIFO; when every slot holds an unread sample the producer overwrites the OLDEST one (counted in
 * `dropped`): the learner should train on what the camera sees now, and the control path never waits.
 *
 * Slots and ownership. Each slot has a state word: FREE → (producer) WRITING → READY → (consumer)
 * READING → FREE. A READY slot can also go back to WRITING when the producer overwrites it (drop oldest).
 * Every transition out of READY is a compare-exchange, so exactly one side wins a READY slot: the
 * consumer never reads a slot being rewritten and the producer never overwrites one being read. With one
 * producer and one consumer holding at most `capacity − 1` slots, the producer always finds a FREE or READY
 * slot: `push` is wait-free in practice (a lost compare-exchange means the consumer just took that slot; the
 * producer picks the next oldest).
 *
 * Memory ordering (ECMAScript memory model): Atomics operations are sequentially consistent and a plain
 * write before an Atomics.store / compareExchange happens-before a plain read after an Atomics.load /
 * compareExchange that observes it. So: the producer writes the sample (plain typed-array writes), then
 * Atomics.store(state, READY); the consumer's compareExchange READY → READING observes that store, so it
 * sees the whole sample. The consumer's reads of a slot happen before its Atomics.store(state, FREE), which
 * the producer observes before writing the slot again. Sequence numbers (FIFO order) are stored with
 * Atomics before the READY store.
 *
 * Counters are Int32 (pushed/dropped/popped wrap after 2^31 samples, 124 days at 200 Hz); order comparisons
 * of sequence numbers are wrap-safe.
 */
import type { EventWindow } from '../contracts/eventWindow.js';
import type { EventBatch } from '../contracts/eventBatch.js';
import type { InputMapping } from '../contracts/eventWindow.js';
import type { CameraMotion, TrainingSample } from './trainingSample.js';
import { waitAsync } from '../platform/atomicsWait.js';

/** Sizes fixed for the queue's life. */
export interface LearnerQueueLayout {
  /** Slots (≥ 2). The consumer may hold some while it trains; the rest buffer new windows. */
  readonly capacity: number;
  /** Float32 elements of one network input (channels × height × width). */
  readonly inputLength: number;
  /** Most learner events per sample; a window with more is uniformly subsampled to this many. */
  readonly maxEvents: number;
}

/** What crosses the thread boundary to attach the consumer (structured-cloneable). */
export interface LearnerQueueShared {
  readonly buffer: SharedArrayBuffer;
  readonly layout: LearnerQueueLayout;
}

/** Cumulative counts since the queue was created. */
export interface LearnerQueueCounters {
  /** Samples written by the producer. */
  readonly pushed: number;
  /** Unread samples overwritten because every slot was full (drop-oldest). */
  readonly dropped: number;
  /** Samples the consumer claimed. */
  readonly popped: number;
  /** Samples whose window held more than `maxEvents` learner events (subsampled on the way in). */
  readonly subsampled: number;
  /** Samples ready now (not claimed). */
  readonly ready: number;
}

/** A sample in a slot: views into the shared buffer, valid between `claim` and `release`. */
export interface ClaimedSample extends TrainingSample {
  /** Slot index (for `release`). */
  readonly slot: number;
  /** Sequence number (pushed order). */
  readonly sequence: number;
}

const FREE = 0;
const WRITING = 1;
const READY = 2;
const READING = 3;

// Control words (Int32) at the start of the buffer.
const C_PUBLISHED = 0; // bumped after each push; the consumer waits on it
const C_NEXT_SEQ = 1;
const C_PUSHED = 2;
const C_DROPPED = 3;
const C_POPPED = 4;
const C_SUBSAMPLED = 5;
const C_FIXED = 8; // then states[capacity], seqs[capacity]

// Per-slot Float64 metadata.
const M_T_START = 0;
const M_T_END = 1;
const M_WINDOW_INDEX = 2;
const M_ENQUEUED = 3;
const M_WINDOW_EVENTS = 4;
const M_EVENTS = 5;
const M_FIT = 6; // 0 letterbox, 1 crop
const M_SCALE = 7;
const M_OFFSET_X = 8;
const M_OFFSET_Y = 9;
const M_RATE_X = 10;
const M_RATE_Y = 11;
const M_RATE_Z = 12;
const M_FOE_X = 13;
const M_FOE_Y = 14;
const M_FOE_FROM_VEL = 15;
const M_FLOOR_PRESENT = 16; // 0 none, 1 groundFloor below
const M_FLOOR_X = 17;
const M_FLOOR_Y = 18;
const M_FLOOR_AXIS = 19;
const M_AXIAL_SPEED = 20; // NaN = none
const META_LENGTH = 21;

const align8 = (n: number): number => Math.ceil(n / 8) * 8;

interface SlotViews {
  readonly meta: Float64Array;
  readonly input: Float32Array;
  readonly tUs: Float64Array;
  readonly x: Uint16Array;
  readonly y: Uint16Array;
  readonly p: Uint8Array;
}

/** Mutable sample object handed out by `claim` (one per slot, reused). */
interface MutableClaim {
  slot: number;
  sequence: number;
  windowIndex: number;
  tStartUs: number;
  tEndUs: number;
  windowEventCount: number;
  mapping: { fit: InputMapping['fit']; scale: number; offsetXPx: number; offsetYPx: number };
  input: Float32Array;
  events: { length: number; x: Uint16Array; y: Uint16Array; p: Uint8Array; tUs: Float64Array };
  enqueuedTUs: number;
  bodyRatesCamRadS: { x: number; y: number; z: number };
  focusOfExpansionNorm: { x: number; y: number };
  foeFromVelocity: boolean;
  groundFloor: { perXPerS: number; perYPerS: number; atAxisPerS: number } | null;
  /** The claim's own plane object, handed out as `groundFloor` when the slot has one (no allocation per claim). */
  floorPlane: { perXPerS: number; perYPerS: number; atAxisPerS: number };
  axialSpeedMS: number | null;
}

/** Bytes one queue with `layout` needs. */
export function learnerQueueBytes(layout: LearnerQueueLayout): number {
  return controlBytes(layout.capacity) + layout.capacity * slotBytes(layout);
}

function controlBytes(capacity: number): number {
  return align8((C_FIXED + 2 * capacity) * 4);
}

function slotBytes(l: LearnerQueueLayout): number {
  return align8(META_LENGTH * 8 + l.inputLength * 4 + l.maxEvents * 8 + l.maxEvents * 2 * 2 + l.maxEvents);
}

function checkLayout(l: LearnerQueueLayout): void {
  const int = (v: number, min: number) => Number.isInteger(v) && v >= min;
  if (!int(l.capacity, 2) || l.capacity > 1024) throw new RangeError(`queue capacity must be an integer in [2, 1024], got ${l.capacity}`);
  if (!int(l.inputLength, 1)) throw new RangeError(`inputLength must be a positive integer, got ${l.inputLength}`);
  if (!int(l.maxEvents, 1)) throw new RangeError(`maxEvents must be a positive integer, got ${l.maxEvents}`);
}

export class LearnerQueue {
  private readonly ctrl: Int32Array;
  private readonly slots: SlotViews[] = [];
  private readonly claims: MutableClaim[] = [];
  private readonly stateBase = C_FIXED;
  private readonly seqBase: number;

  private constructor(
    readonly buffer: SharedArrayBuffer,
    readonly layout: LearnerQueueLayout,
  ) {
    checkLayout(layout);
    if (buffer.byteLength !== learnerQueueBytes(layout)) throw new RangeError(`queue buffer has ${buffer.byteLength} bytes, the layout needs ${learnerQueueBytes(layout)}`);
    const cap = layout.capacity;
    this.ctrl = new Int32Array(buffer, 0, C_FIXED + 2 * cap);
    this.seqBase = C_FIXED + cap;
    let offset = controlBytes(cap);
    const n = layout.maxEvents;
    for (let s = 0; s < cap; s++) {
      let o = offset;
      const meta = new Float64Array(buffer, o, META_LENGTH);
      o += META_LENGTH * 8;
      const tUs = new Float64Array(buffer, o, n);
      o += n * 8;
      const input = new Float32Array(buffer, o, layout.inputLength);
      o += layout.inputLength * 4;
      const x = new Uint16Array(buffer, o, n);
      o += n * 2;
      const y = new Uint16Array(buffer, o, n);
      o += n * 2;
      const p = new Uint8Array(buffer, o, n);
      this.slots.push({ meta, input, tUs, x, y, p });
      this.claims.push({
        slot: s,
        sequence: 0,
        windowIndex: 0,
        tStartUs: 0,
        tEndUs: 0,
        windowEventCount: 0,
        mapping: { fit: 'letterbox', scale: 1, offsetXPx: 0, offsetYPx: 0 },
        input,
        events: { length: 0, x, y, p, tUs },
        enqueuedTUs: 0,
        bodyRatesCamRadS: { x: 0, y: 0, z: 0 },
        focusOfExpansionNorm: { x: 0, y: 0 },
        foeFromVelocity: false,
        groundFloor: null,
        floorPlane: { perXPerS: 0, perYPerS: 0, atAxisPerS: 0 },
        axialSpeedMS: null,
      });
      offset += slotBytes(layout);
    }
  }

  /** A new, empty queue (allocates its SharedArrayBuffer). */
  static create(layout: LearnerQueueLayout): LearnerQueue {
    checkLayout(layout);
    return new LearnerQueue(new SharedArrayBuffer(learnerQueueBytes(layout)), layout);
  }

  /** The same queue seen from another thread. */
  static attach(shared: LearnerQueueShared): LearnerQueue {
    return new LearnerQueue(shared.buffer, shared.layout);
  }

  get shared(): LearnerQueueShared {
    return { buffer: this.buffer, layout: this.layout };
  }

  /**
   * Producer only. Copies the window's network input and learner events (uniformly subsampled to
   * `maxEvents` when it holds more) and the camera motion into a slot. Returns true when an unread sample
   * was overwritten to make room (drop-oldest). Throws RangeError only when the input tensor has the wrong
   * size (a wiring error, caught at start-up).
   */
  push(window: EventWindow, motion: CameraMotion, enqueuedTUs: number): boolean {
    if (window.input.data.length !== this.layout.inputLength) {
      throw new RangeError(`learner queue: network input has ${window.input.data.length} values, the queue holds ${this.layout.inputLength}`);
    }
    const { slot, dropped } = this.acquireForWrite();
    const v = this.slots[slot]!;
    const m = v.meta;
    // The loss's window is the learner's span (it may reach further back than the network input's).
    m[M_T_START] = window.learnerTStartUs;
    m[M_T_END] = window.tEndUs;
    m[M_WINDOW_INDEX] = window.index;
    m[M_ENQUEUED] = enqueuedTUs;
    m[M_WINDOW_EVENTS] = window.learnerEventCount;
    const map = window.input.mapping;
    m[M_FIT] = map.fit === 'crop' ? 1 : 0;
    m[M_SCALE] = map.scale;
    m[M_OFFSET_X] = map.offsetXPx;
    m[M_OFFSET_Y] = map.offsetYPx;
    m[M_RATE_X] = motion.bodyRatesCamRadS.x;
    m[M_RATE_Y] = motion.bodyRatesCamRadS.y;
    m[M_RATE_Z] = motion.bodyRatesCamRadS.z;
    m[M_FOE_X] = motion.focusOfExpansionNorm.x;
    m[M_FOE_Y] = motion.focusOfExpansionNorm.y;
    m[M_FOE_FROM_VEL] = motion.foeFromVelocity ? 1 : 0;
    const floor = motion.groundFloor;
    m[M_FLOOR_PRESENT] = floor ? 1 : 0;
    m[M_FLOOR_X] = floor ? floor.perXPerS : 0;
    m[M_FLOOR_Y] = floor ? floor.perYPerS : 0;
    m[M_FLOOR_AXIS] = floor ? floor.atAxisPerS : 0;
    m[M_AXIAL_SPEED] = motion.axialSpeedMS ?? Number.NaN;
    v.input.set(window.input.data);
    m[M_EVENTS] = this.copyEvents(window.learnerEvents, v);
    const seq = Atomics.add(this.ctrl, C_NEXT_SEQ, 1);
    Atomics.store(this.ctrl, this.seqBase + slot, seq);
    Atomics.add(this.ctrl, C_PUSHED, 1);
    if (dropped) Atomics.add(this.ctrl, C_DROPPED, 1);
    Atomics.store(this.ctrl, this.stateBase + slot, READY); // publishes the slot's contents
    Atomics.add(this.ctrl, C_PUBLISHED, 1);
    Atomics.notify(this.ctrl, C_PUBLISHED);
    return dropped;
  }

  /**
   * Consumer only. The oldest ready sample, now owned by the caller until `release`; undefined when none
   * is ready. The returned object and its arrays are reused for this slot: do not keep them past release.
   */
  claim(): ClaimedSample | undefined {
    for (;;) {
      const slot = this.oldest(READY);
      if (slot < 0) return undefined;
      if (Atomics.compareExchange(this.ctrl, this.stateBase + slot, READY, READING) !== READY) continue; // overwritten meanwhile
      Atomics.add(this.ctrl, C_POPPED, 1);
      return this.fillClaim(slot);
    }
  }

  /** Consumer only: gives a claimed slot back to the producer. */
  release(sample: ClaimedSample): void {
    if (Atomics.load(this.ctrl, this.stateBase + sample.slot) !== READING) throw new Error(`learner queue: slot ${sample.slot} is not claimed`);
    Atomics.store(this.ctrl, this.stateBase + sample.slot, FREE);
  }

  /**
   * Consumer only: resolves when a sample may be ready (true: one was ready, or a push or `wake` came) or
   * after `timeoutMs` (false). Does not block the thread (Atomics.waitAsync), so the worker keeps handling
   * its messages meanwhile.
   */
  async waitForSample(timeoutMs: number): Promise<boolean> {
    const seen = Atomics.load(this.ctrl, C_PUBLISHED);
    if (this.oldest(READY) >= 0) return true;
    return (await waitAsync(this.ctrl, C_PUBLISHED, seen, timeoutMs)) !== 'timed-out';
  }

  /** Wakes a consumer in `waitForSample` (e.g. to handle a command at once). */
  wake(): void {
    Atomics.add(this.ctrl, C_PUBLISHED, 1);
    Atomics.notify(this.ctrl, C_PUBLISHED);
  }

  counters(): LearnerQueueCounters {
    let ready = 0;
    for (let s = 0; s < this.layout.capacity; s++) if (Atomics.load(this.ctrl, this.stateBase + s) === READY) ready++;
    return {
      pushed: Atomics.load(this.ctrl, C_PUSHED),
      dropped: Atomics.load(this.ctrl, C_DROPPED),
      popped: Atomics.load(this.ctrl, C_POPPED),
      subsampled: Atomics.load(this.ctrl, C_SUBSAMPLED),
      ready,
    };
  }

  /** A FREE slot, else the oldest READY one taken from the consumer's reach (a drop). */
  private acquireForWrite(): { slot: number; dropped: boolean } {
    for (;;) {
      for (let s = 0; s < this.layout.capacity; s++) {
        // Only the producer moves a slot out of FREE, so this exchange cannot lose; it is atomic for uniformity.
        if (Atomics.compareExchange(this.ctrl, this.stateBase + s, FREE, WRITING) === FREE) return { slot: s, dropped: false };
      }
      const slot = this.oldest(READY);
      if (slot >= 0 && Atomics.compareExchange(this.ctrl, this.stateBase + slot, READY, WRITING) === READY) return { slot, dropped: true };
      // Lost the race (the consumer claimed it, or freed a slot): look again. Bounded: the consumer holds at
      // most capacity − 1 slots, so a FREE or READY slot exists.
    }
  }

  /** Slot in `state` with the oldest sequence number, or −1. */
  private oldest(state: number): number {
    let best = -1;
    let bestSeq = 0;
    for (let s = 0; s < this.layout.capacity; s++) {
      if (Atomics.load(this.ctrl, this.stateBase + s) !== state) continue;
      const seq = Atomics.load(this.ctrl, this.seqBase + s);
      if (best < 0 || ((seq - bestSeq) | 0) < 0) {
        best = s;
        bestSeq = seq;
      }
    }
    return best;
  }

  private copyEvents(src: EventBatch, dst: SlotViews): number {
    const n = Math.max(0, Math.min(src.length, src.x.length, src.y.length, src.p.length, src.tUs.length) | 0);
    const cap = this.layout.maxEvents;
    if (n <= cap) {
      dst.x.set(src.x.subarray(0, n));
      dst.y.set(src.y.subarray(0, n));
      dst.p.set(src.p.subarray(0, n));
      dst.tUs.set(src.tUs.subarray(0, n));
      return n;
    }
    // Uniform stride keeps the time order and the spread over the window (truncation would keep only its start).
    Atomics.add(this.ctrl, C_SUBSAMPLED, 1);
    for (let k = 0; k < cap; k++) {
      const i = Math.floor((k * n) / cap);
      dst.x[k] = src.x[i]!;
      dst.y[k] = src.y[i]!;
      dst.p[k] = src.p[i]!;
      dst.tUs[k] = src.tUs[i]!;
    }
    return cap;
  }

  private fillClaim(slot: number): ClaimedSample {
    const c = this.claims[slot]!;
    const m = this.slots[slot]!.meta;
    c.sequence = Atomics.load(this.ctrl, this.seqBase + slot);
    c.tStartUs = m[M_T_START]!;
    c.tEndUs = m[M_T_END]!;
    c.windowIndex = m[M_WINDOW_INDEX]!;
    c.enqueuedTUs = m[M_ENQUEUED]!;
    c.windowEventCount = m[M_WINDOW_EVENTS]!;
    c.events.length = m[M_EVENTS]!;
    c.mapping.fit = m[M_FIT] === 1 ? 'crop' : 'letterbox';
    c.mapping.scale = m[M_SCALE]!;
    c.mapping.offsetXPx = m[M_OFFSET_X]!;
    c.mapping.offsetYPx = m[M_OFFSET_Y]!;
    c.bodyRatesCamRadS.x = m[M_RATE_X]!;
    c.bodyRatesCamRadS.y = m[M_RATE_Y]!;
    c.bodyRatesCamRadS.z = m[M_RATE_Z]!;
    c.focusOfExpansionNorm.x = m[M_FOE_X]!;
    c.focusOfExpansionNorm.y = m[M_FOE_Y]!;
    c.foeFromVelocity = m[M_FOE_FROM_VEL] === 1;
    if (m[M_FLOOR_PRESENT] === 1) {
      c.floorPlane.perXPerS = m[M_FLOOR_X]!;
      c.floorPlane.perYPerS = m[M_FLOOR_Y]!;
      c.floorPlane.atAxisPerS = m[M_FLOOR_AXIS]!;
      c.groundFloor = c.floorPlane;
    } else {
      c.groundFloor = null;
    }
    const speed = m[M_AXIAL_SPEED]!;
    c.axialSpeedMS = Number.isNaN(speed) ? null : speed;
    return c;
  }
}
