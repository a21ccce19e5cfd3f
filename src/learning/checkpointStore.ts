/**
 * Learner checkpoints on disk: one file per checkpoint (`ckpt-<sequence>.evck`, format in
 * checkpointFormat.ts) in a directory, the newest `keep` kept.
 *
 * Atomic write: the bytes go to a temporary file in the same directory, which is fsync'ed, renamed over the
 * final name (rename is atomic within a file system) and the directory fsync'ed, so after a crash or power
 * loss a checkpoint file is either complete or absent; a torn temporary file is never taken for one.
 *
 * Loading: the newest file whose checksum, header and sizes verify and which fits the network (model name,
 * weights length, trainable length) and continues the same pretrained weights (their SHA-256, when the caller
 * gives it: the runtime's input follows those weights' manifest) wins; every newer file that did not is
 * reported with the reason, and left on disk for inspection (pruning removes it once `keep` newer checkpoints
 * exist). Leftover temporary files from an interrupted write are removed and reported.
 *
 * Threading: async file I/O; one store per directory, used from one thread (the learner worker).
 */
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type CheckpointState, decodeCheckpoint, encodeCheckpoint } from './checkpointFormat.js';

const NAME = /^ckpt-(\d{10})\.evck$/;
const TMP = /^ckpt-\d{10}\.evck\.tmp$/;

/** What a checkpoint must match to be resumed from. */
export interface CheckpointExpectation {
  readonly model: string;
  readonly totalLength: number;
  readonly trainableLength: number;
  /** When given, the checkpoint must record these pretrained weights (CheckpointHeader.pretrainedSha256). */
  readonly pretrainedSha256?: string;
}

export interface RejectedCheckpoint {
  readonly file: string;
  readonly reason: string;
}

export interface LoadReport {
  /** The checkpoint resumed from, if any verified. */
  readonly loaded: { readonly file: string; readonly state: CheckpointState } | undefined;
  /** Newer files that were unusable, newest first, with why. */
  readonly rejected: readonly RejectedCheckpoint[];
  /** Temporary files of interrupted writes that were removed. */
  readonly removedTemporary: readonly string[];
}

export interface WriteReport {
  readonly file: string;
  readonly bytes: number;
  readonly sequence: number;
  /** Older checkpoints deleted to keep `keep`. */
  readonly pruned: readonly string[];
}

export class CheckpointStore {
  private nextSequence = -1;

  /** `keep`: checkpoints kept (default 3, ≥ 1). */
  constructor(
    readonly dir: string,
    readonly keep = 3,
  ) {
    if (!(Number.isInteger(keep) && keep >= 1)) throw new RangeError(`checkpoint keep must be an integer ≥ 1, got ${keep}`);
  }

  /** Checkpoint file names, oldest first. */
  async list(): Promise<string[]> {
    await mkdir(this.dir, { recursive: true });
    return (await readdir(this.dir)).filter((f) => NAME.test(f)).sort();
  }

  /** The sequence number the next write will use (one past the newest file; 0 in an empty directory). */
  async peekSequence(): Promise<number> {
    if (this.nextSequence < 0) {
      const files = await this.list();
      const last = files.at(-1);
      this.nextSequence = last === undefined ? 0 : Number(NAME.exec(last)![1]) + 1;
    }
    return this.nextSequence;
  }

  /**
   * Writes `state` atomically as the next checkpoint (its header's `sequence` is set to the file's) and
   * prunes to `keep`. Throws on I/O errors (disk full …): the caller reports them and keeps learning.
   */
  async write(state: CheckpointState): Promise<WriteReport> {
    const sequence = await this.peekSequence();
    const file = `ckpt-${String(sequence).padStart(10, '0')}.evck`;
    const bytes = encodeCheckpoint({ ...state, header: { ...state.header, sequence } });
    const tmp = join(this.dir, `${file}.tmp`);
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(this.dir, file));
    await this.syncDir();
    this.nextSequence = sequence + 1;
    const pruned: string[] = [];
    const files = await this.list();
    for (const old of files.slice(0, Math.max(0, files.length - this.keep))) {
      await rm(join(this.dir, old), { force: true });
      pruned.push(old);
    }
    return { file, bytes: bytes.length, sequence, pruned };
  }

  /** The newest usable checkpoint, and what was wrong with any newer ones. Never throws for bad files. */
  async loadLatest(expect: CheckpointExpectation): Promise<LoadReport> {
    await mkdir(this.dir, { recursive: true });
    const removedTemporary: string[] = [];
    for (const f of await readdir(this.dir)) {
      if (!TMP.test(f)) continue;
      await rm(join(this.dir, f), { force: true });
      removedTemporary.push(f);
    }
    const rejected: RejectedCheckpoint[] = [];
    for (const file of (await this.list()).reverse()) {
      let bytes: Uint8Array;
      try {
        bytes = await readFile(join(this.dir, file));
      } catch (err) {
        rejected.push({ file, reason: `unreadable: ${err instanceof Error ? err.message : String(err)}` });
        continue;
      }
      const decoded = decodeCheckpoint(bytes);
      if (!decoded.ok) {
        rejected.push({ file, reason: decoded.reason });
        continue;
      }
      const h = decoded.state.header;
      const mismatch =
        h.model !== expect.model
          ? `model ${h.model}, expected ${expect.model}`
          : h.totalLength !== expect.totalLength
            ? `${h.totalLength} weights, the network has ${expect.totalLength}`
            : h.trainableLength !== expect.trainableLength
              ? `${h.trainableLength} trainable values, the training graph has ${expect.trainableLength}`
              : pretrainedMismatch(h.pretrainedSha256, expect.pretrainedSha256);
      if (mismatch !== undefined) {
        rejected.push({ file, reason: `does not fit: ${mismatch}` });
        continue;
      }
      return { loaded: { file, state: decoded.state }, rejected, removedTemporary };
    }
    return { loaded: undefined, rejected, removedTemporary };
  }

  /** fsync the directory so the rename itself is durable (Linux; a no-op failure elsewhere is ignored). */
  private async syncDir(): Promise<void> {
    try {
      const dh = await open(this.dir, 'r');
      try {
        await dh.sync();
      } finally {
        await dh.close();
      }
    } catch {
      // Some platforms cannot fsync a directory; the file itself is already durable.
    }
  }
}

/** Why a checkpoint does not continue the expected pretrained weights, or undefined when it does (or none is expected). */
function pretrainedMismatch(recorded: string | undefined, expected: string | undefined): string | undefined {
  if (expected === undefined || recorded === expected) return undefined;
  if (recorded === undefined) return 'it does not record which pretrained weights it continues (written before round 8), so it may not read this input';
  return `it continues other pretrained weights (sha256 ${recorded.slice(0, 12)}…, these are ${expected.slice(0, 12)}…)`;
}
