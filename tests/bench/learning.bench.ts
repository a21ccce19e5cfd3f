/**
 * In-flight learning while inference holds 200 Hz, on this machine.
 *
 * The main thread runs the control path's perception part at 200 Hz on realistic windows (640×480 sensor,
 * 5 ms windows of a synthetic scene, ~4 k learner events each, network input 2×120×160): every 5 ms it
 * queues the window for the learner (LearnerHost.enqueue: a copy into shared memory), adopts the newest
 * weights if any (tryAdopt → ProximityNet.setWeights) and runs inference (ProximityNet.infer), one
 * onnxruntime intra-op thread. Meanwhile the learner worker trains at full speed on what arrives: forward,
 * contrast-maximisation loss and dL/dν, training step (forward + backprop through every layer + clipping +
 * Adam, in onnxruntime), guards, weight publication; periodic checkpoints to a temporary directory.
 *
 * Pacing: tick k is due at t0 + k·5 ms (absolute deadlines, so the rate cannot drift); the loop sleeps
 * with setTimeout until the next deadline. A tick that ends after the next deadline is a missed deadline;
 * when the loop falls a whole period behind, the ticks it cannot run are skipped (counted) — as a runtime
 * would drop windows rather than queue latency.
 *
 * Phases in the same run: (1) inference alone at 200 Hz (the baseline), (2) learner started and warmed up
 * (figures discarded), (3) inference at 200 Hz with the learner training: the measured phase.
 *
 * Figures: inference ms (median, p99), tick ms (enqueue + adopt + inference), tick start lateness,
 * achieved rate, missed and skipped deadlines, enqueue µs, adoption ms; learner updates/s and per-phase
 * ms (median, p99: forward, loss, training step = backward + optimiser fused in one graph, guards,
 * publication, whole update, sample age from enqueue to training); queue drops; load average.
 * Target (DESIGN.md): ≥ 20 updates/s with inference holding 200 Hz.
 *
 * The learner thread runs as configured by default (SCHED_IDLE, nice 10). For comparisons:
 * EVPILOT_BENCH_LEARNER_SCHED_IDLE=0 (nice only), EVPILOT_BENCH_LEARNER_NICE=0|…|19|null,
 * EVPILOT_BENCH_LEARNER_MAX_UPDATES=<updates/s>.
 *
 * Run alone: node --import tsx tests/bench/learning.bench.ts [--json] [--quick]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { EventWindow } from '../../src/contracts/eventWindow.js';
import type { VehicleState } from '../../src/contracts/vehicleState.js';
import { LearnerHost } from '../../src/learning/learnerHost.js';
import { loadProximityNet } from '../../src/perception/loadProximityNet.js';
import type { ProximityNet } from '../../src/perception/proximityNet.js';
import { realClock } from '../../src/platform/time.js';
import { sceneWindows } from '../learning/learnerFixtures.js';
import { round, runStandalone, summarize } from './stats.js';

const PERIOD_MS = 5;
const SENSOR = { widthPx: 640, heightPx: 480 };
const INTRINSICS = { fxPx: 320, fyPx: 320, cxPx: 319.5, cyPx: 239.5 };

/** FC state for the scene's camera motion (see tests/learning/learnerWorker.test.ts for the frames). */
function vehicleAt(tUs: number): VehicleState {
  return {
    tUs,
    armed: true,
    mode: 'offboard',
    modeName: 'PX4:OFFBOARD',
    inControl: true,
    attitude: { rollRad: 0, pitchRad: 0, yawRad: 0 },
    attitudeTUs: tUs,
    bodyRatesRadS: { rollRadS: 0.3, pitchRadS: 0.2, yawRadS: -0.4 },
    velNedMS: { northMS: 3, eastMS: 0.3, downMS: -0.1 },
    velTUs: tUs,
    batteryV: 16,
    link: { connected: true, lastFcHeartbeatTUs: tUs, framesIn: 0, framesOut: 0, framesDropped: 0, bytesSkipped: 0, crcErrors: 0, reconnects: 0 },
  };
}

