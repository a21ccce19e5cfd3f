/**
 * Checkpoints: the format round-trips and refuses flipped, truncated or foreign bytes with a reason; the
 * store writes through a temporary file (none left behind), keeps the newest K, and when the newest file is
 * corrupt (or belongs to another network, or continues other pretrained weights) loads the previous one and
 * reports which file and why; leftover
 * temporary files of an interrupted write are removed and reported; the periodic schedule fires after N
 * versions or T µs, only when the weights changed.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHECKPOINT_FORMAT, type CheckpointState, decodeCheckpoint, encodeCheckpoint, weightsSha256 } from '../../src/learning/checkpointFormat.js';
import { CheckpointSchedule } from '../../src/learning/checkpointSchedule.js';
import { CheckpointStore } from '../../src/learning/checkpointStore.js';

const EXPECT = { model: 'proximity-net', totalLength: 1000, trainableLength: 600 };

function state(k: number): CheckpointState {
  return {
    header: {
      format: CHECKPOINT_FORMAT,
      model: 'proximity-net',
      totalLength: 1000,
      trainableLength: 600,
      adamStep: 10 * k,
      updates: 100 * k,
      weightsVersion: 100 * k + 1,
      sequence: 0,
      writtenTUs: 5e6 * k,
      reason: 'periodic',
      origin: 'test',
    },
    weights: Float32Array.from({ length: 1000 }, (_, i) => k + i * 1e-3),
    adamM: Float32Array.from({ length: 600 }, (_, i) => -k - i * 1e-4),
    adamV: Float32Array.from({ length: 600 }, (_, i) => k * 1e-6 + i * 1e-8),
  };
}

describe('checkpoint format', () => {
  it('round-trips header, weights and moments', () => {
    const s = state(3);
    const d = decodeCheckpoint(encodeCheckpoint(s));
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.state.header).toEqual(s.header);
    expect(d.state.weights).toEqual(s.weights);
    expect(d.state.adamM).toEqual(s.adamM);
    expect(d.state.adamV).toEqual(s.adamV);
  });

  it('refuses a flipped bit, a truncated file and foreign bytes, saying why', () => {
    const bytes = encodeCheckpoint(state(1));
    const flipped = bytes.slice();
    flipped[bytes.length >> 1]! ^= 0x10;
    expect(decodeCheckpoint(flipped)).toMatchObject({ ok: false, reason: expect.stringContaining('checksum mismatch') });
    expect(decodeCheckpoint(bytes.subarray(0, bytes.length - 100))).toMatchObject({ ok: false, reason: expect.stringContaining('checksum') });
    expect(decodeCheckpoint(bytes.subarray(0, 10))).toMatchObject({ ok: false, reason: expect.stringContaining('truncated') });
    expect(decodeCheckpoint(new TextEncoder().encode('hello, this is not a checkpoint'))).toMatchObject({ ok: false, reason: expect.stringContaining('magic') });
  });

  it('refuses a checkpoint holding non-finite values even with a valid checksum', () => {
    const s = state(1);
    s.adamV[5] = NaN;
    expect(decodeCheckpoint(encodeCheckpoint(s))).toMatchObject({ ok: false, reason: expect.stringContaining('non-finite') });
  });
});

describe('checkpoint store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'evpilot-ckpt-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('numbers checkpoints, leaves no temporary file behind and keeps the newest K', async () => {
    const store = new CheckpointStore(dir, 3);
    const reports = [];
    for (let k = 1; k <= 5; k++) reports.push(await store.write(state(k)));
    expect(reports.map((r) => r.sequence)).toEqual([0, 1, 2, 3, 4]);
    expect(reports[3]!.pruned).toEqual(['ckpt-0000000000.evck']);
    const files = (await readdir(dir)).sort();
    expect(files).toEqual(['ckpt-0000000002.evck', 'ckpt-0000000003.evck', 'ckpt-0000000004.evck']);
    const d = decodeCheckpoint(await readFile(join(dir, files[2]!)));
    expect(d.ok && d.state.header.sequence).toBe(4);
    expect(d.ok && d.state.header.updates).toBe(500);
    // A new store on the same directory continues the numbering.
    expect((await new CheckpointStore(dir, 3).write(state(6))).sequence).toBe(5);
  });

  it('loads the newest valid checkpoint', async () => {
    const store = new CheckpointStore(dir, 3);
    await store.write(state(1));
    await store.write(state(2));
    const r = await store.loadLatest(EXPECT);
    expect(r.loaded?.file).toBe('ckpt-0000000001.evck');
    expect(r.loaded?.state.header.updates).toBe(200);
    expect(r.loaded?.state.weights).toEqual(state(2).weights);
    expect(r.rejected).toEqual([]);
  });

  it('falls back to the previous checkpoint when the newest is corrupt, and reports it', async () => {
    const store = new CheckpointStore(dir, 3);
    await store.write(state(1));
    const newest = await store.write(state(2));
    const path = join(dir, newest.file);
    const bytes = await readFile(path);
    bytes[bytes.length - 50]! ^= 0xff;
    await writeFile(path, bytes);
    const r = await store.loadLatest(EXPECT);
    expect(r.loaded?.file).toBe('ckpt-0000000000.evck');
    expect(r.loaded?.state.header.updates).toBe(100);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0]!.file).toBe(newest.file);
    expect(r.rejected[0]!.reason).toMatch(/checksum mismatch/);
  });

  it('rejects checkpoints of another network, and loads nothing when none fits', async () => {
    const store = new CheckpointStore(dir, 3);
    await store.write(state(1));
    const r = await store.loadLatest({ ...EXPECT, trainableLength: 700 });
    expect(r.loaded).toBeUndefined();
    expect(r.rejected[0]!.reason).toMatch(/does not fit: 600 trainable values/);
    const r2 = await store.loadLatest({ ...EXPECT, model: 'other-net' });
    expect(r2.rejected[0]!.reason).toMatch(/model proximity-net, expected other-net/);
  });

  it('resumes only a checkpoint that continues the same pretrained weights, and says why it refuses the others', async () => {
    const ours = weightsSha256(Float32Array.from([1, 2, 3]));
    const theirs = weightsSha256(Float32Array.from([1, 2, 4]));
    expect(ours).toMatch(/^[0-9a-f]{64}$/);
    expect(ours).toBe(createHash('sha256').update(Buffer.from(Float32Array.from([1, 2, 3]).buffer)).digest('hex'));
    const store = new CheckpointStore(dir, 5);
    const withSha = (k: number, sha?: string): CheckpointState => {
      const s = state(k);
      return { ...s, header: { ...s.header, ...(sha !== undefined ? { pretrainedSha256: sha } : {}) } };
    };
    const ourFile = (await store.write(withSha(1, ours))).file;
    const legacy = (await store.write(withSha(2))).file; // written before checkpoints recorded their weights
    const foreign = (await store.write(withSha(3, theirs))).file;
    const r = await store.loadLatest({ ...EXPECT, pretrainedSha256: ours });
    expect(r.loaded?.file).toBe(ourFile);
    expect(r.loaded?.state.header.pretrainedSha256).toBe(ours);
    expect(r.rejected.map((x) => x.file)).toEqual([foreign, legacy]);
    expect(r.rejected[0]!.reason).toContain(`continues other pretrained weights (sha256 ${theirs.slice(0, 12)}…, these are ${ours.slice(0, 12)}…)`);
    expect(r.rejected[1]!.reason).toMatch(/does not record which pretrained weights/);
    // A caller that does not say which weights it has takes the newest that fits the network, as before.
    expect((await store.loadLatest(EXPECT)).loaded?.file).toBe(foreign);
  });

  it('refuses a header whose pretrained-weights hash is not a SHA-256', () => {
    const s = state(1);
    const bad = encodeCheckpoint({ ...s, header: { ...s.header, pretrainedSha256: 'abc' } });
    expect(decodeCheckpoint(bad)).toMatchObject({ ok: false, reason: expect.stringContaining('bad header') });
  });

  it('removes and reports the temporary file of an interrupted write, and ignores it for loading', async () => {
    const store = new CheckpointStore(dir, 3);
    await store.write(state(1));
    // A crash after writing part of the next checkpoint's temporary file, before its rename.
    const partial = encodeCheckpoint(state(2)).subarray(0, 3000);
    await writeFile(join(dir, 'ckpt-0000000001.evck.tmp'), partial);
    const r = await store.loadLatest(EXPECT);
    expect(r.removedTemporary).toEqual(['ckpt-0000000001.evck.tmp']);
    expect(r.loaded?.file).toBe('ckpt-0000000000.evck');
    expect(await readdir(dir)).toEqual(['ckpt-0000000000.evck']);
  });

  it('an empty directory loads nothing and reports nothing', async () => {
    const r = await new CheckpointStore(join(dir, 'fresh'), 2).loadLatest(EXPECT);
    expect(r).toEqual({ loaded: undefined, rejected: [], removedTemporary: [] });
  });
});

describe('checkpoint schedule', () => {
  it('fires after N versions or T µs, only when the weights changed', () => {
    const s = new CheckpointSchedule({ everyUpdates: 10, everyUs: 1_000_000 }, 5, 0);
    expect(s.due(5, 5_000_000)).toBe(false); // unchanged: never
    expect(s.due(14, 999_999)).toBe(false);
    expect(s.due(15, 10)).toBe(true); // 10 versions
    expect(s.due(6, 1_000_000)).toBe(true); // 1 s
    s.written(15, 1_000_000);
    expect(s.dirty(15)).toBe(false);
    expect(s.dirty(16)).toBe(true);
    expect(s.due(16, 1_500_000)).toBe(false);
  });
});
