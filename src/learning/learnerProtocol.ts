/**
 * Messages between the learner host (main thread) and the learner worker. Structured-cloneable plain data;
 * the shared buffers (sample queue, weight exchange) travel once, in `ready`.
 */
import type { SensorGeometry } from '../contracts/sensorGeometry.js';
import type { LearnerConfig } from './learnerConfig.js';
import type { LearnerQueueShared } from './learnerQueue.js';
import type { RejectedCheckpoint } from './checkpointStore.js';
import type { TrainerStatus } from './trainer.js';
import type { RollbackReason } from './learnerGuards.js';

/** workerData of the learner worker. */
export interface LearnerWorkerData {
  readonly config: LearnerConfig;
  /** performance.timeOrigin of the host thread (ms), so the worker's clock reads the host's realClock time. */
  readonly hostTimeOriginMs: number;
  /** The control path's inference beat (inferenceBeat.ts), which the worker follows when `config.yieldToInference`. */
  readonly inferenceBeat: SharedArrayBuffer;
}

export type LearnerCommand = 'status' | 'clear-figures' | 'pause' | 'resume' | 'reset-weights' | 'checkpoint' | 'close';

export interface CommandMessage {
  readonly type: 'command';
  readonly id: number;
  readonly command: LearnerCommand;
}

/** What start-up found in the checkpoint directory. */
export interface ResumeReport {
  /** Checkpoint file resumed from; undefined: started from the pretrained weights. */
  readonly file: string | undefined;
  /** Updates and weights version restored (0 and the pretrained version without a checkpoint). */
  readonly updates: number;
  readonly weightsVersion: number;
  readonly adamStep: number;
  /** Newer checkpoints that were unusable (corrupt, truncated, another network), newest first, with why. */
  readonly rejected: readonly RejectedCheckpoint[];
  readonly removedTemporary: readonly string[];
}

export interface ReadyMessage {
  readonly type: 'ready';
  readonly queue: LearnerQueueShared;
  readonly exchange: SharedArrayBuffer;
  /** Version published at start (pretrained or resumed). */
  readonly version: number;
  readonly windowsPerUpdate: number;
  readonly network: SensorGeometry;
  readonly resume: ResumeReport;
}

export interface WorkerCheckpointStatus {
  readonly written: number;
  readonly failed: number;
  readonly lastFile: string | null;
  readonly lastError: string | null;
}

/** The worker's part of the learner status. */
export interface WorkerStatus {
  readonly paused: boolean;
  readonly trainer: TrainerStatus;
  readonly checkpoints: WorkerCheckpointStatus;
  /** Updates that threw (session errors); the window is dropped and learning goes on. */
  readonly updateErrors: number;
  readonly lastUpdateError: string | null;
  /** Samples discarded from the queue when learning was paused (stale by the time it resumes). */
  readonly discardedOnPause: number;
  /** Nice value of the learner thread (null: not set), and why it could not be set. */
  readonly threadNice: number | null;
  readonly threadNiceError: string | null;
  /** The learner thread runs under SCHED_IDLE, and why not when it was asked for but failed. */
  readonly schedIdle: boolean;
  readonly schedIdleError: string | null;
  /** Worker clock, µs (host realClock time). */
  readonly nowUs: number;
}

export interface ReplyMessage {
  readonly type: 'reply';
  readonly id: number;
  readonly ok: boolean;
  /** status → WorkerStatus; reset-weights → the new version; checkpoint → file name or null; close → CloseReport. */
  readonly value?: unknown;
  readonly error?: string;
}

/** Noteworthy things the worker reports as they happen. */
export type LearnerEvent =
  | { readonly kind: 'rollback'; readonly reason: RollbackReason; readonly version: number; readonly atUpdate: number }
  | { readonly kind: 'checkpoint-written'; readonly file: string; readonly bytes: number; readonly reason: string }
  | { readonly kind: 'checkpoint-failed'; readonly error: string }
  | { readonly kind: 'update-error'; readonly error: string; readonly count: number };

export interface EventMessage {
  readonly type: 'event';
  readonly event: LearnerEvent;
}

export interface FatalMessage {
  readonly type: 'fatal';
  readonly error: string;
}

export type WorkerToHost = ReadyMessage | ReplyMessage | EventMessage | FatalMessage;

/** What `close` reports. */
export interface CloseReport {
  /** The checkpoint holding the final state: written on exit, or the newest one when nothing changed since
   *  (or the one resumed from); null without a checkpoint directory, or when writing failed. */
  readonly checkpointFile: string | null;
  /** True when a checkpoint was written on exit (false: nothing had changed since the newest one). */
  readonly checkpointWritten: boolean;
  readonly checkpointError: string | null;
  readonly updates: number;
  readonly version: number;
}