const ms = (v: number) => round(v, 3);
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

interface PacedFigures {
  ticks: number;
  skipped: number;
  missed: number;
  seconds: number;
  inferMs: number[];
  tickMs: number[];
  latenessMs: number[];
  enqueueUs: number[];
  adoptMs: number[];
  enqueueResults: Record<string, number>;
}

/** Runs the 200 Hz loop for `seconds`; `learner` undefined = inference alone. */
async function paced(net: ProximityNet, windows: readonly EventWindow[], seconds: number, learner: LearnerHost | undefined): Promise<PacedFigures> {
  const f: PacedFigures = { ticks: 0, skipped: 0, missed: 0, seconds: 0, inferMs: [], tickMs: [], latenessMs: [], enqueueUs: [], adoptMs: [], enqueueResults: {} };
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let k = 0;
  for (;;) {
    const due = t0 + k * PERIOD_MS;
    if (due >= end) break;
    const wait = due - performance.now();
    if (wait > 0) await sleep(Math.floor(wait));
    const start = performance.now();
    if (start - due >= PERIOD_MS) {
      // A whole period behind: this window's slot is gone; skip to the current one.
      const behind = Math.floor((start - due) / PERIOD_MS);
      f.skipped += behind;
      k += behind;
      continue;
    }
    const w = windows[k % windows.length]!;
    if (learner) {
      const e0 = performance.now();
      const r = learner.enqueue(w, vehicleAt(realClock.nowUs()));
      const e1 = performance.now();
      f.enqueueUs.push((e1 - e0) * 1000);
      f.enqueueResults[r] = (f.enqueueResults[r] ?? 0) + 1;
      const adopted = learner.tryAdopt((v, weights) => net.setWeights(v, weights));
      if (adopted !== undefined) f.adoptMs.push(performance.now() - e1);
    }
    const i0 = performance.now();
    await net.infer(w.input, w.tEndUs);
    const stop = performance.now();
    f.inferMs.push(stop - i0);
    f.tickMs.push(stop - start);
    f.latenessMs.push(Math.max(0, start - due));
    if (stop > due + PERIOD_MS) f.missed++;
    f.ticks++;
    k++;
  }
  f.seconds = (performance.now() - t0) / 1000;
  return f;
}

function summary(values: number[]): { median: number; p99: number; max: number; n: number } | null {
  if (values.length === 0) return null;
  const s = summarize(values);
  return { median: ms(s.median), p99: ms(s.p99), max: ms(s.max), n: s.runs };
}

function pacedReport(f: PacedFigures): Record<string, unknown> {
  const scheduled = f.ticks + f.skipped;
  return {
    seconds: round(f.seconds, 2),
    achievedRateHz: round(f.ticks / f.seconds, 1),
    ticks: f.ticks,
    skippedTicks: f.skipped,
    missedDeadlines: f.missed,
    missedOrSkippedPercent: round((100 * (f.missed + f.skipped)) / scheduled, 2),
    inferenceMs: summary(f.inferMs),
    tickMs: summary(f.tickMs),
    startLatenessMs: summary(f.latenessMs),
  };
}

