/**
 * The learner end to end: a real worker thread (started through the TypeScript bootstrap) with its own
 * onnxruntime sessions, fed synthetic-scene windows through LearnerHost.enqueue with a vehicle state whose
 * rates and velocity give the scene's camera motion, while the main thread runs the real inference stage
 * (ProximityNet) and adopts weights between windows:
 * - weight versions advance and inference runs with them (the ν map carries the adopted version, and
 *   differs from the pretrained one);
 * - windows without (or with stale) body rates, or with a wrong-size input, are refused, not thrown;
 * - pause refuses windows and stops updates; resume continues; reset publishes the pretrained weights;
 * - close leaves a checkpoint of the final state (writing one when the weights changed since the last);
 *   a new learner resumes from it (updates, version); with the newest checkpoint corrupted, the next start
 *   reports it and resumes from the previous one;
 * - by default the learner thread runs under SCHED_IDLE at nice ≥ 10 (Linux);
 * - a start with missing artifacts fails with the reason.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '../../src/learning/checkpointFormat.js';
import { type LearnerHostEvent, LearnerHost } from '../../src/learning/learnerHost.js';
import type { LearnerConfigInput } from '../../src/learning/learnerConfig.js';
import { loadProximityNet } from '../../src/perception/loadProximityNet.js';
import type { ProximityNet } from '../../src/perception/proximityNet.js';
import { realClock } from '../../src/platform/time.js';
import { readWeightsFile } from '../../src/platform/weightsFile.js';
import { patternWindow, sceneWindows, vehicleAt } from './learnerFixtures.js';

const scene = sceneWindows({ count: 8, windowUs: 5_000, events: 4000, seed: 11 });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;
let config: LearnerConfigInput;
let net: ProximityNet;
let pretrained: Float32Array;
const events: LearnerHostEvent[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evpilot-learner-'));
  config = {
    sensor: scene.sensor,
    intrinsics: scene.intrinsics,
    checkpointDir: dir,
    checkpointEveryUpdates: 5,
    trainer: { learningRate: 1e-3, minEventsPerWindow: 100 },
    // Not SCHED_IDLE here: with other test files saturating the cores the learner would wait for idle time
    // (by design) and these tests would only measure the machine's load. The default is checked below.
    threadSchedIdle: false,
  };
  net = await loadProximityNet();
  pretrained = (await readWeightsFile('models/proximity-net.init')).data;
});

afterAll(async () => {
  await net.release();
  await rm(dir, { recursive: true, force: true });
});

/**
 * Feeds windows at about 200 Hz (5 ms sleeps), running inference after adopting weights, until `done()`
 * (checked every 10 windows) holds or `maxWindows` windows went by. Returns the number of windows fed.
 */
async function fly(host: LearnerHost, done: () => Promise<boolean> | boolean, maxWindows = 4000): Promise<number> {
  let k = 0;
  for (; k < maxWindows; k++) {
    if (k % 10 === 0 && (await done())) break;
    const w = scene.windows[k % scene.windows.length]!.window;
    host.enqueue(w, vehicleAt(realClock.nowUs()));
    host.tryAdopt((v, weights) => net.setWeights(v, weights));
    await net.infer(w.input, w.tEndUs);
    await sleep(5);
  }
  return k;
}

const updatesOf = async (host: LearnerHost) => (await host.status()).worker?.trainer.updates ?? -1;

