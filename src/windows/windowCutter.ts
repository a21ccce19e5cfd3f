/**
 * Cuts the event stream into fixed-rate windows by *sensor* time and turns each into the network input
 * and the learner's capped event set.
 *
 * Timing model (all times sensor µs):
 * - Window ends lie on the grid k · periodUs (periodUs = 1e6 / rateHz). Window k covers
 *   [k · periodUs − lengthUs, k · periodUs). The grid is anchored by the first event (or the first
 *   `advanceTo`): the first window is the one whose end is the first grid point after it.
 * - A window is emitted as soon as the stream proves it complete: when an event at or after its end
 *   arrives (`push`), or when the caller says sensor time has reached its end (`advanceTo`, which the
 *   runtime calls from its clock so a quiet camera still yields windows). Windows are emitted even when
 *   empty, in order, one per period.
 * - lengthUs > periodUs gives overlapping windows (history kept in a ring buffer); lengthUs < periodUs
 *   leaves gaps whose events are counted (`betweenWindowsEvents`) and not used.
 * - The learner's events come from [k · periodUs − learnerLengthUs, k · periodUs) (default: the window
 *   itself); the ring keeps history for the longer of the two spans.
 * - With an input filter (inputEventFilter.ts), each event is judged once, by the first window that contains
 *   it, against the events that had arrived by that window's end; later windows reuse the verdict. A window's
 *   input counts the kept events of its span, so an input longer than the period costs the filter one
 *   period's events per window.
 *
 * Robustness (every case counted in `counters`, see `WindowCounters`):
 * - out-of-geometry events and non-finite/negative timestamps are dropped;
 * - an event slightly older than the newest (≤ backwardsToleranceUs) is accepted with its time raised to
 *   the newest, keeping the ring in time order; older ones, or ones older than the end of the last
 *   emitted window, are dropped as backwards;
 * - a jump of sensor time beyond maxGapUs (forward, or backward: sensor restart, log loop) re-anchors the
 *   grid: the pending window is emitted with the events it has, history is cleared, and the next window
 *   is the one after the new time (forward jumps advance `index` by the periods skipped). A single wild
 *   timestamp therefore costs two re-anchors, not a stalled cutter;
 * - a burst larger than the ring drops the oldest stored events.
 *
 * Reuse: the `EventWindow` passed to `onWindow`, its input tensor and its learner events are the same
 * objects for every window (no allocation per window in steady state). Consumers copy what they keep
 * past the callback. `onWindow` must not call back into the cutter.
 *
 * Pure algorithm code: no I/O, no clock (time comes from the events and from `advanceTo`).
 */
import type { EventBatch } from '../contracts/eventBatch.js';
import type { EventWindow, InputMapping, NetworkInput } from '../contracts/eventWindow.js';
import type { SensorGeometry } from '../contracts/sensorGeometry.js';
import type { WindowCounters } from '../contracts/windowCounters.js';
import { EventRing } from './eventRing.js';
import type { InputEventFilter, InputEventFilterFactory } from './inputEventFilter.js';
import { LearnerEventBuffer, subsampleUniform } from './learnerSubsampler.js';
import { NetworkInputBuilder } from './networkInputBuilder.js';
import {
  resolveWindowCutterOptions,
  type ResolvedWindowCutterOptions,
  type WindowCutterOptions,
} from './windowCutterOptions.js';

export type { WindowCutterOptions } from './windowCutterOptions.js';

export type WindowCallback = (window: EventWindow) => void;

/** The one window object the cutter refills for every emission. */
class ReusedWindow implements EventWindow {
  index = 0;
  tStartUs = 0;
  tEndUs = 0;
  eventCount = 0;
  learnerTStartUs = 0;
  learnerEventCount = 0;
  constructor(
    readonly sensor: SensorGeometry,
    readonly input: NetworkInput,
    readonly learnerEvents: LearnerEventBuffer,
  ) {}
}

class Counters implements WindowCounters {
  windowsEmitted = 0;
  emptyWindows = 0;
  eventsIn = 0;
  eventsInWindows = 0;
  backwardsEvents = 0;
  reorderedEvents = 0;
  invalidTimeEvents = 0;
  outOfGeometryEvents = 0;
  betweenWindowsEvents = 0;
  ringOverflowDrops = 0;
  timeJumps = 0;
  malformedBatches = 0;
  windowsSkipped = 0;
  inputFilteredEvents = 0;
}

