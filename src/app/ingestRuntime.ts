import type { Clock } from '../contracts/clock.js';
import type { EventSource } from '../contracts/eventSource.js';
import type { EventWindow } from '../contracts/eventWindow.js';
import type { WindowCounters } from '../contracts/windowCounters.js';
import { sameGeometry, type SensorGeometry } from '../contracts/sensorGeometry.js';
import { WindowCutter, type InputEventFilterFactory, type WindowCutterOptions } from '../windows/index.js';
import { SampleStats } from './sampleStats.js';

/** Window options less the sensor geometry, which the source tells with its first packet. */
export type IngestWindowOptions = Omit<WindowCutterOptions, 'sensor'>;

/** Figures of the ingest runtime since it started. Times in ms of the injected clock. */
export interface IngestStatus {
  readonly windows: number;
  readonly emptyWindows: number;
  readonly eventsInWindows: number;
  /** Windows per second of clock time since the first window. */
  readonly windowRateHz: number;
  /** Clock time spent in the cutter per batch or time report (decode excluded), median / p99 over the last 1024. */
  readonly cutMsMedian: number;
  readonly cutMsP99: number;
  /** The cutter's counters; undefined until the first packet told the sensor geometry. */
  readonly cutter: WindowCounters | undefined;
  /** Times the sensor geometry changed mid-stream (a new cutter was built). */
  readonly geometryChanges: number;
}

/**
 * The ingest half of the runtime: an EventSource feeding a WindowCutter, windows handed to `onWindow`
 * (perception, learner, recorder downstream). Windows close by sensor time, from events and from the
 * source's sensor-time reports (heartbeats), so a quiet scene still yields windows at the rate.
 */
export class IngestRuntime {
  private cutter: WindowCutter | undefined;
  private cutterGeometry: SensorGeometry | undefined;
  private geometryChanges = 0;
  private readonly cutMs = new SampleStats(1024);
  private firstWindowUs: number | undefined;
  private lastWindowUs = 0;

  constructor(
    private readonly source: EventSource,
    private readonly windowOptions: IngestWindowOptions,
    private readonly clock: Clock,
    private readonly onWindow: (window: EventWindow) => void,
    /** Makes the filter on the network input's events (one per cutter, so per sensor geometry), if any. */
    private readonly inputFilterFor?: InputEventFilterFactory,
  ) {}

  /** Starts the source; windows flow from the first packet on. Rejects if the source cannot start. */
  async start(): Promise<void> {
    await this.source.start(
      (batch) => {
        const cutter = this.currentCutter();
        if (cutter === undefined) return;
        const t0 = this.clock.nowUs();
        cutter.push(batch, this.emit);
        this.cutMs.add((this.clock.nowUs() - t0) / 1000);
      },
      (tUs) => this.currentCutter()?.advanceTo(tUs, this.emit),
    );
  }

  /** The cutter for the source's current geometry, rebuilt when the geometry changes. */
  private currentCutter(): WindowCutter | undefined {
    const g = this.source.geometry;
    if (g === undefined) return undefined;
    const old = this.cutterGeometry;
    if (this.cutter === undefined || old === undefined || !sameGeometry(old, g)) {
      if (this.cutter !== undefined) this.geometryChanges++;
      this.cutter = new WindowCutter({ ...this.windowOptions, sensor: g }, this.inputFilterFor);
      this.cutterGeometry = g;
    }
    return this.cutter;
  }

  async stop(): Promise<void> {
    await this.source.close();
  }

  private readonly emit = (w: EventWindow): void => {
    const now = this.clock.nowUs();
    this.firstWindowUs ??= now;
    this.lastWindowUs = now;
    this.onWindow(w);
  };

  status(): IngestStatus {
    const c = this.cutter?.counters;
    const spanS = this.firstWindowUs === undefined ? 0 : (this.lastWindowUs - this.firstWindowUs) / 1e6;
    return {
      windows: c?.windowsEmitted ?? 0,
      emptyWindows: c?.emptyWindows ?? 0,
      eventsInWindows: c?.eventsInWindows ?? 0,
      windowRateHz: c !== undefined && spanS > 0 ? (c.windowsEmitted - 1) / spanS : 0,
      cutMsMedian: orZero(this.cutMs.percentile(0.5)),
      cutMsP99: orZero(this.cutMs.percentile(0.99)),
      cutter: c,
      geometryChanges: this.geometryChanges,
    };
  }
}

/** Status figures are 0 before the first sample (not NaN, which JSON cannot carry). */
function orZero(v: number): number {
  return Number.isNaN(v) ? 0 : v;
}