describe('learner worker end to end', () => {
  let host: LearnerHost;
  let closeReport: Awaited<ReturnType<LearnerHost['close']>>;

  it('trains in the worker; inference adopts the new versions between windows', async () => {
    host = await LearnerHost.start(config, { onEvent: (e) => events.push(e) });
    expect(host.resumeReport.file).toBeUndefined();
    expect(host.windowsPerUpdate).toBe(1);
    const w0 = scene.windows[0]!.window;
    const initialNu = Float32Array.from((await net.infer(w0.input, 0)).invTtcPerS);
    let adopted = -1;
    const flown = await fly(host, () => {
      adopted = host.tryAdopt((v, w) => net.setWeights(v, w)) ?? adopted;
      return adopted >= 10;
    });
    expect(adopted).toBeGreaterThanOrEqual(10);
    const map = await net.infer(w0.input, 0);
    expect(map.weightsVersion).toBe(adopted);
    let changed = 0;
    for (let i = 0; i < initialNu.length; i++) changed = Math.max(changed, Math.abs(map.invTtcPerS[i]! - initialNu[i]!));
    expect(changed).toBeGreaterThan(1e-3);
    const st = await host.status();
    expect(st.state).toBe('running');
    expect(st.worker!.trainer.updates).toBeGreaterThanOrEqual(10);
    expect(st.queue.pushed).toBe(st.host.enqueued);
    expect(st.host.enqueued).toBe(flown);
    expect(st.queue.popped + st.queue.dropped + st.queue.ready).toBeLessThanOrEqual(st.queue.pushed);
    expect(st.worker!.updateErrors).toBe(0);
    expect(st.worker!.trainer.timings.trainStep.samples).toBeGreaterThan(0);
    // A periodic checkpoint (every 5 versions) is written in the background, reported by an event.
    while ((await host.status()).worker!.checkpoints.written < 1) await sleep(10);
    expect(events.some((e) => e.kind === 'checkpoint-written')).toBe(true);
  });

  it('refuses windows without body rates, with stale ones, or with a wrong-size input — without throwing', async () => {
    const w = scene.windows[0]!.window;
    expect(host.enqueue(w, null)).toBe('no-rates');
    expect(host.enqueue(w, vehicleAt(realClock.nowUs(), 1_000_000))).toBe('stale-rates');
    const bad = { ...w, input: { ...w.input, data: new Float32Array(10) } };
    expect(host.enqueue(bad, vehicleAt(realClock.nowUs()))).toBe('bad-window');
    const st = await host.status();
    expect(st.host).toMatchObject({ refusedNoRates: 1, refusedStaleRates: 1, refusedBadWindow: 1 });
  });

  it('pause refuses windows and stops updates; resume continues', async () => {
    await host.pause();
    expect(host.enqueue(scene.windows[0]!.window, vehicleAt(realClock.nowUs()))).toBe('paused');
    const a = (await host.status()).worker!.trainer.updates;
    await sleep(200);
    const paused = await host.status();
    expect(paused.state).toBe('paused');
    expect(paused.worker!.trainer.updates).toBe(a);
    await host.resume();
    await fly(host, async () => (await updatesOf(host)) > a + 2);
    expect(await updatesOf(host)).toBeGreaterThan(a + 2);
  });

  it('reset publishes the pretrained weights under a new version', async () => {
    const before = host.tryAdopt((v, w) => net.setWeights(v, w)) ?? -1;
    const v = await host.resetWeights();
    expect(v).toBeGreaterThan(before);
    let got: Float32Array | undefined;
    let gotVersion = -1;
    // Training goes on after the reset; the reset's version is adopted unless a newer one already replaced it.
    const adopted = host.tryAdopt((version, w) => {
      gotVersion = version;
      got = Float32Array.from(w);
    });
    expect(adopted).toBeGreaterThanOrEqual(v);
    if (gotVersion === v) expect(got).toEqual(pretrained);
    expect((await host.status()).worker!.trainer.resets).toBe(1);
  });

  it('close leaves a checkpoint of the final state; a new learner resumes from it', async () => {
    await fly(host, () => false, 30);
    closeReport = await host.close();
    expect(closeReport.checkpointFile).not.toBeNull();
    expect(closeReport.checkpointError).toBeNull();
    expect(await readdir(dir)).toContain(closeReport.checkpointFile);
    expect(host.enqueue(scene.windows[0]!.window, vehicleAt(realClock.nowUs()))).toBe('closed');
    expect((await host.status()).state).toBe('closed');

    const again = await LearnerHost.start(config);
    expect(again.resumeReport).toMatchObject({ file: closeReport.checkpointFile, updates: closeReport.updates, weightsVersion: closeReport.version, rejected: [] });
    expect(again.tryAdopt(() => {})).toBe(closeReport.version);
    const r = await again.close();
    expect(r).toMatchObject({ checkpointWritten: false, checkpointFile: closeReport.checkpointFile }); // nothing changed
  });

  it('reports a corrupt newest checkpoint and resumes from the previous one', async () => {
    const files = (await readdir(dir)).filter((f) => f.endsWith('.evck')).sort();
    expect(files.length).toBeGreaterThanOrEqual(2);
    const newest = files.at(-1)!;
    const previous = files.at(-2)!;
    const bytes = await readFile(join(dir, newest));
    bytes[200]! ^= 0x40;
    await writeFile(join(dir, newest), bytes);
    const prevState = decodeCheckpoint(await readFile(join(dir, previous)));
    if (!prevState.ok) throw new Error(prevState.reason);

    const third = await LearnerHost.start(config);
    expect(third.resumeReport.file).toBe(previous);
    expect(third.resumeReport.rejected).toHaveLength(1);
    expect(third.resumeReport.rejected[0]!.file).toBe(newest);
    expect(third.resumeReport.rejected[0]!.reason).toMatch(/checksum mismatch/);
    expect(third.resumeReport.updates).toBe(prevState.state.header.updates);
    expect(third.resumeReport.adamStep).toBe(prevState.state.header.adamStep);
    await third.close();
  });

  it('close writes a checkpoint when the weights changed since the last one', async () => {
    const own = join(dir, 'on-exit');
    const h = await LearnerHost.start({ ...config, checkpointDir: own, checkpointEveryUpdates: 1_000_000 });
    await fly(h, async () => (await updatesOf(h)) >= 2);
    const r = await h.close();
    expect(r.checkpointWritten).toBe(true);
    expect(r.checkpointFile).toBe('ckpt-0000000000.evck');
    const d = decodeCheckpoint(await readFile(join(own, r.checkpointFile!)));
    if (!d.ok) throw new Error(d.reason);
    expect(d.state.header).toMatchObject({ reason: 'close', updates: r.updates, weightsVersion: r.version });
    expect(r.updates).toBeGreaterThanOrEqual(2);
  });

  it('by default runs the learner thread below the control path (SCHED_IDLE, nice ≥ 10) on Linux', async () => {
    const h = await LearnerHost.start({ sensor: scene.sensor, intrinsics: scene.intrinsics });
    const w = (await h.status()).worker!;
    await h.close();
    if (process.platform !== 'linux') {
      expect(w.schedIdle).toBe(false);
      return;
    }
    expect(w.threadNice).toBeGreaterThanOrEqual(10);
    if (spawnSync('chrt', ['--version']).status === 0) expect(w).toMatchObject({ schedIdle: true, schedIdleError: null });
    else expect(w.schedIdleError).toContain('chrt');
  });

  it('fails to start with the reason when the artifacts are missing', async () => {
    await expect(LearnerHost.start({ ...config, modelDir: join(dir, 'nowhere'), checkpointDir: null })).rejects.toThrow(/failed to start: .*nowhere/);
  });

  it("trains on a window whose events partly lie outside the learner's sensor without an error", async () => {
    const h = await LearnerHost.start({ ...config, checkpointDir: null, trainer: { minEventsPerWindow: 1 } });
    // Same input size; events up to 640 × 480 on a 320 × 240 learner: the loss skips and counts the outside ones.
    expect(h.enqueue(patternWindow(1, 500), vehicleAt(realClock.nowUs()))).toBe('queued');
    // Until the window's update has finished one way or another.
    const finished = (w: NonNullable<Awaited<ReturnType<LearnerHost['status']>>['worker']>) =>
      w.trainer.updates + w.trainer.guards.skippedNonFiniteLoss + w.trainer.guards.skippedNonFiniteGradient + w.updateErrors > 0;
    while (!finished((await h.status()).worker!)) await sleep(10);
    const st = await h.status();
    expect(st.worker!.updateErrors).toBe(0);
    expect(st.worker!.trainer.updates).toBe(1);
    await h.close();
  });
});
