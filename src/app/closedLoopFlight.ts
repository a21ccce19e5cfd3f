/**
 * The composition root of the main job: a closed-loop simulated flight through the real parts, in real
 * time, in one process.
 *
 *   SimWorld (worker thread): Simulation + streamEvents, paced to the wall clock
 *     ──EVT 3.0 EVPK packets, ZeroMQ ipc──▶ ZmqEventSource → IngestRuntime (windows at rateHz)
 *     → the control path (controlPath.ts): SteeringPipeline: ProximityNet (ν) → SectorSteering (goal bearing =
 *       goal heading − FC yaw) → GuardedFlightLink (every setpoint) → MeasuredFlightLink → MavlinkFlightLink (PX4,
 *       OFFBOARD requested, never arms) → TimedTransport → SerialTransport ══ socat pty pair ══ SerialTransport
 *     → Px4Emulator (armed by "the pilot", hovering in AUTO.LOITER) → SimVehicleAdapter
 *     ──shared vehicle channel──▶ the simulator's closed-loop controller flies the commanded setpoint.
 *   Optional: LearnerHost (worker thread) learns from every window; inference adopts its weights.
 *   Diagnostic (`steerOnTruth`): SimWorld also writes its true ν map to a SharedTruthChannel every period, and
 *   TruthSteeredInference hands the steering that map in place of the network's.
 *
 * Everything opened is closed again on every path (normal end, Ctrl-C through `signal`, failure), in
 * reverse order, so the process exits by itself. Stages are created here and only talk through their
 * contracts; nothing here does per-event work.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SectorSteering } from '../avoidance/sectorSteering.js';
import { Px4Emulator } from '../../firmware-bridge/emulator/px4Emulator.js';
import type { MavlinkFlightLink } from '../../firmware-bridge/mavlink/mavlinkFlightLink.js';
import { ZmqEventSource } from '../ingest/zmq/index.js';
import { LearnerHost } from '../learning/learnerHost.js';
import { loadProximityNet } from '../perception/loadProximityNet.js';
import { realClock, realScheduler } from '../platform/time.js';
import type { FlightStatus, FlightSummary } from './flightReport.js';
import { openControlPath, openFcCarrier } from './controlPath.js';
import { startStatusTicker } from './flightStatusTicker.js';
import { IngestRuntime } from './ingestRuntime.js';
import { perceptionWindows } from './perceptionWindows.js';
import { SharedTruthChannel } from './sharedTruthChannel.js';
import { SharedVehicleChannel } from './sharedVehicleChannel.js';
import { TruthSteeredInference } from './truthSteeredInference.js';
import { SimVehicleAdapter } from './simVehicleAdapter.js';
import { startSimWorld } from './simWorldHost.js';
import { chooseWeights } from './weightsChoice.js';

export interface ClosedLoopFlightOptions {
  readonly scenario: string;
  readonly domain: 'A' | 'B';
  readonly seed: number;
  /** Simulated seconds to fly; 0 = until `signal` aborts. */
  readonly seconds: number;
  /** Window (and perception) rate, Hz. */
  readonly rateHz: number;
  /** Real-time factor of the simulator (1 = real time). */
  readonly speed: number;
  /** Run the in-flight learner. */
  readonly learn: boolean;
  /** With `learn`: the learner waits for each inference to end before a heavy phase (learnerConfig `yieldToInference`; default false). */
  readonly learnerYieldToInference?: boolean;
  /**
   * Diagnostic: steer on the simulator's true ν instead of the network's (the network and the learner still run).
   * What the flight then achieves is what a perfect ν map gives the avoidance law (truthSteeredInference.ts).
   */
  readonly steerOnTruth?: boolean;
  /** Weights base name in `modelDir`; default: pretrained if present, else the seeded init. */
  readonly weights?: string;
  /** Directory of the network artifacts; default the repository's models/. */
  readonly modelDir?: string;
  /** Forward speed when the way is clear, m/s (default: the avoidance law's, 0.5). */
  readonly cruiseSpeedMS?: number;
  /** Where the simulator runs (default `worker`). */
  readonly simThread?: 'worker' | 'main';
  /** FC link carrier: a socat pty pair, in-memory, or `auto` (pty when socat exists; default). */
  readonly fcTransport?: 'auto' | 'pty' | 'memory';
  /** Aborting ends the flight early (Ctrl-C); the summary is still returned. */
  readonly signal?: AbortSignal;
  /** Called every `statusEveryMs` (default 1000) with the running figures. */
  readonly onStatus?: (status: FlightStatus) => void;
  readonly statusEveryMs?: number;
  /** Diagnostic lines: fallbacks, guard interventions, link and learner events. */
  readonly log?: (line: string) => void;
}

/** The repository's models/ (not the working directory's: `npx evpilot start` may run from anywhere). */
const DEFAULT_MODEL_DIR = fileURLToPath(new URL('../../models', import.meta.url));
/** Sensor id the simulated camera driver publishes under. */
const SENSOR_ID = 1;
/** Most lines logged per kind of repeated problem (all are counted). */
const LOG_LIMIT = 10;

