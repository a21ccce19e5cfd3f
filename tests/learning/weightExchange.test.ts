/**
 * Versioned weight exchange: the reader adopts only newer versions, always the newest complete set; the
 * writer never writes the slot a reader holds (checked deterministically by publishing from inside the
 * reader's callback); and across two threads — a worker publishing 2 000 versions as fast as it can while
 * the main thread adopts and checks every value — no read is torn. The checker itself is shown to catch a
 * torn set.
 */
import { describe, expect, it } from 'vitest';
import { WeightExchange } from '../../src/learning/weightExchange.js';
import { startTypeScriptWorker } from '../../src/platform/typescriptWorker.js';
import { fillWeightPattern, weightPatternMismatches } from './weightPattern.js';

const LENGTH = 61_073; // the proximity network's parameter count

describe('weight exchange', () => {
  it('adopts nothing before the first publication, then only newer versions, the newest first', () => {
    const ex = WeightExchange.create(LENGTH);
    const reader = ex.reader();
    const seen: number[] = [];
    const adopt = (v: number, w: Float32Array) => {
      seen.push(v);
      expect(weightPatternMismatches(w, v)).toBe(0);
    };
    expect(reader.tryAdopt(adopt)).toBeUndefined();
    const w = new Float32Array(LENGTH);
    fillWeightPattern(w, 1);
    expect(ex.publish(1, w)).toBe(true);
    expect(reader.tryAdopt(adopt)).toBe(1);
    expect(reader.tryAdopt(adopt)).toBeUndefined(); // nothing new
    for (const v of [2, 3, 4]) {
      fillWeightPattern(w, v);
      ex.publish(v, w);
    }
    expect(reader.tryAdopt(adopt)).toBe(4); // straight to the newest
    expect(seen).toEqual([1, 4]);
    expect(reader.adoptedVersion).toBe(4);
    expect(ex.publishedVersion()).toBe(4);
    expect(ex.publications()).toBe(4);
  });

  it('the writer never overwrites the set a reader is copying', () => {
    const ex = WeightExchange.create(LENGTH);
    const w = new Float32Array(LENGTH);
    fillWeightPattern(w, 1);
    ex.publish(1, w);
    let inside = -1;
    ex.reader().tryAdopt((v, view) => {
      // Five publications while the reader holds version 1's slot: the writer must use the other two.
      for (let k = 2; k <= 6; k++) {
        fillWeightPattern(w, k);
        expect(ex.publish(k, w)).toBe(true);
      }
      inside = weightPatternMismatches(view, v);
    });
    expect(inside).toBe(0);
    expect(ex.publishedVersion()).toBe(6);
  });

  it('the torn-read checker detects a set mixing two versions', () => {
    const w = new Float32Array(LENGTH);
    fillWeightPattern(w, 7);
    const half = new Float32Array(LENGTH);
    fillWeightPattern(half, 8);
    w.set(half.subarray(LENGTH / 2), Math.floor(LENGTH / 2));
    expect(weightPatternMismatches(w, 7)).toBeGreaterThan(0);
  });

  it('rejects weights of the wrong length and versions outside Int32', () => {
    const ex = WeightExchange.create(10);
    expect(() => ex.publish(1, new Float32Array(9))).toThrow(RangeError);
    expect(() => ex.publish(-1, new Float32Array(10))).toThrow(RangeError);
    expect(() => ex.publish(2 ** 31, new Float32Array(10))).toThrow(RangeError);
  });

  it('no torn reads with a writer thread publishing while the main thread adopts', async () => {
    const count = 2000;
    const ex = WeightExchange.create(LENGTH);
    const worker = startTypeScriptWorker(new URL('./workers/weightWriter.ts', import.meta.url), { workerData: { buffer: ex.buffer, count } });
    const done = new Promise<{ refused: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    let result: { refused: number } | undefined;
    void done.then((r) => (result = r));
    const reader = ex.reader();
    const adopted: number[] = [];
    let torn = 0;
    while (reader.adoptedVersion < count) {
      // Checked in place, inside the callback: the slot is held for the whole check (~0.1 ms, several
      // publications long), so a writer that ignored the hold would tear it.
      const v = reader.tryAdopt((version, w) => {
        if (weightPatternMismatches(w, version) > 0) torn++;
      });
      if (v !== undefined) adopted.push(v);
      else if (result !== undefined && ex.publishedVersion() === reader.adoptedVersion) break;
      else await new Promise((r) => setImmediate(r)); // let the worker's messages in
    }
    await done;
    await worker.terminate();
    expect(torn).toBe(0);
    expect(result!.refused).toBe(0);
    expect(adopted.at(-1)).toBe(count);
    expect(adopted.every((v, k) => k === 0 || v > adopted[k - 1]!)).toBe(true);
    expect(adopted.length).toBeGreaterThan(10); // the reader really ran while the writer published
  });
});
