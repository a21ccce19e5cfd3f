/**
 * The per-window path of the closed loop: window → (learner queue) → ν inference → sector steering →
 * safety guard. Runs on the main thread's event loop, one inference at a time.
 *
 * Windows arrive at the window rate whether or not the previous inference has finished. When one is
 * still running, the newest window's input is copied aside and run next; an older waiting window is
 * replaced (counted as skipped): a late setpoint is worth less than a fresh one.
 *
 * Latency: every setpoint is stamped with the shared-clock time its window was emitted (`tUs`, which the
 * guard's staleness watchdog also reads). When the flight link writes a setpoint's bytes it reports the
 * time the transport write returned (`onSetpointWritten`); the difference is the window → setpoint-bytes
 * latency. A setpoint the guard holds back (rate limit) and writes at its next tick is measured when it is
 * written; one replaced before being written has no latency (the guard counts it as rate-limited).
 */
import type { Clock } from '../contracts/clock.js';
import type { EventWindow, NetworkInput } from '../contracts/eventWindow.js';
import type { ProximityMap } from '../contracts/proximityMap.js';
import type { SteeringSetpoint } from '../contracts/steeringSetpoint.js';
import type { VehicleState } from '../contracts/vehicleState.js';
import type { SectorSteering, SteeringDecision } from '../avoidance/sectorSteering.js';
import { SampleStats } from './sampleStats.js';

/** The inference stage as the pipeline uses it (ProximityNet). */
export interface ProximityInference {
  infer(input: NetworkInput, tUs: number, nuScale?: number): Promise<ProximityMap>;
  setWeights(version: number, data: Float32Array): void;
}

/** The learner as the pipeline uses it (LearnerHost). */
export interface WindowLearner {
  enqueue(window: EventWindow, vehicle: VehicleState | null): string;
  tryAdopt(adopt: (version: number, weights: Float32Array) => void): number | undefined;
  /** Called after each window's setpoint went out: the learner's cue to compute in the gap (inferenceBeat.ts). */
  inferenceDone?(): void;
}

export interface SteeringPipelineOptions {
  readonly net: ProximityInference;
  readonly steering: SectorSteering;
  /** Where setpoints go: the guarded flight link's `submit`. */
  readonly submit: (setpoint: SteeringSetpoint) => void;
  /** The flight controller's latest state (yaw for the goal bearing; rates and velocity for the learner). */
  readonly vehicle: () => VehicleState;
  /** Goal heading, rad from north towards east. */
  readonly goalYawRad: number;
  readonly clock: Clock;
  readonly learner?: WindowLearner;
  /**
   * The factor from the network's output to ν for the window about to be inferred (the weights' speed
   * scaling at the FC's current axial speed, contracts/networkOutput.ts); absent: 1 (the output is ν).
   */
  readonly nuScale?: () => number;
  /** Inference or steering failed for a window (the loop goes on; the guard brakes if it persists). */
  readonly onError?: (error: unknown) => void;
}

/** Running figures of the pipeline. Times in ms. */
export interface SteeringPipelineStats {
  readonly windows: number;
  /** Windows replaced while waiting for a busy inference. */
  readonly skipped: number;
  readonly inferences: number;
  readonly errors: number;
  readonly setpointsSubmitted: number;
  /** Setpoints written inside `submit` vs later by the guard's tick (after a rate-limit hold-back). */
  readonly writtenAtOnce: number;
  readonly writtenByGuardTick: number;
  readonly decisions: Readonly<Record<SteeringDecision['reason'], number>>;
  /** Weight versions adopted from the learner, and the version in use. */
  readonly weightsAdopted: number;
  readonly weightsVersion: number;
  readonly learnerEnqueue: Readonly<Record<string, number>>;
}

export class SteeringPipeline {
  /** Window emitted → setpoint bytes written, ms: all (last 65 536), and the last 256 for status lines
   *  (sorting those once a second costs microseconds, not the event loop's time). */
  readonly latencyMs = new SampleStats();
  readonly recentLatencyMs = new SampleStats(256);
  /** Inference call → ν map, ms (includes waiting for the event loop). */
  readonly inferMs = new SampleStats();
  /** Parts of the latency: window emitted → inference called (waiting behind a busy inference), and
   *  ν map → setpoint bytes written (steering, guard, encoding, write) for setpoints written at once. */
  readonly queueMs = new SampleStats();
  readonly steerWriteMs = new SampleStats();
  private inferEndUs = Number.NaN;
  private busy = false;
  private idleWaiters: (() => void)[] = [];
  private pendingData: Float32Array | undefined;
  private pendingInput: NetworkInput | undefined;
  private pendingSensorTUs = 0;
  private pendingEmitUs = 0;
  private hasPending = false;
  private submitting = false;
  private lastSubmittedTUs = Number.NaN;
  private lastMeasuredTUs = Number.NaN;
  private lastDecisionValue: SteeringDecision | undefined;
  private c = { windows: 0, skipped: 0, inferences: 0, errors: 0, submitted: 0, atOnce: 0, byTick: 0, adopted: 0, version: -1 };
  private readonly decisions: Record<SteeringDecision['reason'], number> = { cruise: 0, slow: 0, brake: 0, distrusted: 0 };
  private readonly enqueueResults: Record<string, number> = {};

