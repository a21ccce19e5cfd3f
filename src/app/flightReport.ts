/**
 * The figures a closed-loop flight reports: a status snapshot every second and the summary at the end.
 * Plain data (the CLI prints it, `--json` serialises it). Times: wall seconds since the flight's set-up
 * began unless a name says otherwise.
 */
import type { IngestStatus } from './ingestRuntime.js';
import type { FlightFigures } from './flightTracker.js';
import type { SampleSummary } from './sampleStats.js';
import type { SteeringPipelineStats } from './steeringPipeline.js';
import type { WeightsChoice } from './weightsChoice.js';
import type { WeightsManifest } from '../contracts/networkWeights.js';
import type { SafetyGuardStatus } from '../contracts/safetyGuardStatus.js';
import type { LinkHealth } from '../contracts/vehicleState.js';
import type { ZmqSourceCounters } from '../ingest/zmq/index.js';
import type { LearnerStatus } from '../learning/learnerHost.js';
import type { Px4EmulatorStats } from '../../firmware-bridge/emulator/px4Emulator.js';

export interface FlightStatus {
  readonly wallS: number;
  /** Simulated time, s. */
  readonly simS: number;
  /** Over the last status interval. */
  readonly eventsPerS: number;
  readonly windowsPerS: number;
  /** Mean inference time over the last interval, ms (NaN when none ran). */
  readonly inferMsMean: number;
  /** Setpoints the guard handed to the link so far, and its interventions so far (all reasons). */
  readonly setpointsSent: number;
  readonly guardInterventions: number;
  readonly guardState: SafetyGuardStatus['state'];
  /** The FC's mode as the link reports it (e.g. PX4:OFFBOARD) and whether it follows our setpoints. */
  readonly fcMode: string;
  readonly inControl: boolean;
  readonly collisions: number;
  readonly distanceM: number;
  readonly progressM: number;
  /** Window → setpoint bytes written over the last 256 setpoints, ms. */
  readonly latencyMedianMs: number;
  readonly latencyP99Ms: number;
  /** Learner figures (with --learn): updates made, weights version in use. */
  readonly learner: { readonly updates: number; readonly publishedVersion: number | undefined; readonly adoptedVersion: number; readonly state: string } | null;
}

export interface FlightSummary {
  readonly scenario: { readonly name: string; readonly domain: string; readonly seed: number; readonly obstacles: number };
  readonly weights: WeightsChoice;
  readonly setup: {
    /** Where the simulator ran and how the FC link was carried. */
    readonly simThread: 'worker' | 'main';
    /** Nice value of the simulator's thread (null: unchanged). */
    readonly simThreadNice: number | null;
    readonly fcTransport: 'pty' | 'memory';
    readonly eventEndpoint: string;
    readonly windowRateHz: number;
    /** Span of events the network input counts per window, µs (the weights' inputLengthUs, else one period). */
    readonly inputLengthUs: number;
    /** The noise filter on the network input's events (the weights' inputNoiseFilter), null when none. */
    readonly inputNoiseFilter: NonNullable<WeightsManifest['inputNoiseFilter']> | null;
    readonly speed: number;
    readonly learn: boolean;
    /** The learner waited for each inference to end before its heavy phases (`--learner-yield`). */
    readonly learnerYieldsToInference: boolean;
    /**
     * What the steering flew on: the network's ν, or (`--steer-on-truth`, a diagnostic) the simulator's true ν,
     * with how many maps were the truth's and how many the network's (before the first truth arrived).
     */
    readonly steering: { readonly on: 'network' } | { readonly on: 'truth'; readonly truthMaps: number; readonly networkMaps: number };
  };
  readonly wallS: number;
  readonly simulatedS: number;
  /** `duration`: flew its full time; `aborted`: stopped early (Ctrl-C). */
  readonly stoppedBy: 'duration' | 'aborted';
  readonly control: {
    /** Wall time at which the FC accepted OFFBOARD, s; null if it never did. */
    readonly offboardAtS: number | null;
    readonly error: string | null;
    /** The FC was holding (AUTO.LOITER) when the runtime let go: asked to at the end, or already put
     *  there by the guard's staleness watchdog. */
    readonly handedBack: boolean;
  };
  readonly flight: FlightFigures;
  /** Window emitted → setpoint bytes written (transport write returned), ms. */
  readonly latencyMs: SampleSummary;
  readonly inferMs: SampleSummary;
  /** Parts of the latency: waiting behind a busy inference; ν map → bytes written (steer, guard, write). */
  readonly queueMs: SampleSummary;
  readonly steerWriteMs: SampleSummary;
  readonly rates: { readonly windowsPerS: number; readonly eventsPerS: number; readonly setpointsPerS: number };
  readonly drops: {
    readonly windowsSkipped: number;
    readonly zmqQueueDrops: number;
    readonly zmqSequenceGaps: number;
    readonly zmqPacketsLost: number;
    readonly zmqRejected: number;
    readonly linkFramesDropped: number;
  };
  readonly pipeline: SteeringPipelineStats;
  readonly guard: SafetyGuardStatus;
  /** The setpoints the link was handed (all by the guard) and wrote; its health counters. */
  readonly link: { readonly setpointCalls: number; readonly setpointsWritten: number; readonly health: LinkHealth; readonly modeName: string };
  readonly emulator: Px4EmulatorStats;
  readonly ingest: IngestStatus;
  readonly zmq: ZmqSourceCounters;
  readonly sim: {
    readonly events: number;
    readonly packets: number;
    readonly heartbeats: number;
    readonly maxLagMs: number;
    /** The sim runner's own flight figures when it ran to the end (cross-check of `flight`). */
    readonly runner: FlightFigures | null;
  };
  readonly learner: LearnerStatus | null;
  /** Problems met along the way (first few of each kind), for the log. */
  readonly notes: readonly string[];
}
