/**
 * Which weights a flight uses, and how the report tells them apart: weights retrained the same way carry the
 * same version and origin, so the choice carries the SHA-256 of the weights file as well.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseWeights } from '../../src/app/weightsChoice.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function modelDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'evpilot-weights-'));
  dirs.push(d);
  return d;
}

/** Writes `<dir>/<name>.weights` (+ manifest) holding `values`; all files share version 7 and one origin. */
function writeWeights(dir: string, name: string, values: number[]): void {
  const manifest = {
    format: 'evpilot.weights/1',
    model: 'proximity-net',
    version: 7,
    dtype: 'float32',
    totalLength: values.length,
    tensors: [{ name: 'w', shape: [values.length], offset: 0, length: values.length }],
    origin: 'pretrained (test): seed 1',
  };
  writeFileSync(join(dir, `${name}.weights.json`), JSON.stringify(manifest));
  writeFileSync(join(dir, `${name}.weights`), new Uint8Array(Float32Array.from(values).buffer));
}

const fileSha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('chooseWeights', () => {
  it('tells apart weights of the same version and origin by the SHA-256 of their file', async () => {
    const dir = modelDir();
    writeWeights(dir, 'proximity-net.a', [1, 2, 3]);
    writeWeights(dir, 'proximity-net.b', [1, 2, 4]);
    const a = await chooseWeights(dir, 'proximity-net.a');
    const b = await chooseWeights(dir, 'proximity-net.b.weights');
    expect([a.version, a.origin]).toEqual([b.version, b.origin]);
    expect(a.sha256).toBe(fileSha256(join(dir, 'proximity-net.a.weights')));
    expect(b.sha256).toBe(fileSha256(join(dir, 'proximity-net.b.weights')));
    expect(a.sha256).not.toBe(b.sha256);
    expect([a.name, a.kind, b.name, b.kind]).toEqual(['proximity-net.a', 'given', 'proximity-net.b', 'given']);
  });

  it('without a name: weights named "pretrain…" first, then the newest; the seeded init only when nothing else', async () => {
    const dir = modelDir();
    writeWeights(dir, 'proximity-net.init', [0, 0]);
    expect(await chooseWeights(dir)).toMatchObject({ name: 'proximity-net.init', kind: 'init' });
    writeWeights(dir, 'proximity-net.older', [1, 1]);
    writeWeights(dir, 'proximity-net.newer', [2, 2]);
    utimesSync(join(dir, 'proximity-net.older.weights'), new Date(1_000_000), new Date(1_000_000));
    expect(await chooseWeights(dir)).toMatchObject({ name: 'proximity-net.newer', kind: 'pretrained' });
    writeWeights(dir, 'proximity-net.pretrained', [3, 3]);
    utimesSync(join(dir, 'proximity-net.pretrained.weights'), new Date(1_000), new Date(1_000));
    expect(await chooseWeights(dir)).toMatchObject({ name: 'proximity-net.pretrained', kind: 'pretrained' });
  });

  it('fails naming the file when the weights do not match their manifest', async () => {
    const dir = modelDir();
    writeWeights(dir, 'proximity-net.cut', [1, 2, 3]);
    writeFileSync(join(dir, 'proximity-net.cut.weights'), new Uint8Array(8));
    await expect(chooseWeights(dir, 'proximity-net.cut')).rejects.toThrow(/proximity-net\.cut\.weights: 8 bytes, the manifest needs 12/);
  });
});