export async function runClosedLoopFlight(opts: ClosedLoopFlightOptions): Promise<FlightSummary> {
  const clock = realClock;
  const scheduler = realScheduler;
  const t0 = clock.nowUs();
  const wallS = () => (clock.nowUs() - t0) / 1e6;
  const notes: string[] = [];
  const logCounts = new Map<string, number>();
  const note = (kind: string, line: string) => {
    const n = (logCounts.get(kind) ?? 0) + 1;
    logCounts.set(kind, n);
    if (n > LOG_LIMIT) return;
    notes.push(line);
    opts.log?.(n === LOG_LIMIT ? `${line} (further ${kind} lines suppressed)` : line);
  };
  const closers: (() => Promise<unknown> | void)[] = [];
  const closeAll = async () => {
    for (const c of closers.splice(0).reverse()) {
      try {
        await c();
      } catch (err) {
        note('close', `close: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };

  try {
    // Perception first: a missing or broken artifact fails before anything is started.
    const modelDir = opts.modelDir ?? DEFAULT_MODEL_DIR;
    const weights = await chooseWeights(modelDir, opts.weights);
    const net = await loadProximityNet({ dir: modelDir, weights: weights.name });
    closers.push(() => net.release());
    opts.log?.(`weights: ${weights.name} (${weights.kind}: ${weights.origin}, version ${weights.version}, sha256 ${weights.sha256.slice(0, 12)})`);

    const tmp = mkdtempSync(join(tmpdir(), 'evpilot-flight-'));
    closers.push(() => rmSync(tmp, { recursive: true, force: true }));

    // The world: simulator + camera-driver publisher, and the channel to the FC emulator.
    const channel = SharedVehicleChannel.create();
    const truth = opts.steerOnTruth ? SharedTruthChannel.create(net.geometry) : undefined;
    const world = await startSimWorld(
      {
        scenario: opts.scenario,
        domain: opts.domain,
        seed: opts.seed,
        durationS: opts.seconds > 0 ? opts.seconds : 1e9,
        speed: opts.speed,
        endpoint: `ipc://${join(tmp, 'events.ipc')}`,
        sensorId: SENSOR_ID,
        waitSubscriberMs: 10_000,
      },
      channel,
      opts.simThread ?? 'worker',
      truth,
    );
    closers.push(() => world.close());
    const info = world.info;

    // The FC link's carrier: a real pty pair through socat, or in memory when socat is missing.
    const carrier = await openFcCarrier(opts.fcTransport ?? 'auto', tmp, (l) => note('setup', l));
    closers.push(() => carrier.close());
    const { fcSide, companionSide, kind: fcTransport } = carrier;

    const emulator = new Px4Emulator({ transport: fcSide, vehicle: new SimVehicleAdapter(channel), clock, scheduler, armed: true });
    await emulator.start();
    closers.push(() => emulator.stop());

    let learner: LearnerHost | undefined;
    if (opts.learn) {
      learner = await LearnerHost.start(
        {
          modelDir,
          pretrainedWeights: weights.name,
          sensor: info.sensor,
          intrinsics: info.intrinsics,
          mountPitchUpRad: info.mountPitchUpRad,
          yieldToInference: opts.learnerYieldToInference === true,
        },
        { clock, onEvent: (e) => note(`learner-${e.kind}`, `learner: ${JSON.stringify(e)}`) },
      );
      const l = learner;
      closers.push(() => l.close());
    }

    const steeredOn = truth ? new TruthSteeredInference(net, truth) : undefined;
    if (steeredOn) opts.log?.('steering on the simulator\'s true ν (diagnostic): the network runs, its map is not flown');
    // The link connects and the guard's hover setpoints stream from here on: PX4 needs them before OFFBOARD.
    const path = await openControlPath({
      carrier: companionSide,
      net: steeredOn ?? net,
      steering: new SectorSteering({
        horizontalFovRad: info.horizontalFovRad,
        ...(opts.cruiseSpeedMS !== undefined ? { cruiseSpeedMS: opts.cruiseSpeedMS } : {}),
      }),
      goalYawRad: info.goalYawRad,
      rateHz: opts.rateHz,
      speedScaling: net.weightsManifest.speedScaling,
      mountPitchUpRad: info.mountPitchUpRad,
      ...(learner ? { learner } : {}),
      clock,
      scheduler,
      note,
    });
    closers.push(() => path.close());
    const { pipeline, link, guarded, measured } = path;

    let flightOver = false;
    const source = new ZmqEventSource({
      endpoint: info.endpoint,
      sensorId: SENSOR_ID,
      // Once the flight is over the publisher goes away on purpose: not a problem worth a line.
      onProblem: (p) => flightOver || note(`zmq-${p.kind}`, `ingest: ${p.kind}: ${p.detail}`),
    });
    const windows = perceptionWindows(opts.rateHz, net.weightsManifest, learner?.config);
    const ingest = new IngestRuntime(source, windows.options, clock, pipeline.onWindow, windows.inputFilterFor);
    await ingest.start();
    closers.push(() => ingest.stop());

    // Hand-over: OFFBOARD once the setpoint stream has warmed up (the link waits > 1 s for PX4).
    let offboardAtS: number | null = null;
    let controlError: string | null = null;
    void link.requestControl().then(
      () => {
        offboardAtS = wallS();
        opts.log?.(`control: ${link.state().modeName} after ${offboardAtS.toFixed(1)} s`);
      },
      (e: Error) => {
        controlError = e.message;
        note('control', `control: ${e.message}`);
      },
    );

    const cancelStatus = startStatusTicker(
      { clock, t0Us: t0, source, ingest, pipeline, guarded, link, channel, learner },
      scheduler,
      opts.statusEveryMs ?? 1000,
      (st) => opts.onStatus?.(st),
    );
    closers.push(cancelStatus);

    // Fly.
    const onAbort = () => world.stop();
    if (opts.signal?.aborted) world.stop();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    closers.push(() => opts.signal?.removeEventListener('abort', onAbort));
    const flightStartUs = clock.nowUs();
    const simSummary = await world.run();
    flightOver = true;
    const flightWallS = (clock.nowUs() - flightStartUs) / 1e6;
    cancelStatus();

    // Orderly end: no more windows, hand the vehicle back to hold, stop the setpoint stream, let the
    // last bytes cross the pty, then take the figures (so link, guard and emulator counts agree).
    await drain(source, simSummary.packets);
    await ingest.stop();
    await pipeline.idle();
    const handedBack = await handBack(link);
    guarded.stop();
    await new Promise((r) => setTimeout(r, 100));
    const finalLearner = learner ? await learner.status() : null;
    const ingestStatus = ingest.status();
    const zmq = source.counters;
    const guard = guarded.status();
    const linkState = link.state();
    return {
      scenario: { name: info.scenario, domain: info.domain, seed: info.seed, obstacles: info.obstacles },
      weights,
      setup: {
        simThread: world.thread,
        simThreadNice: world.threadNice,
        fcTransport,
        eventEndpoint: info.endpoint,
        windowRateHz: opts.rateHz,
        inputLengthUs: windows.options.lengthUs ?? 1e6 / opts.rateHz,
        inputNoiseFilter: net.weightsManifest.inputNoiseFilter ?? null,
        speed: opts.speed,
        learn: opts.learn,
        learnerYieldsToInference: opts.learn && opts.learnerYieldToInference === true,
        steering: steeredOn ? { on: 'truth', truthMaps: steeredOn.truthMaps, networkMaps: steeredOn.networkMaps } : { on: 'network' },
      },
      wallS: wallS(),
      simulatedS: simSummary.simulatedS,
      stoppedBy: simSummary.stoppedBy,
      control: { offboardAtS, error: controlError, handedBack },
      flight: simSummary.flight,
      latencyMs: pipeline.latencyMs.summary(),
      inferMs: pipeline.inferMs.summary(),
      queueMs: pipeline.queueMs.summary(),
      steerWriteMs: pipeline.steerWriteMs.summary(),
      rates: {
        windowsPerS: ingestStatus.windows / flightWallS,
        eventsPerS: zmq.events / flightWallS,
        setpointsPerS: guard.setpointsOut / flightWallS,
      },
      drops: {
        windowsSkipped: pipeline.stats().skipped,
        zmqQueueDrops: zmq.queueDrops,
        zmqSequenceGaps: zmq.sequenceGaps,
        zmqPacketsLost: zmq.packetsLost,
        zmqRejected: zmq.rejected,
        linkFramesDropped: linkState.link.framesDropped,
      },
      pipeline: pipeline.stats(),
      guard,
      link: { setpointCalls: measured.setpointCalls, setpointsWritten: measured.setpointsWritten, health: linkState.link, modeName: linkState.modeName },
      emulator: emulator.stats(),
      ingest: ingestStatus,
      zmq,
      sim: {
        events: simSummary.events,
        packets: simSummary.packets,
        heartbeats: simSummary.heartbeats,
        maxLagMs: simSummary.maxLagMs,
        runner: simSummary.runner,
      },
      learner: finalLearner,
      notes,
    };
  } finally {
    await closeAll();
  }
}

/** Waits (at most 2 s) until the source has received and handled every packet the simulator sent. */
async function drain(source: ZmqEventSource, packetsSent: number): Promise<void> {
  const deadline = performance.now() + 2000;
  for (;;) {
    const c = source.counters;
    if ((c.packets >= packetsSent && c.deliveredPackets + c.queueDrops >= c.packets) || performance.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Leaves the vehicle holding (AUTO.LOITER): asks for it when the FC still follows our setpoints and waits
 * up to 1 s for it to say so. True when the FC holds at the end, also when the guard's watchdog had
 * already put it there (perception stale) — false only when it was left in another mode.
 */
async function handBack(link: MavlinkFlightLink): Promise<boolean> {
  if (link.state().inControl && !link.requestHold('flight ended')) return false;
  const deadline = performance.now() + 1000;
  while (performance.now() < deadline) {
    if (link.state().mode === 'hold') return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}
