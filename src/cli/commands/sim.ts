/**
 * `evpilot sim …`: the event-camera simulator from the command line.
 *
 *   evpilot sim record --scenario forest --domain A --seed 1 --seconds 30 --out forest-a-1.evsim
 *   evpilot sim info forest-a-1.evsim
 *   evpilot sim stream --scenario slalom --endpoint tcp://127.0.0.1:5556 --realtime
 *
 * The simulator (sim/) is loaded on demand, so other commands do not pay for it at start-up.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { CliError, EXIT_BAD_DATA, EXIT_USAGE, fileError } from '../cliError.js';
import { parseGeometry, parsePositiveInt, parsePositiveNumber } from '../options.js';
import type { SensorGeometry } from '../../contracts/sensorGeometry.js';
// Type-only: erased at run time, so the simulator still loads on demand.
import type { DatasetReader } from '../../../sim/dataset/reader.js';
import type { DatasetWriter } from '../../../sim/dataset/writer.js';
import type { RawEventWriter } from '../../../sim/dataset/rawEventWriter.js';

function parseNonNegative(value: string): number {
  const v = Number(value);
  if (!Number.isFinite(v) || v < 0) throw new InvalidArgumentError('expected a number ≥ 0');
  return v;
}

function parseSeed(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) > 0xffffffff) throw new InvalidArgumentError('expected an integer in [0, 4294967295]');
  return Number(value);
}

function collectParam(value: string, previous: Record<string, number> = {}): Record<string, number> {
  const m = /^([A-Za-z][\w-]*)=(.+)$/.exec(value.trim());
  if (!m || !Number.isFinite(Number(m[2]))) throw new InvalidArgumentError('expected key=number, e.g. density=8');
  return { ...previous, [m[1]!]: Number(m[2]) };
}

/**
 * A quantity with units, parsed by mathjs ("90deg", "0.3 rad", "2.5 m/s", "9 km/h"); a bare number is
 * taken in `defaultUnit`. Returns the value in `toUnit`.
 */
async function quantity(value: string, toUnit: string, defaultUnit: string, what: string): Promise<number> {
  const { unit } = await import('mathjs');
  const text = /^[-+]?\d*\.?\d+(e[-+]?\d+)?$/i.test(value.trim()) ? `${value} ${defaultUnit}` : value;
  try {
    return unit(text).toNumber(toUnit);
  } catch {
    throw new CliError(`${what}: cannot read '${value}' as ${toUnit === 'rad' ? 'an angle' : 'a speed'} (e.g. ${toUnit === 'rad' ? '90deg' : '2.5 m/s'})`, EXIT_USAGE);
  }
}

/** Progress on stderr: a redrawn bar on a terminal, otherwise a line every 10 %. */
class Progress {
  private lastDrawMs = 0;
  private lastDecile = -1;
  private readonly startMs = performance.now();
  private readonly tty = process.stderr.isTTY === true;

  constructor(private readonly quiet: boolean) {}

