/**
 * The closed loop's status snapshot, taken every interval from the stages' own counters (rates are
 * differences since the previous snapshot). Runs on the scheduler; reads only, so a slow consumer of the
 * status cannot disturb the loop. The learner's figures are a round trip to its thread, so they are one
 * interval old.
 */
import type { Clock } from '../contracts/clock.js';
import type { Cancel, Scheduler } from '../contracts/scheduler.js';
import type { ZmqEventSource } from '../ingest/zmq/index.js';
import type { LearnerHost, LearnerStatus } from '../learning/learnerHost.js';
import type { FlightLink } from '../../firmware-bridge/link/flightLink.js';
import type { GuardedFlightLink } from '../../firmware-bridge/safety/guardedFlightLink.js';
import type { FlightStatus } from './flightReport.js';
import type { IngestRuntime } from './ingestRuntime.js';
import type { SharedVehicleChannel } from './sharedVehicleChannel.js';
import type { SteeringPipeline } from './steeringPipeline.js';

export interface StatusSources {
  readonly clock: Clock;
  /** Clock time the flight's set-up began, µs (wall seconds count from here). */
  readonly t0Us: number;
  readonly source: ZmqEventSource;
  readonly ingest: IngestRuntime;
  readonly pipeline: SteeringPipeline;
  readonly guarded: GuardedFlightLink;
  readonly link: FlightLink;
  readonly channel: SharedVehicleChannel;
  readonly learner?: LearnerHost;
}

export function startStatusTicker(s: StatusSources, scheduler: Scheduler, everyMs: number, onStatus: (status: FlightStatus) => void): Cancel {
  let learnerStatus: LearnerStatus | null = null;
  let last = { tUs: s.clock.nowUs(), events: 0, windows: 0, inferCount: 0, inferSum: 0 };
  return scheduler.every(everyMs * 1000, () => {
    const now = s.clock.nowUs();
    const dtS = Math.max(1e-6, (now - last.tUs) / 1e6);
    const events = s.source.counters.events;
    const windows = s.ingest.status().windows;
    const inf = s.pipeline.inferMs.total;
    const g = s.guarded.status();
    const st = s.link.state();
    const sim = s.channel.readState();
    const lat = s.pipeline.recentLatencyMs;
    const l = learnerStatus;
    onStatus({
      wallS: (now - s.t0Us) / 1e6,
      simS: sim.simTUs / 1e6,
      eventsPerS: (events - last.events) / dtS,
      windowsPerS: (windows - last.windows) / dtS,
      inferMsMean: inf.count > last.inferCount ? (inf.sum - last.inferSum) / (inf.count - last.inferCount) : Number.NaN,
      setpointsSent: g.setpointsOut,
      guardInterventions: Object.values(g.counters).reduce((a, b) => a + b, 0),
      guardState: g.state,
      fcMode: st.modeName,
      inControl: st.inControl,
      collisions: sim.collisions,
      distanceM: sim.distanceM,
      progressM: sim.progressM,
      latencyMedianMs: lat.percentile(0.5),
      latencyP99Ms: lat.percentile(0.99),
      learner: l
        ? { updates: l.worker?.trainer.updates ?? 0, publishedVersion: l.weights.published, adoptedVersion: l.weights.adopted, state: l.state }
        : null,
    });
    last = { tUs: now, events, windows, inferCount: inf.count, inferSum: inf.sum };
    s.learner?.status().then(
      (ls) => (learnerStatus = ls),
      () => undefined,
    );
  });
}