export class WindowCutter {
  readonly options: ResolvedWindowCutterOptions;
  private readonly ring: EventRing;
  private readonly builder: NetworkInputBuilder;
  private readonly learner: LearnerEventBuffer;
  private readonly window: ReusedWindow;
  private readonly stats = new Counters();
  private readonly periodUs: number;
  private readonly lengthUs: number;
  /** How far back from a window's end events are kept: the longer of the input's (with the filter's lookback) and the learner's spans. */
  private readonly historyUs: number;
  private readonly inputFilter: InputEventFilter | undefined;
  /** The events handed to the input filter (look-back included) in network coordinates (grown as needed). */
  private networkScratch = emptyEvents(0);
  /**
   * The events the input filter kept, in sensor coordinates and time order: what the network input counts.
   * Each event is judged once, by the first window that contains it, so an input span longer than the period
   * costs the filter one period's events per window, not the whole span's. It has the history ring's
   * capacity, and forgets events as the history ring does: by age, and its oldest in a burst.
   */
  private readonly keptRing: EventRing | undefined;
  /** Logical index in `ring` one past the last event the input filter has judged. */
  private judgedHead = 0;

  private started = false;
  /** Grid index k of the next window to emit: it ends at k · periodUs. */
  private nextGrid = 0;
  /** `index` the next emitted window gets. */
  private nextIndex = 0;
  /** Newest accepted event time. */
  private newestUs = -Infinity;
  /** End of the last emitted window: events before it would be missing from a window already handed out. */
  private closedUntilUs = -Infinity;
  /** Set while push/advanceTo run, to refuse re-entry from onWindow. */
  private busy = false;

  /**
   * `inputFilterFor` (optional) makes the filter that selects the events the network input counts
   * (inputEventFilter.ts), for the network geometry; the learner's events are not filtered here (the loss
   * has its own filter). Without it every event counts.
   */
  constructor(options: WindowCutterOptions, inputFilterFor?: InputEventFilterFactory) {
    this.options = resolveWindowCutterOptions(options);
    const o = this.options;
    const inputFilter = inputFilterFor?.(o.network);
    this.periodUs = o.periodUs;
    this.lengthUs = o.lengthUs;
    if (inputFilter && !(inputFilter.lookbackUs >= 0 && Number.isFinite(inputFilter.lookbackUs))) {
      throw new RangeError(`input filter lookbackUs must be finite and ≥ 0, got ${String(inputFilter.lookbackUs)}`);
    }
    this.inputFilter = inputFilter;
    this.historyUs = Math.max(o.lengthUs + (inputFilter?.lookbackUs ?? 0), o.learnerLengthUs);
    this.ring = new EventRing(o.ringCapacity);
    this.keptRing = inputFilter ? new EventRing(o.ringCapacity) : undefined;
    this.builder = new NetworkInputBuilder({
      sensor: o.sensor,
      network: o.network,
      fit: o.fit,
      sampling: o.inputSampling,
      kind: o.inputKind,
      voxelBins: o.voxelBins,
    });
    this.learner = new LearnerEventBuffer(o.learnerCap);
    this.window = new ReusedWindow(o.sensor, this.builder.input, this.learner);
  }

  /** Live counters (the same object throughout; spread it for a snapshot). */
  get counters(): WindowCounters {
    return this.stats;
  }

  get mapping(): InputMapping {
    return this.builder.mapping;
  }

  /** Sensor time (µs) at which the next window closes, or undefined before the grid is anchored. */
  get nextWindowEndUs(): number | undefined {
    return this.started ? this.nextGrid * this.periodUs : undefined;
  }

  /** Events stored in the ring (the history the open windows draw from). */
  get storedEvents(): number {
    return this.ring.size;
  }

  /**
   * Appends the batch's events (in order) and emits, through `onWindow`, every window whose end is at or
   * before the newest event's time. The batch is read during the call only.
   */
  push(batch: EventBatch, onWindow: WindowCallback): void {
    this.enter();
    try {
      this.pushEvents(batch, onWindow);
    } finally {
      this.busy = false;
    }
  }