  update(doneS: number, totalS: number, events: number): void {
    if (this.quiet) return;
    const now = performance.now();
    const frac = totalS > 0 ? Math.min(1, doneS / totalS) : 1;
    const wallS = (now - this.startMs) / 1000;
    const speed = wallS > 0 ? doneS / wallS : 0;
    const text = `${(100 * frac).toFixed(0).padStart(3)}%  ${doneS.toFixed(1)}/${totalS} s simulated, ${speed.toFixed(2)}× real time, ${(events / 1e6).toFixed(2)} M events`;
    if (this.tty) {
      if (now - this.lastDrawMs < 100 && frac < 1) return;
      this.lastDrawMs = now;
      const width = 24;
      const filled = Math.round(frac * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`);
      if (frac >= 1) process.stderr.write('\n');
    } else {
      const decile = Math.floor(frac * 10);
      if (decile === this.lastDecile) return;
      this.lastDecile = decile;
      process.stderr.write(`evpilot sim: ${text}\n`);
    }
  }
}

interface RecordCliOptions {
  scenario: string;
  domain: string;
  seed: number;
  seconds: number;
  out: string;
  geometry?: SensorGeometry;
  network?: SensorGeometry;
  events?: string;
  windowHz: number;
  truthEvery: number;
  param?: Record<string, number>;
  density?: number;
  fov: string;
  mountPitch: string;
  speed?: string;
  excitation: number;
  fastRate: number;
  compression: number;
  raw?: string;
  json?: boolean;
  quiet?: boolean;
}

const DEFAULT_GEOMETRY: SensorGeometry = { widthPx: 160, heightPx: 120 };

async function recordAction(opts: RecordCliOptions): Promise<void> {
  const sensor = opts.geometry ?? DEFAULT_GEOMETRY;
  const network = opts.network ?? DEFAULT_GEOMETRY;
  const { recordDataset } = await import('../../../sim/dataset/recorder.js');
  const { DatasetWriter: Writer } = await import('../../../sim/dataset/writer.js');
  const { RawEventWriter } = await import('../../../sim/dataset/rawEventWriter.js');
  const { SCENARIO_NAMES } = await import('../../../sim/scenarios/index.js');
  if (!SCENARIO_NAMES.includes(opts.scenario)) throw new CliError(`unknown scenario '${opts.scenario}' (known: ${SCENARIO_NAMES.join(', ')})`, EXIT_USAGE);
  if (!['A', 'B', 'a', 'b'].includes(opts.domain)) throw new CliError(`unknown domain '${opts.domain}' (known: A, B)`, EXIT_USAGE);
  if (opts.events !== undefined && opts.events !== 'clean' && opts.events !== 'noisy') throw new CliError(`--events must be clean or noisy`, EXIT_USAGE);
  if (!Number.isInteger(opts.compression) || opts.compression > 9) throw new CliError('--compression must be an integer 0–9', EXIT_USAGE);
  const params = { ...(opts.param ?? {}), ...(opts.density !== undefined ? { density: opts.density } : {}) };
  const horizontalFovRad = await quantity(opts.fov, 'rad', 'deg', '--fov');
  const mountPitchRad = await quantity(opts.mountPitch, 'rad', 'deg', '--mount-pitch');
  const cruiseSpeedMS = opts.speed !== undefined ? await quantity(opts.speed, 'm/s', 'm/s', '--speed') : undefined;
  const progress = new Progress(opts.quiet === true);
  let writer: DatasetWriter | undefined;
  let raw: RawEventWriter | undefined;
  try {
    const summary = await recordDataset(
      {
        scenario: opts.scenario,
        domain: opts.domain.toUpperCase(),
        seed: opts.seed,
        seconds: opts.seconds,
        scenarioParams: params,
        sensor,
        network,
        horizontalFovRad,
        mountPitchRad,
        eventPreset: opts.events as 'clean' | 'noisy' | undefined,
        windowRateHz: opts.windowHz,
        truthEveryWindows: opts.truthEvery,
        excitation: opts.excitation,
        cruiseSpeedMS,
        compressionLevel: opts.compression,
        sampling: { fastRateHz: opts.fastRate },
        generator: 'evpilot sim record',
      },
      (header) => {
        let w: DatasetWriter;
        try {
          w = Writer.create(opts.out, header);
          writer = w;
          if (opts.raw !== undefined) {
            raw = RawEventWriter.create(opts.raw, sensor, { generator: 'evpilot sim record', scenario: opts.scenario, domain: header.domain, seed: String(opts.seed) });
          }
        } catch (err) {
          throw fileError(opts.raw !== undefined && writer !== undefined ? opts.raw : opts.out, err);
        }
        if (raw === undefined) return w;
        const r = raw;
        // Tee: the events also go to the EVT 3.0 RAW file.
        return {
          writeEvents: (a, b, batch) => {
            w.writeEvents(a, b, batch);
            r.writeEvents(batch);
          },
          writeTruth: (t, truth) => w.writeTruth(t, truth),
          writeVehicle: (t, v) => w.writeVehicle(t, v),
          writeReset: (t, info) => w.writeReset(t, info),
          close: (t, summary) => {
            w.close(t, summary);
            r.close();
          },
        };
      },
      (done, total, events) => progress.update(done, total, events),
    );
    const report = {
      out: opts.out,
      bytes: writer?.bytesWritten ?? 0,
      simulatedS: summary.simulatedS,
      windows: summary.windows,
      events: summary.events,
      eventsPerS: summary.simulatedS > 0 ? summary.events / summary.simulatedS : 0,
      collisions: summary.collisions,
      respawns: summary.respawns,
      coursesCompleted: summary.coursesCompleted,
      distanceM: summary.distanceM,
    };
    process.stdout.write(
      opts.json
        ? JSON.stringify(report) + '\n'
        : `wrote ${report.out}: ${report.simulatedS} s, ${report.windows} windows, ${report.events} events ` +
            `(${(report.eventsPerS / 1e6).toFixed(2)} M/s), ${report.collisions} collisions, ${(report.bytes / 1e6).toFixed(1)} MB\n`,
    );
  } catch (err) {
    writer?.abort();
    raw?.close();
    if (err instanceof CliError) throw err;
    if (err instanceof Error && /^(unknown|scenario)/.test(err.message)) throw new CliError(err.message, EXIT_USAGE);
    throw err;
  }
}

async function infoAction(file: string, opts: { json?: boolean }): Promise<void> {
  const { DatasetReader: Reader } = await import('../../../sim/dataset/reader.js');
  let reader: DatasetReader;
  try {
    reader = Reader.open(file);
  } catch (err) {
    if (err instanceof Error && err.name === 'DatasetFormatError') throw new CliError(`${file}: ${err.message}`, EXIT_BAD_DATA);
    throw fileError(file, err);
  }
  const counts: Record<string, number> = { events: 0, truth: 0, vehicle: 0, reset: 0, end: 0 };
  let events = 0;
  let onEvents = 0;
  let firstUs = Number.NaN;
  let lastUs = Number.NaN;
  try {
    for (const r of reader.records()) {
      counts[r.kind] = (counts[r.kind] ?? 0) + 1;
      if (r.kind === 'events') {
        events += r.events.length;
        for (let k = 0; k < r.events.length; k++) onEvents += r.events.p[k]!;
        if (r.events.length > 0) {
          if (Number.isNaN(firstUs)) firstUs = r.events.tUs[0]!;
          lastUs = r.events.tUs[r.events.length - 1]!;
        }
      }
    }
  } catch (err) {
    reader.close();
    if (err instanceof Error && err.name === 'DatasetFormatError') throw new CliError(`${file}: ${err.message}`, EXIT_BAD_DATA);
    throw fileError(file, err);
  }
  reader.close();
  const h = reader.header;
  const report = {
    file,
    version: h.version,
    scenario: h.scenario.name,
    domain: h.domain,
    seed: h.seed,
    durationS: h.durationS,
    sensor: `${h.sensor.widthPx}x${h.sensor.heightPx}`,
    network: `${h.network.widthPx}x${h.network.heightPx}`,
    windowRateHz: h.windowRateHz,
    records: counts,
    events,
    onEvents,
    offEvents: events - onEvents,
    tFirstUs: Number.isNaN(firstUs) ? null : firstUs,
    tLastUs: Number.isNaN(lastUs) ? null : lastUs,
    truncated: reader.truncated,
  };
  if (opts.json) process.stdout.write(JSON.stringify(report) + '\n');
  else {
    process.stdout.write(
      `${file}: evsim v${report.version}, ${report.scenario} / domain ${report.domain} / seed ${report.seed}, ${report.durationS} s\n` +
        `  sensor ${report.sensor}, truth at ${report.network}, windows at ${report.windowRateHz} Hz\n` +
        `  records: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}\n` +
        `  events: ${events} (${onEvents} ON, ${events - onEvents} OFF)${report.truncated ? '\n  WARNING: truncated (no end record)' : ''}\n`,
    );
  }
}

interface StreamCliOptions {
  scenario: string;
  domain: string;
  seed: number;
  seconds: number;
  endpoint: string;
  sensorId: number;
  geometry?: SensorGeometry;
  events?: string;
  packetUs: number;
  fastRate: number;
  lockstep?: boolean;
  speed: number;
  waitSubscriberMs: number;
  json?: boolean;
  quiet?: boolean;
}

async function streamAction(opts: StreamCliOptions): Promise<void> {
  const geometry = opts.geometry ?? DEFAULT_GEOMETRY;
  const { SCENARIO_NAMES, buildScenario, domainPreset } = await import('../../../sim/scenarios/index.js');
  if (!SCENARIO_NAMES.includes(opts.scenario)) throw new CliError(`unknown scenario '${opts.scenario}' (known: ${SCENARIO_NAMES.join(', ')})`, EXIT_USAGE);
  if (!['A', 'B', 'a', 'b'].includes(opts.domain)) throw new CliError(`unknown domain '${opts.domain}' (known: A, B)`, EXIT_USAGE);
  if (opts.events !== undefined && opts.events !== 'clean' && opts.events !== 'noisy') throw new CliError(`--events must be clean or noisy`, EXIT_USAGE);
  const { Simulation } = await import('../../../sim/runner/simulation.js');
  const { streamEvents } = await import('../../../sim/runner/eventStreamer.js');
  const { createExpertPilot } = await import('../../../sim/runner/expertPilot.js');
  const { realTimePacer } = await import('../../../sim/runner/realTime.js');
  const { WallClock } = await import('../../../sim/runner/clocks.js');
  const { Prng } = await import('../../../sim/world/prng.js');
  const { ZmqEventPublisher } = await import('../../ingest/zmq/index.js');
  const scenario = buildScenario(opts.scenario, { seed: opts.seed, domain: domainPreset(opts.domain) });
  const sim = new Simulation({
    scenario,
    seed: opts.seed,
    camera: { geometry },
    eventPreset: opts.events as 'clean' | 'noisy' | undefined,
    sampling: { fastRateHz: opts.fastRate },
  });
  const publisher = new ZmqEventPublisher({ endpoint: opts.endpoint, sensorId: opts.sensorId, geometry, encoding: 'evt3' });
  try {
    await publisher.open();
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
  const progress = new Progress(opts.quiet === true);
  try {
    if (!opts.quiet) process.stderr.write(`evpilot sim: publishing ${opts.scenario}/${opts.domain} on ${publisher.endpoint} (sensor ${opts.sensorId}, EVT 3.0)\n`);
    if (opts.waitSubscriberMs > 0 && !(await publisher.waitForSubscriber(opts.waitSubscriberMs)) && !opts.quiet) {
      process.stderr.write('evpilot sim: no subscriber yet, streaming anyway\n');
    }
    const pace = opts.lockstep ? undefined : realTimePacer(new WallClock(), opts.speed);
    let events = 0;
    const summary = await streamEvents({
      sim,
      sink: publisher,
      controller: createExpertPilot(scenario, new Prng(opts.seed).derive('expert-pilot')),
      durationS: opts.seconds,
      packetUs: opts.packetUs,
      pace,
      onWindow: (tUs, n) => {
        events += n;
        progress.update(tUs / 1e6, opts.seconds, events);
      },
    });
    const report = {
      endpoint: publisher.endpoint,
      simulatedS: summary.simulatedS,
      events: summary.events,
      packets: summary.packets,
      heartbeats: summary.heartbeats,
      collisions: summary.collisions,
      maxLagMs: pace ? pace.maxLagUs / 1000 : null,
    };
    process.stdout.write(
      opts.json
        ? JSON.stringify(report) + '\n'
        : `streamed ${report.simulatedS} s: ${report.events} events in ${report.packets} packets + ${report.heartbeats} heartbeats${report.maxLagMs !== null ? `, worst lag behind real time ${report.maxLagMs.toFixed(1)} ms` : ''}\n`,
    );
  } finally {
    await publisher.close();
  }
}

export function registerSim(program: Command): void {
  const sim = program.command('sim').description('Event-camera simulator: record datasets, inspect them, stream events like a camera driver');

  sim
    .command('record')
    .description('Fly a scenario with the expert pilot and record events, ground truth and vehicle state (.evsim)')
    .requiredOption('--scenario <name>', 'forest, corridor, wall-gap or slalom')
    .option('--domain <A|B>', 'domain preset (A: pretraining look, B: shifted look)', 'A')
    .option('--seed <n>', 'seed of the world and the run (same seed, same file)', parseSeed, 1)
    .requiredOption('--seconds <s>', 'simulated duration', parsePositiveNumber)
    .requiredOption('--out <file>', 'output .evsim file')
    .option('--geometry <WxH>', 'sensor geometry (default: 160x120)', parseGeometry)
    .option('--network <WxH>', 'ground-truth (network) geometry (default: 160x120)', parseGeometry)
    .option('--events <preset>', 'DVS preset: clean or noisy (default: the domain’s)')
    .option('--window-hz <hz>', 'control / window rate', parsePositiveInt, 100)
    .option('--truth-every <n>', 'ground truth every n-th window', parsePositiveInt, 1)
    .option('--param <key=value>', 'scenario parameter (repeatable), e.g. density=8', collectParam)
    .option('--density <n>', 'forest: obstacles per 100 m²', parseNonNegative)
    .option('--fov <angle>', 'horizontal field of view (mathjs units; bare numbers in degrees)', '90deg')
    .option('--mount-pitch <angle>', 'camera uptilt (bare numbers in degrees)', '0deg')
    .option('--speed <speed>', 'cruise speed (bare numbers in m/s; default: the scenario’s)')
    .option('--excitation <x>', 'expert pilot excitation (0 = smooth, 1 = default)', parseNonNegative, 1)
    .option('--fast-rate <hz>', 'camera sampling rate (at least) while the image moves fast', parsePositiveInt, 1000)
    .option('--compression <level>', 'deflate level 0–9 (0 = store)', parseNonNegative, 6)
    .option('--raw <file>', 'also write the events as a Prophesee EVT 3.0 RAW file (readable by inspect and replay)')
    .option('--json', 'print the summary as one JSON object')
    .option('--quiet', 'no progress on stderr')
    .addHelpText('after', '\nFormat: sim/dataset/format.ts (documented in sim/README.md). Exit codes: 0 ok, 1 error, 2 usage.')
    .action(recordAction);

  sim
    .command('stream')
    .description('Fly a scenario and publish its events as EVT 3.0 EVPK packets over ZeroMQ, like a camera driver')
    .requiredOption('--scenario <name>', 'forest, corridor, wall-gap or slalom')
    .option('--domain <A|B>', 'domain preset', 'A')
    .option('--seed <n>', 'seed of the world and the run', parseSeed, 1)
    .option('--seconds <s>', 'simulated duration', parsePositiveNumber, 60)
    .option('--endpoint <url>', 'ZeroMQ endpoint to bind (tcp://*:5556, ipc:///path)', 'tcp://127.0.0.1:5556')
    .option('--sensor-id <n>', 'sensor id in the packets', parseSeed, 0)
    .option('--geometry <WxH>', 'sensor geometry (default: 160x120)', parseGeometry)
    .option('--events <preset>', 'DVS preset: clean or noisy (default: the domain’s)')
    .option('--packet-us <us>', 'packet length in sensor time, µs', parsePositiveInt, 1000)
    .option('--fast-rate <hz>', 'camera sampling rate (at least) while the image moves fast', parsePositiveInt, 1000)
    .option('--lockstep', 'do not pace to the wall clock: stream as fast as the simulator runs')
    .option('--speed <factor>', 'real-time factor when pacing (2 = twice as fast)', parsePositiveNumber, 1)
    .option('--wait-subscriber-ms <ms>', 'wait this long for a subscriber before starting (0: start at once)', parseNonNegative, 2000)
    .option('--json', 'print the summary as one JSON object')
    .option('--quiet', 'no progress on stderr')
    .action(streamAction);

  sim
    .command('info')
    .description('Summarise an .evsim dataset')
    .argument('<file>', '.evsim file')
    .option('--json', 'print one JSON object')
    .action(infoAction);
}