export async function run(opts: { quick: boolean }): Promise<Record<string, unknown>> {
  const baselineS = opts.quick ? 3 : 10;
  const warmS = opts.quick ? 2 : 3;
  const measureS = opts.quick ? 5 : 20;
  const scene = sceneWindows({ sensor: SENSOR, intrinsics: INTRINSICS, count: 40, windowUs: PERIOD_MS * 1000, events: 4000, seed: 5 });
  const windows = scene.windows.map((w) => w.window);
  const eventsPerWindow = summarize(windows.map((w) => w.learnerEvents.length)).median;
  const net = await loadProximityNet();
  for (let i = 0; i < 200; i++) await net.infer(windows[i % windows.length]!.input, 0); // JIT and ORT warm-up

  const load0 = os.loadavg()[0]!;
  const baseline = await paced(net, windows, baselineS, undefined);

  const dir = await mkdtemp(join(os.tmpdir(), 'evpilot-bench-learning-'));
  const niceEnv = process.env.EVPILOT_BENCH_LEARNER_NICE;
  const threadNice = niceEnv === undefined ? 10 : niceEnv === 'null' ? null : Number(niceEnv);
  const threadSchedIdle = process.env.EVPILOT_BENCH_LEARNER_SCHED_IDLE !== '0';
  const capEnv = process.env.EVPILOT_BENCH_LEARNER_MAX_UPDATES;
  const maxUpdatesPerS = capEnv === undefined || capEnv === 'null' ? null : Number(capEnv);
  const learner = await LearnerHost.start({ sensor: SENSOR, intrinsics: INTRINSICS, checkpointDir: dir, maxEvents: 4096, threadNice, threadSchedIdle, maxUpdatesPerS });
  try {
    await paced(net, windows, warmS, learner);
    await learner.clearFigures();
    const s0 = await learner.status();
    const withLearner = await paced(net, windows, measureS, learner);
    const s1 = await learner.status();
    const load1 = os.loadavg()[0]!;
    const w0 = s0.worker!;
    const w1 = s1.worker!;
    const updates = w1.trainer.updates - w0.trainer.updates;
    const seconds = (w1.nowUs - w0.nowUs) / 1e6;
    const phase = (name: keyof typeof w1.trainer.timings) => {
      const t = w1.trainer.timings[name];
      return { median: ms(t.medianMs), p99: ms(t.p99Ms), samples: t.samples };
    };
    const updatesPerS = updates / seconds;
    const report = pacedReport(withLearner);
    const close = await learner.close();
    return {
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', loadAverage1mBefore: round(load0, 2), loadAverage1mAfter: round(load1, 2) },
      windows: { sensor: `${SENSOR.widthPx}x${SENSOR.heightPx}`, periodMs: PERIOD_MS, learnerEventsMedian: eventsPerWindow, network: '160x120' },
      inferenceAlone: pacedReport(baseline),
      inferenceWithLearner: {
        ...report,
        enqueueUs: summary(withLearner.enqueueUs),
        adoptMs: summary(withLearner.adoptMs),
        enqueueResults: withLearner.enqueueResults,
      },
      learner: {
        updatesPerS: round(updatesPerS, 1),
        updates,
        seconds: round(seconds, 2),
        windowsPerUpdate: learner.windowsPerUpdate,
        threadNice: w1.threadNice,
        schedIdle: w1.schedIdle,
        threadPriorityError: w1.threadNiceError ?? w1.schedIdleError,
        maxUpdatesPerS,
        phasesMs: {
          forward: phase('forward'),
          loss: phase('loss'),
          backwardAndOptimiser: phase('trainStep'),
          guards: phase('guards'),
          publication: phase('publish'),
          update: phase('update'),
          sampleAge: phase('sampleAge'),
        },
        queueDropped: s1.queue.dropped - s0.queue.dropped,
        windowsOffered: w1.trainer.windowsOffered - w0.trainer.windowsOffered,
        rollbacks: w1.trainer.guards.rollbacksLossSpike + w1.trainer.guards.rollbacksDrift,
        skipped: w1.trainer.guards.skippedNonFiniteLoss + w1.trainer.guards.skippedNonFiniteGradient,
        updateErrors: w1.updateErrors,
        checkpointsWritten: w1.checkpoints.written + (close.checkpointWritten ? 1 : 0),
      },
      target: {
        updatesPerS: 20,
        rateHz: 200,
        met: updatesPerS >= 20 && (report.achievedRateHz as number) >= 199 && (report.missedOrSkippedPercent as number) <= 1,
      },
    };
  } finally {
    await learner.close().catch(() => undefined);
    await net.release();
    await rm(dir, { recursive: true, force: true });
  }
}

await runStandalone(import.meta.url, run);
