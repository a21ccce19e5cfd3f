import type { Clock } from '../../contracts/clock.js';
import type { DecodeCounters } from '../../contracts/decodeCounters.js';
import type { EventBatch } from '../../contracts/eventBatch.js';
import { readRawFile, type RawFileInfo } from '../file/rawFileReader.js';
import { RealTimePacer } from './realTimePacer.js';
import { TimeSliceCutter } from './timeSliceCutter.js';

export interface ReplayRawFileOptions {
  /** The probed file (`probeRawFile`): its format decides the decoder. */
  readonly info: RawFileInfo;
  /**
   * Sends one slice (a view valid only until the returned promise's first await: read it synchronously).
   * The promise applies back-pressure.
   */
  readonly publish: (slice: EventBatch) => Promise<void>;
  /** Sensor seconds per clock second; Infinity = as fast as possible. */
  readonly speed: number;
  /** Sensor time per packet, µs (slices on the grid k · sliceUs). */
  readonly sliceUs: number;
  /** Replay again and again until aborted; each pass is shifted so sensor time keeps increasing. */
  readonly loop?: boolean;
  readonly clock: Clock;
  /** Waits `ms` of clock time; should resolve early when `signal` aborts. */
  readonly sleep: (ms: number) => Promise<void>;
  readonly signal?: AbortSignal;
  /** Called about every `progressEveryUs` of clock time with the running totals. */
  readonly onProgress?: (stats: ReplayStats) => void;
  readonly progressEveryUs?: number;
}

/** Totals of a replay. Times: sensor µs as published (pass offsets included), clock µs for `clockUs`. */
export interface ReplayStats {
  /** Passes over the file completed (a pass cut short by an abort is not counted). */
  readonly passes: number;
  readonly events: number;
  /** Slices handed to `publish` (the publisher may split big ones further). */
  readonly slices: number;
  /** Sensor time of the first and last event published; undefined before the first. */
  readonly firstTUs: number | undefined;
  readonly lastTUs: number | undefined;
  /** Clock time since the replay started. */
  readonly clockUs: number;
  /** Largest delay behind schedule (the machine or the socket could not keep up). */
  readonly maxLagUs: number;
  /** Events raised to their predecessor's time because the recording went back in time. */
  readonly reorderedEvents: number;
  /** Decoder totals over the passes completed. */
  readonly decode: DecodeCounters;
  readonly aborted: boolean;
}

/** The sleep is skipped below this, and the slice is sent a little early: timers cannot do better. */
const MIN_SLEEP_US = 500;

class Aborted extends Error {}

/**
 * Streams a RAW recording as slices of sensor time, paced against the injected clock (composition of
 * the file reader, a TimeSliceCutter and a RealTimePacer; the transport is the `publish` callback).
 * Resolves with the totals when the file ends (or, with `loop`, when aborted).
 */
export async function replayRawFile(options: ReplayRawFileOptions): Promise<ReplayStats> {
  const { info, clock, signal } = options;
  const cutter = new TimeSliceCutter(options.sliceUs);
  const pacer = new RealTimePacer(clock, options.speed);
  const progressEveryUs = options.progressEveryUs ?? 1_000_000;
  const startUs = clock.nowUs();
  let nextProgressUs = startUs + progressEveryUs;
  const decodeTotals: Record<keyof DecodeCounters, number> = {
    bytes: 0,
    events: 0,
    onEvents: 0,
    offEvents: 0,
    droppedOutOfGeometry: 0,
    droppedNoTimeBase: 0,
    invalidWords: 0,
    triggers: 0,
    otherWords: 0,
    timeWraps: 0,
    trailingBytes: 0,
  };
  let passes = 0;
  let events = 0;
  let slices = 0;
  let firstTUs: number | undefined;
  let lastTUs: number | undefined;
  let aborted = false;

  const stats = (): ReplayStats => ({
    passes,
    events,
    slices,
    firstTUs,
    lastTUs,
    clockUs: clock.nowUs() - startUs,
    maxLagUs: pacer.maxLagUs,
    reorderedEvents: cutter.reorderedEvents,
    decode: { ...decodeTotals },
    aborted,
  });

  // Sends every complete slice, waiting for each one's end to come due (a camera sends a packet when
  // its time slice closes).
  const drain = async (): Promise<void> => {
    for (let endUs = cutter.readyEndUs(); endUs !== undefined; endUs = cutter.readyEndUs()) {
      const waitUs = pacer.delayUs(endUs);
      if (waitUs >= MIN_SLEEP_US) await options.sleep(waitUs / 1000);
      if (signal?.aborted) throw new Aborted();
      const slice = cutter.next()!;
      firstTUs ??= slice.tUs[0];
      lastTUs = slice.tUs[slice.length - 1];
      events += slice.length;
      slices++;
      await options.publish(slice);
      if (options.onProgress !== undefined && clock.nowUs() >= nextProgressUs) {
        nextProgressUs = clock.nowUs() + progressEveryUs;
        options.onProgress(stats());
      }
    }
  };

  let offsetUs = 0;
  let fileFirstTUs: number | undefined;
  try {
    do {
      const eventsBefore = events;
      // The reader may call onBatch several times per chunk before awaiting: one drain runs at a time
      // and picks up whatever the later calls pushed.
      let draining: Promise<void> | undefined;
      const onBatch = (batch: EventBatch): Promise<void> | undefined => {
        if (signal?.aborted) throw new Aborted();
        if (batch.length === 0) return draining;
        fileFirstTUs ??= batch.tUs[0];
        cutter.push(batch, offsetUs);
        draining ??= drain().finally(() => (draining = undefined));
        return draining;
      };
      const { counters } = await readRawFile(info.path, onBatch, { encoding: info.format.encoding, widthPx: info.format.geometry.widthPx, heightPx: info.format.geometry.heightPx });
      cutter.finish();
      await drain();
      for (const k of Object.keys(decodeTotals) as (keyof DecodeCounters)[]) decodeTotals[k] += counters[k];
      passes++;
      if (events === eventsBefore || lastTUs === undefined || fileFirstTUs === undefined) break; // nothing to loop over
      // Next pass starts one slice after this one ended, so sensor time never goes back.
      offsetUs = lastTUs + options.sliceUs - fileFirstTUs;
    } while (options.loop === true && !signal?.aborted);
  } catch (err) {
    if (!(err instanceof Aborted)) throw err;
  }
  aborted = signal?.aborted === true;
  return stats();
}
