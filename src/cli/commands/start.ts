import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { FlightSummary } from '../../app/flightReport.js';
import { IngestRuntime, type IngestStatus } from '../../app/ingestRuntime.js';
import { checkEndpoint, ZmqEventSource, type ZmqSourceCounters } from '../../ingest/zmq/index.js';
import { ONLINE_LOSS_SPAN_MS } from '../../learning/learnerConfig.js';
import { realClock } from '../../platform/time.js';
import { CliError, EXIT_USAGE } from '../cliError.js';
import { parsePositiveNumber } from '../options.js';
import { runReplay } from './replay.js';

interface StartOptions {
  endpoint?: string;
  replay?: string;
  seconds?: number;
  rateHz: number;
  speed: number;
  json?: boolean;
  scenario: string;
  domain: string;
  seed: number;
  learn?: boolean;
  learnerYield?: boolean;
  steerOnTruth?: boolean;
  weights?: string;
  cruiseSpeed?: number;
  simThread: 'worker' | 'main';
  fcLink: 'auto' | 'pty' | 'memory';
}

/** Simulated seconds of a flight, and wall seconds of an ingest-only run, when --seconds is not given. */
const DEFAULT_FLIGHT_S = 20;
const DEFAULT_INGEST_S = 10;

/** The run's figures (`--json` prints this object on one line at the end). */
export interface StartSummary {
  source: string;
  wallS: number;
  ingest: IngestStatus;
  zmq: ZmqSourceCounters;
}

/**
 * Runs the onboard runtime's live path: events over ZeroMQ (from an external camera driver, or from a
 * recording replayed in-process like a camera driver would publish it), decoded, cut into fixed-rate
 * windows and turned into network inputs. Prints a status line every second and a summary at the end.
 */
export async function runStart(opts: StartOptions, out: (s: string) => void, err: (s: string) => void): Promise<StartSummary> {
  if (opts.endpoint !== undefined && opts.replay !== undefined) throw new CliError('give either --endpoint or --replay, not both', 2);
  const seconds = opts.seconds ?? DEFAULT_INGEST_S;
  let tmp: string | undefined;
  let endpoint = opts.endpoint;
  if (endpoint === undefined) {
    tmp = mkdtempSync(join(tmpdir(), 'evpilot-'));
    endpoint = `ipc://${join(tmp, 'events.ipc')}`;
  }
  const bad = checkEndpoint(endpoint, 'connect');
  if (bad !== undefined) throw new CliError(`--endpoint ${bad}`, 2);

  const source = new ZmqEventSource({ endpoint, onProblem: (p) => err(`ingest: ${p.kind}: ${p.detail}`) });
  const runtime = new IngestRuntime(source, { rateHz: opts.rateHz }, realClock, () => {});
  try {
    await runtime.start();
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }

  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const t0 = realClock.nowUs();
  const replayDone =
    opts.replay === undefined
      ? undefined
      : runReplay(
          opts.replay,
          { endpoint, speed: opts.speed, packetUs: 1000, sensorId: 1, waitSubscriberMs: 10_000, quiet: true },
          { out: () => {}, err: (s) => err(s), signal: controller.signal },
        );
  try {
    const ticker = setInterval(() => {
      out(statusLine(runtime.status(), source.counters));
    }, 1000);
    const deadline = seconds > 0 ? setTimeout(() => controller.abort(), seconds * 1000) : undefined;
    try {
      await Promise.race([
        new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve(), { once: true })),
        // After the replay, drain: wait until every packet it sent has been received and handled.
        replayDone?.then((sent) =>
          waitFor(() => {
            const z = source.counters;
            return z.packets >= sent.packets && z.deliveredPackets + z.queueDrops >= z.packets;
          }, 10_000),
        ),
      ]);
    } finally {
      clearInterval(ticker);
      if (deadline) clearTimeout(deadline);
    }
  } finally {
    controller.abort();
    process.off('SIGINT', onSigint);
    await replayDone?.catch(() => undefined);
    await runtime.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
  const summary: StartSummary = {
    source: opts.replay !== undefined ? `replay ${opts.replay}` : `zmq ${endpoint}`,
    wallS: (realClock.nowUs() - t0) / 1e6,
    ingest: runtime.status(),
    zmq: source.counters,
  };
  if (opts.json) out(JSON.stringify(summary));
  else out(`done: ${statusLine(summary.ingest, summary.zmq)}`);
  return summary;
}