  constructor(private readonly opts: SteeringPipelineOptions) {}

  /** IngestRuntime's window callback. The window's buffers are valid only during the call. */
  readonly onWindow = (w: EventWindow): void => {
    const emitUs = this.opts.clock.nowUs();
    this.c.windows++;
    if (this.busy) {
      if (this.hasPending) this.c.skipped++;
      this.keepPending(w, emitUs);
    } else {
      // Runs synchronously up to the inference (which copies the input before it yields).
      void this.run(w.input, w.tEndUs, emitUs);
    }
    const learner = this.opts.learner;
    if (learner !== undefined) {
      const result = learner.enqueue(w, this.opts.vehicle());
      this.enqueueResults[result] = (this.enqueueResults[result] ?? 0) + 1;
    }
  };

  /** The flight link's report that a setpoint's bytes were written (MeasuredFlightLink). */
  readonly onSetpointWritten = (sp: SteeringSetpoint, writtenUs: number): void => {
    // Only setpoints made from a window count (not the guard's own hover setpoints), each once (the
    // guard re-sends the newest target as a keep-alive when nothing else went out).
    if (sp.tUs !== this.lastSubmittedTUs || sp.tUs === this.lastMeasuredTUs) return;
    this.lastMeasuredTUs = sp.tUs;
    const ms = (writtenUs - sp.tUs) / 1000;
    this.latencyMs.add(ms);
    this.recentLatencyMs.add(ms);
    if (this.submitting) {
      this.c.atOnce++;
      this.steerWriteMs.add((writtenUs - this.inferEndUs) / 1000);
    } else this.c.byTick++;
  };

  /** Resolves once no inference is running or waiting. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  get lastDecision(): SteeringDecision | undefined {
    return this.lastDecisionValue;
  }

  stats(): SteeringPipelineStats {
    const c = this.c;
    return {
      windows: c.windows,
      skipped: c.skipped,
      inferences: c.inferences,
      errors: c.errors,
      setpointsSubmitted: c.submitted,
      writtenAtOnce: c.atOnce,
      writtenByGuardTick: c.byTick,
      decisions: { ...this.decisions },
      weightsAdopted: c.adopted,
      weightsVersion: c.version,
      learnerEnqueue: { ...this.enqueueResults },
    };
  }

  private keepPending(w: EventWindow, emitUs: number): void {
    const src = w.input;
    if (this.pendingData === undefined || this.pendingData.length !== src.data.length) {
      this.pendingData = new Float32Array(src.data.length);
    }
    this.pendingData.set(src.data);
    this.pendingInput = { kind: src.kind, channels: src.channels, geometry: src.geometry, mapping: src.mapping, data: this.pendingData };
    this.pendingSensorTUs = w.tEndUs;
    this.pendingEmitUs = emitUs;
    this.hasPending = true;
  }

  private async run(input: NetworkInput, sensorTUs: number, emitUs: number): Promise<void> {
    const { net, clock } = this.opts;
    this.busy = true;
    try {
      for (;;) {
        try {
          this.opts.learner?.tryAdopt((version, weights) => {
            net.setWeights(version, weights);
            this.c.adopted++;
          });
          const t0 = clock.nowUs();
          this.queueMs.add((t0 - emitUs) / 1000);
          const map = await net.infer(input, sensorTUs, this.opts.nuScale?.() ?? 1);
          this.inferEndUs = clock.nowUs();
          this.inferMs.add((this.inferEndUs - t0) / 1000);
          this.c.inferences++;
          this.c.version = map.weightsVersion;
          this.steerAndSubmit(map, emitUs);
          this.opts.learner?.inferenceDone?.();
        } catch (err) {
          this.c.errors++;
          this.opts.onError?.(err);
        }
        if (!this.hasPending) break;
        this.hasPending = false;
        input = this.pendingInput!;
        sensorTUs = this.pendingSensorTUs;
        emitUs = this.pendingEmitUs;
      }
    } finally {
      this.busy = false;
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private steerAndSubmit(map: ProximityMap, emitUs: number): void {
    const yaw = this.opts.vehicle().attitude?.yawRad;
    // Without an attitude yet the goal bearing is unknown: NaN makes the law brake (its rule for doubt).
    const bearing = yaw === undefined ? Number.NaN : wrapPi(this.opts.goalYawRad - yaw);
    const decision = this.opts.steering.step(map, bearing, emitUs);
    this.lastDecisionValue = decision;
    this.decisions[decision.reason]++;
    this.lastSubmittedTUs = emitUs;
    this.c.submitted++;
    this.submitting = true;
    try {
      this.opts.submit(decision.setpoint);
    } finally {
      this.submitting = false;
    }
  }
}

/** Angle wrapped to (−π, π]. */
export function wrapPi(a: number): number {
  const w = a - 2 * Math.PI * Math.floor((a + Math.PI) / (2 * Math.PI));
  return w === -Math.PI ? Math.PI : w;
}