  /**
   * Tells the cutter that sensor time has reached `tUs` (no event older than it will follow): emits every
   * window whose end is ≤ tUs, empty or not. Before any event, the first call anchors the grid.
   * A time before the last emitted window's end is ignored; a non-finite time too.
   */
  advanceTo(tUs: number, onWindow: WindowCallback): void {
    if (!Number.isFinite(tUs)) return;
    this.enter();
    try {
      if (!this.started) this.anchor(tUs);
      const nextEnd = this.nextGrid * this.periodUs;
      if (tUs < nextEnd) return;
      if (tUs - nextEnd >= this.options.maxGapUs) this.reanchor(tUs, onWindow);
      else this.closeThrough(tUs, onWindow);
    } finally {
      this.busy = false;
    }
  }

  /**
   * End of stream (replay): emits the pending window if it holds events, as if time had reached its end.
   */
  flush(onWindow: WindowCallback): void {
    if (!this.started || !this.pendingHasEvents()) return;
    this.advanceTo(this.nextGrid * this.periodUs, onWindow);
  }

  private enter(): void {
    if (this.busy) throw new Error('WindowCutter: onWindow must not call back into the cutter');
    this.busy = true;
  }

  private pushEvents(batch: EventBatch, onWindow: WindowCallback): void {
    const { x: xs, y: ys, p: ps, tUs: ts } = batch;
    let n = batch.length;
    const readable = Math.min(xs.length, ys.length, ps.length, ts.length);
    if (!Number.isInteger(n) || n < 0 || n > readable) {
      this.stats.malformedBatches++;
      n = Number.isInteger(n) && n > 0 ? readable : 0;
    }
    this.stats.eventsIn += n;
    let i = 0;
    while (i < n) {
      // Runs of well-ordered events take the tight loop; the first one that needs thought (a window
      // closes, a late or bad event, a full ring) goes through `acceptOne`.
      const from = i;
      i = this.appendInOrder(xs, ys, ps, ts, from, n);
      // The fast loop took events [from, i), all of them, in order: commit its state here, not after its
      // loop (a property store after a hot loop deoptimises the on-the-fly compiled loop on every call).
      if (i > from) {
        this.ring.head += i - from;
        this.newestUs = ts[i - 1];
      }
      if (i < n) {
        this.acceptOne(xs[i], ys[i], ps[i], ts[i], onWindow);
        i++;
      }
    }
  }

  /**
   * Writes events from index `from` into the ring's slots from `ring.head` on while each is in geometry,
   * not older than the newest, inside the open window and the ring has room. Returns the index of the
   * first event it did not take; the caller advances `ring.head` and `newestUs` (see pushEvents).
   */
  private appendInOrder(
    xs: Uint16Array,
    ys: Uint16Array,
    ps: Uint8Array,
    ts: Float64Array,
    from: number,
    to: number,
  ): number {
    if (!this.started) return from;
    const ring = this.ring;
    const rx = ring.x;
    const ry = ring.y;
    const rp = ring.p;
    const rt = ring.tUs;
    const mask = ring.mask;
    let head = ring.head;
    // Stop where the ring is full: `acceptOne` then makes room (and counts any overflow).
    const room = ring.tail + ring.capacity - head;
    const end = to - from < room ? to : from + room;
    const ws = this.options.sensor.widthPx;
    const hs = this.options.sensor.heightPx;
    const nextEnd = this.nextGrid * this.periodUs;
    const nextStart = nextEnd - this.historyUs;
    // An event is in order if it is not older than the newest, nor before the open window, nor before a
    // window already emitted (overlapping windows). After one is taken, the newest is the bound.
    let minTUs = this.newestUs;
    if (nextStart > minTUs) minTUs = nextStart;
    if (this.closedUntilUs > minTUs) minTUs = this.closedUntilUs;
    let i = from;
    for (; i < end; i++) {
      const x = xs[i];
      const y = ys[i];
      const t = ts[i];
      // `t >= minTUs` is false for NaN; Infinity fails `t < nextEnd`.
      if (x >= ws || y >= hs || !(t >= minTUs) || t >= nextEnd) break;
      const j = head & mask;
      rx[j] = x;
      ry[j] = y;
      rp[j] = ps[i];
      rt[j] = t;
      head++;
      minTUs = t;
    }
    return i;
  }