/** Resolves when `done()` holds (polled every 20 ms) or after `timeoutMs`. */
async function waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = realClock.nowUs() + timeoutMs * 1000;
  while (!done() && realClock.nowUs() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

function statusLine(s: IngestStatus, z: ZmqSourceCounters): string {
  return (
    `windows ${s.windows} (${s.windowRateHz.toFixed(1)} Hz, ${s.emptyWindows} empty), events ${s.eventsInWindows}, ` +
    `cut ${s.cutMsMedian.toFixed(3)}/${s.cutMsP99.toFixed(3)} ms (median/p99), packets ${z.packets}, gaps ${z.sequenceGaps}, ` +
    `queue drops ${z.queueDrops}`
  );
}

/**
 * The closed-loop flight (no --replay/--endpoint): prints a status line per second and the summary (or,
 * with --json, status lines on stderr and one JSON object on stdout). Ctrl-C ends the flight early and
 * still prints the summary. Exit 0 when the flight ran (collisions are a result); 1 when something could
 * not be set up or the flight controller never accepted OFFBOARD.
 */
export async function runFlight(opts: StartOptions, out: (s: string) => void, err: (s: string) => void): Promise<FlightSummary> {
  const { SCENARIO_NAMES } = await import('../../../sim/scenarios/index.js');
  if (!SCENARIO_NAMES.includes(opts.scenario)) throw new CliError(`unknown scenario '${opts.scenario}' (known: ${SCENARIO_NAMES.join(', ')})`, EXIT_USAGE);
  const domain = opts.domain.toUpperCase();
  if (domain !== 'A' && domain !== 'B') throw new CliError(`unknown domain '${opts.domain}' (known: A, B)`, EXIT_USAGE);
  if (opts.learnerYield === true && opts.learn !== true) throw new CliError('--learner-yield needs --learn (it changes how the in-flight learner runs)', EXIT_USAGE);
  // Loaded on demand: the simulator and onnxruntime are not needed by the other commands.
  const { runClosedLoopFlight } = await import('../../app/closedLoopFlight.js');
  const { statusLine, summaryText } = await import('../flightText.js');
  const status = opts.json ? err : out;
  const stop = new AbortController();
  const onSignal = () => {
    err('evpilot: stopping (Ctrl-C again to kill)');
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let summary: FlightSummary;
  try {
    summary = await runClosedLoopFlight({
      scenario: opts.scenario,
      domain,
      seed: opts.seed,
      seconds: opts.seconds ?? DEFAULT_FLIGHT_S,
      rateHz: opts.rateHz,
      speed: opts.speed,
      learn: opts.learn === true,
      learnerYieldToInference: opts.learnerYield === true,
      steerOnTruth: opts.steerOnTruth === true,
      weights: opts.weights,
      cruiseSpeedMS: opts.cruiseSpeed,
      simThread: opts.simThread,
      fcTransport: opts.fcLink,
      signal: stop.signal,
      onStatus: (s) => status(statusLine(s)),
      log: (line) => err(line),
    });
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(e instanceof Error ? e.message : String(e));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  out(opts.json ? JSON.stringify(summary) : summaryText(summary));
  if (summary.control.offboardAtS === null && summary.stoppedBy === 'duration') {
    throw new CliError(`the flight controller never accepted OFFBOARD${summary.control.error ? `: ${summary.control.error}` : ''}`);
  }
  return summary;
}

function parseSeed(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) > 0xffffffff) throw new InvalidArgumentError('expected an integer in [0, 4294967295]');
  return Number(value);
}

function parseSeconds(value: string): number {
  const v = Number(value);
  if (!Number.isFinite(v) || v < 0) throw new InvalidArgumentError('expected a number of seconds ≥ 0');
  return v;
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .summary('fly the closed loop in the simulator (default), or run ingest on a live stream or a recording')
    .description(
      [
        'Without --replay/--endpoint: a closed-loop simulated flight through the real parts, in real time, in one process.',
        'The simulator (its own thread) publishes EVT 3.0 packets over ZeroMQ like a camera driver; the runtime cuts windows, ' +
          'predicts inverse time-to-contact with the proximity network, steers toward the goal and away from what approaches, ' +
          'passes every setpoint through the safety guard and streams MAVLink to a PX4 emulator over a socat pty pair; the ' +
          'emulator (armed by "the pilot", hovering) accepts OFFBOARD and flies the simulated vehicle. The runtime never arms.',
        'Weights: --weights, else pretrained weights in models/ if any, else the seeded initialisation (said in the output).',
        'Prints a status line per second and a summary: distance, progress, collisions, latency from window to setpoint bytes ' +
          'written (median/p99), rates, drops, guard counters. Ctrl-C ends the flight early (summary still printed).',
        'With --replay <file.raw> or --endpoint <zmq>: ingest only (windows are cut and counted, nothing flies).',
        'Exit codes: 0 the run completed (collisions are a result), 1 set-up failed or OFFBOARD was never granted, 2 usage.',
      ].join('\n\n'),
    )
    .option('--scenario <name>', 'flight: forest, corridor, wall-gap or slalom', 'forest')
    .option('--domain <A|B>', 'flight: domain preset (A: pretraining look, B: shifted look)', 'A')
    .option('--seed <n>', 'flight: seed of the world and the run', parseSeed, 1)
    .option('--seconds <s>', `stop after this many seconds, 0 = until Ctrl-C (default: ${DEFAULT_FLIGHT_S} simulated for a flight, ${DEFAULT_INGEST_S} for ingest)`, parseSeconds)
    .option('--rate-hz <hz>', 'window (and perception) rate, sensor time', parsePositiveNumber, 200)
    .option('--speed <x>', 'real-time factor: simulator (flight) or replay speed, sensor seconds per wall second', parsePositiveNumber, 1)
    .option('--learn', `flight: run the in-flight learner (worker thread; its loss warps the last ${ONLINE_LOSS_SPAN_MS} ms of events, noise-filtered); inference adopts its weights between windows`)
    .option('--learner-yield', 'flight, with --learn: the learner starts each heavy phase just after an inference ends, so it computes in the gaps between windows (lower control latency on a small machine, about 40 % fewer updates; README, "Benchmarks")')
    .option('--steer-on-truth', 'flight, diagnostic: steer on the simulator\'s true ν instead of the network\'s (the network, and the learner with --learn, still run): what a perfect ν map gives the avoidance law in this world')
    .option('--weights <name>', 'flight: weights base name in models/ (e.g. proximity-net.init)')
    .option('--cruise-speed <m/s>', 'flight: forward speed when the way is clear (default: the avoidance law’s 0.5)', parsePositiveNumber)
    .addOption(new Option('--sim-thread <where>', 'flight: run the simulator in its own worker thread or in the runtime’s').choices(['worker', 'main']).default('worker'))
    .addOption(new Option('--fc-link <carrier>', 'flight: FC link over a socat pty pair, in memory, or auto (pty when socat exists)').choices(['auto', 'pty', 'memory']).default('auto'))
    .option('--endpoint <endpoint>', 'ingest only: subscribe to a camera driver publishing EVPK packets (tcp://host:port, ipc://path)')
    .option('--replay <file>', 'ingest only: replay a RAW recording in-process as the camera driver')
    .option('--json', 'print the final figures as one JSON object on stdout (status lines go to stderr)')
    .action(async (opts: StartOptions) => {
      const out = (s: string) => process.stdout.write(s + '\n');
      const err = (s: string) => process.stderr.write(s + '\n');
      if (opts.endpoint !== undefined || opts.replay !== undefined) await runStart(opts, out, err);
      else await runFlight(opts, out, err);
    });
}
