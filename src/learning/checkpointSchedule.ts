/**
 * When the learner writes a periodic checkpoint: after `everyUpdates` new weight versions or `everyUs` of
 * clock time since the last one, whichever comes first, and only when the weights changed since. Counted in
 * weight versions (one per applied update, rollback or reset), so a rollback or a reset is saved too.
 * Pure; time from the caller's Clock.
 */
export interface CheckpointScheduleOptions {
  /** Weight versions (≈ updates) between checkpoints; default 500 (about 10 s of learning at 50 updates/s). */
  readonly everyUpdates: number;
  /** Clock time between checkpoints, µs; default 30 s (bounds what a crash loses when learning is slow). */
  readonly everyUs: number;
}

export const DEFAULT_CHECKPOINT_SCHEDULE: CheckpointScheduleOptions = { everyUpdates: 500, everyUs: 30_000_000 };

export class CheckpointSchedule {
  private lastVersion: number;
  private lastTUs: number;

  constructor(
    readonly options: CheckpointScheduleOptions,
    startVersion: number,
    startTUs: number,
  ) {
    if (!(options.everyUpdates >= 1) || !(options.everyUs > 0)) throw new RangeError('checkpoint schedule: everyUpdates ≥ 1 and everyUs > 0 required');
    this.lastVersion = startVersion;
    this.lastTUs = startTUs;
  }

  /** True when a periodic checkpoint is due for weights `version` at `nowUs`. */
  due(version: number, nowUs: number): boolean {
    if (version === this.lastVersion) return false;
    return version - this.lastVersion >= this.options.everyUpdates || nowUs - this.lastTUs >= this.options.everyUs;
  }

  /** True when the weights changed since the last checkpoint (what `close` checks). */
  dirty(version: number): boolean {
    return version !== this.lastVersion;
  }

  /** Records a checkpoint of weights `version` written at `nowUs`. */
  written(version: number, nowUs: number): void {
    this.lastVersion = version;
    this.lastTUs = nowUs;
  }
}