  /** One event with every check: geometry, time validity, window closing, jumps, lateness, ring room. */
  private acceptOne(x: number, y: number, p: number, tIn: number, onWindow: WindowCallback): void {
    const stats = this.stats;
    if (x >= this.options.sensor.widthPx || y >= this.options.sensor.heightPx) {
      stats.outOfGeometryEvents++;
      return;
    }
    let t = tIn;
    if (!(t >= 0) || t === Infinity) {
      stats.invalidTimeEvents++;
      return;
    }
    if (!this.started) this.anchor(t);
    const maxGapUs = this.options.maxGapUs;
    if (t >= this.nextGrid * this.periodUs) {
      const nextEnd = this.nextGrid * this.periodUs;
      if (t - nextEnd >= maxGapUs) this.reanchor(t, onWindow);
      else this.closeThrough(t, onWindow);
    } else if (t < this.newestUs || t < this.closedUntilUs) {
      const nowUs = this.newestUs > this.closedUntilUs ? this.newestUs : this.closedUntilUs;
      if (nowUs - t > maxGapUs) {
        // Sensor time went back by more than the gap limit: a restart, not a late event.
        this.reanchor(t, onWindow);
      } else if (t < this.closedUntilUs || this.newestUs - t > this.options.backwardsToleranceUs) {
        stats.backwardsEvents++;
        return;
      } else {
        t = this.newestUs; // late within tolerance: keep the ring sorted (shift ≤ backwardsToleranceUs)
        stats.reorderedEvents++;
      }
    }
    this.newestUs = t;
    const nextStart = this.nextGrid * this.periodUs - this.historyUs;
    if (t < nextStart) {
      stats.betweenWindowsEvents++;
      return;
    }
    if (this.ring.isFull) this.makeRoom(nextStart);
    this.ring.append(x, y, p, t);
  }

  /** Anchors the grid so the first window is the one ending at the first grid point after tUs. */
  private anchor(tUs: number): void {
    this.started = true;
    this.nextGrid = this.gridAfter(tUs);
  }

  /** Smallest k with k · periodUs > tUs (guarding against rounding in tUs / periodUs). */
  private gridAfter(tUs: number): number {
    let k = Math.floor(tUs / this.periodUs) + 1;
    while (k * this.periodUs <= tUs) k++;
    while ((k - 1) * this.periodUs > tUs) k--;
    return k;
  }

  private pendingHasEvents(): boolean {
    const ring = this.ring;
    if (ring.size === 0) return false;
    return ring.timeAt(ring.head - 1) >= this.nextGrid * this.periodUs - this.lengthUs;
  }

  /** Emits every window whose end is ≤ tUs (the caller has checked the count is below maxGapUs / period). */
  private closeThrough(tUs: number, onWindow: WindowCallback): void {
    while (this.nextGrid * this.periodUs <= tUs) this.emitNext(onWindow);
  }

  /** Time jump: emit the pending window if it holds events, forget history, restart the grid at tUs. */
  private reanchor(tUs: number, onWindow: WindowCallback): void {
    this.stats.timeJumps++;
    if (this.pendingHasEvents()) this.emitNext(onWindow);
    this.ring.clear();
    this.keptRing?.clear();
    this.inputFilter?.reset();
    const newGrid = this.gridAfter(tUs);
    if (newGrid > this.nextGrid) {
      const skipped = newGrid - this.nextGrid;
      this.nextIndex += skipped;
      this.stats.windowsSkipped += skipped;
    }
    this.nextGrid = newGrid;
    this.newestUs = -Infinity;
    this.closedUntilUs = -Infinity;
  }

  /** Makes room for one event: first forget events no open window needs, then drop the oldest (counted). */
  private makeRoom(nextStartUs: number): void {
    this.ring.dropOlderThan(nextStartUs);
    if (this.ring.isFull) {
      this.ring.dropOldest();
      this.stats.ringOverflowDrops++;
    }
  }

  /** Builds and emits the next window from the ring. All stored events are earlier than its end. */
  private emitNext(onWindow: WindowCallback): void {
    const endUs = this.nextGrid * this.periodUs;
    const startUs = endUs - this.lengthUs;
    const learnerStartUs = endUs - this.options.learnerLengthUs;
    const ring = this.ring;
    ring.dropOlderThan(endUs - this.historyUs);
    const from = this.historyUs === this.lengthUs ? ring.tail : ring.firstAtOrAfter(startUs);
    const count = ring.head - from;
    const learnerFrom = learnerStartUs === startUs ? from : ring.firstAtOrAfter(learnerStartUs);
    const learnerCount = ring.head - learnerFrom;

    this.builder.begin(startUs, endUs);
    if (this.inputFilter) {
      this.judgeNew(startUs);
      // The kept events from the window's start on (none is at or after its end yet).
      this.addToInput(this.keptRing!, this.keptRing!.firstAtOrAfter(startUs));
    } else {
      this.addToInput(ring, from);
    }
    subsampleUniform(ring, learnerFrom, learnerCount, ring.mask, this.learner);

    const w = this.window;
    w.index = this.nextIndex;
    w.tStartUs = startUs;
    w.tEndUs = endUs;
    w.eventCount = count;
    w.learnerTStartUs = learnerStartUs;
    w.learnerEventCount = learnerCount;
    const stats = this.stats;
    stats.windowsEmitted++;
    stats.eventsInWindows += count;
    if (count === 0) stats.emptyWindows++;
    this.nextIndex++;
    this.nextGrid++;
    this.closedUntilUs = endUs;
    onWindow(w);
  }

  /**
   * Hands the input filter every stored event it has not seen (the window's new events, and after a gap the
   * look-back before the window's start) in network coordinates (events outside the network map to an
   * out-of-range pixel: never kept), and appends the kept ones to `keptRing`. The filter sees nothing after
   * this window's end, so each verdict is final when the window closes: an event's support is what had
   * arrived by the end of the first window that contains it.
   */
  private judgeNew(startUs: number): void {
    const ring = this.ring;
    const from = Math.max(this.judgedHead, ring.tail);
    this.judgedHead = ring.head;
    const n = ring.head - from;
    if (n <= 0) return;
    if (this.networkScratch.x.length < n) this.networkScratch = emptyEvents(Math.max(n, 2 * this.networkScratch.x.length));
    const net = this.networkScratch;
    const { columnToNetX: col, rowToNetOffset: row, network } = this.builder.lookup;
    const wn = network.widthPx;
    for (let i = 0; i < n; i++) {
      const j = (from + i) & ring.mask;
      const x = ring.x[j]!;
      const y = ring.y[j]!;
      const nx = x < col.length ? col[x]! : -1;
      const off = y < row.length ? row[y]! : -1;
      const inside = nx >= 0 && off >= 0;
      net.x[i] = inside ? nx : OUTSIDE;
      net.y[i] = inside ? off / wn : OUTSIDE;
      net.p[i] = ring.p[j]!;
      net.tUs[i] = ring.tUs[j]!;
    }
    const keep = this.inputFilter!.judgeNext({ length: n, x: net.x, y: net.y, p: net.p, tUs: net.tUs });
    const kr = this.keptRing!;
    kr.dropOlderThan(startUs - this.historyUs); // what no window will count again
    let leftOut = 0;
    for (let i = 0; i < n; i++) {
      const j = (from + i) & ring.mask;
      if (keep[i] === 0) {
        // Look-back events in front of a gap are judged only to support; the counter is the window's events.
        if (ring.tUs[j]! >= startUs) leftOut++;
        continue;
      }
      if (kr.isFull) kr.dropOldest(); // a burst: like the history ring, it forgets its oldest
      kr.append(ring.x[j]!, ring.y[j]!, ring.p[j]!, ring.tUs[j]!);
    }
    this.stats.inputFilteredEvents += leftOut;
  }

  /** Adds `ring`'s events from logical index `from` to its head to the network input. */
  private addToInput(ring: EventRing, from: number): void {
    const count = ring.head - from;
    if (count <= 0) return;
    // The logical range may wrap around the end of the ring's arrays: at most two contiguous segments.
    const first = from & ring.mask;
    const firstLen = Math.min(count, ring.capacity - first);
    this.builder.add(ring, first, first + firstLen);
    if (firstLen < count) this.builder.add(ring, 0, count - firstLen);
  }
}

/** Network coordinate of an event outside the network's view: beyond any geometry, so no filter keeps it. */
const OUTSIDE = 0xffff;

function emptyEvents(capacity: number): { x: Uint16Array; y: Uint16Array; p: Uint8Array; tUs: Float64Array } {
  return { x: new Uint16Array(capacity), y: new Uint16Array(capacity), p: new Uint8Array(capacity), tUs: new Float64Array(capacity) };
}
