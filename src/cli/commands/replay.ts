import { setTimeout as sleepMs } from 'node:timers/promises';
import { InvalidArgumentError, type Command } from 'commander';
import type { Clock } from '../../contracts/clock.js';
import type { EventEncoding } from '../../contracts/eventEncoding.js';
import { probeRawFile, type RawFileInfo } from '../../ingest/file/rawFileReader.js';
import { replayRawFile, type ReplayStats } from '../../ingest/replay/replayRawFile.js';
import { checkEndpoint, ZmqEventPublisher } from '../../ingest/zmq/index.js';
import { realClock } from '../../platform/time.js';
import { CliError, EXIT_USAGE, fileError } from '../cliError.js';
import { parseEncoding, parsePositiveInt } from '../options.js';


export interface ReplayCommandOptions {
  readonly endpoint: string;
  /** Sensor seconds per wall second; Infinity = as fast as possible. */
  readonly speed: number;
  readonly packetUs: number;
  readonly sensorId: number;
  readonly loop?: boolean;
  /** Fallbacks for headerless files. */
  readonly format?: EventEncoding;
  readonly width?: number;
  readonly height?: number;
  /** Wire encoding; default the file's. */
  readonly encoding?: EventEncoding;
  /** Connect to a bound subscriber instead of binding. */
  readonly connect?: boolean;
  readonly waitSubscriberMs?: number;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

/** Where the command writes, and what it runs against (tests inject these). */
export interface ReplayIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
  /** Called once the socket is open, with the endpoint actually bound (OS-chosen port resolved). */
  readonly onOpen?: (endpoint: string) => void;
}

/** The final figures (`--json` prints this object on one line). Sensor times in s, wall time in s. */
export interface ReplaySummary {
  readonly file: string;
  readonly fileFormat: string;
  readonly wireEncoding: EventEncoding;
  readonly width: number;
  readonly height: number;
  readonly endpoint: string;
  readonly sensorId: number;
  readonly streamId: number;
  readonly speed: number | 'max';
  readonly passes: number;
  readonly events: number;
  readonly packets: number;
  readonly bytes: number;
  readonly sensorSpanS: number;
  readonly wallS: number;
  readonly achievedSpeed: number | null;
  readonly maxLagMs: number;
  readonly subscribers: number;
  readonly reorderedEvents: number;
  readonly decodeDropped: number;
  readonly invalidWords: number;
  readonly aborted: boolean;
}


/** Replays `file` to `opts.endpoint`; resolves with the summary it printed. User errors throw CliError. */
export async function runReplay(file: string, opts: ReplayCommandOptions, io: ReplayIo): Promise<ReplaySummary> {
  const mode = opts.connect === true ? 'connect' : 'bind';
  const badEndpoint = checkEndpoint(opts.endpoint, mode);
  if (badEndpoint !== undefined) throw new CliError(`--endpoint ${badEndpoint}`, EXIT_USAGE);
  const info = await probe(file, opts);
  const clock = io.clock ?? realClock;
  const { geometry } = info.format;
  const wireEncoding = opts.encoding ?? info.format.encoding;
  const publisher = new ZmqEventPublisher({ endpoint: opts.endpoint, mode, sensorId: opts.sensorId, geometry, encoding: wireEncoding });
  try {
    await publisher.open();
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
  const progress = opts.quiet !== true && opts.json !== true;
  let stats: ReplayStats;
  try {
    io.onOpen?.(publisher.endpoint);
    if (progress) {
      io.err(
        `replay: ${file} (${info.format.formatName} ${geometry.widthPx}x${geometry.heightPx}) → ${publisher.endpoint} ` +
          `as sensor ${opts.sensorId}, ${wireEncoding.toUpperCase()} packets of ${opts.packetUs} µs, ` +
          `speed ${opts.speed === Infinity ? 'max' : `${opts.speed}×`}${opts.loop === true ? ', looping (Ctrl-C stops)' : ''}`,
      );
    }
    const waitMs = opts.waitSubscriberMs ?? 0;
    if (waitMs > 0) {
      if (progress) io.err(`replay: waiting up to ${waitMs} ms for a subscriber…`);
      if (!(await publisher.waitForSubscriber(waitMs))) {
        io.err(`replay: no subscriber after ${waitMs} ms; publishing anyway (packets are lost until one connects)`);
      }
    }
    stats = await replayRawFile({
      info,
      publish: (slice) => publisher.publish(slice),
      speed: opts.speed,
      sliceUs: opts.packetUs,
      loop: opts.loop,
      clock,
      sleep: (ms) => sleepMs(ms, undefined, { signal: io.signal }).catch(() => {}),
      signal: io.signal,
      onProgress: progress ? (s) => io.err(progressLine(s, publisher.counters.packets)) : undefined,
    });
  } finally {
    await publisher.close();
  }
  const summary = summarize(file, info, opts, wireEncoding, publisher, stats);
  if (opts.json === true) io.out(JSON.stringify(summary));
  else for (const line of summaryLines(summary)) io.out(line);
  return summary;
}

async function probe(file: string, opts: ReplayCommandOptions): Promise<RawFileInfo> {
  try {
    return await probeRawFile(file, { encoding: opts.format, widthPx: opts.width, heightPx: opts.height });
  } catch (err) {
    throw fileError(file, err);
  }
}

function summarize(
  file: string,
  info: RawFileInfo,
  opts: ReplayCommandOptions,
  wireEncoding: EventEncoding,
  publisher: ZmqEventPublisher,
  s: ReplayStats,
): ReplaySummary {
  const pc = publisher.counters;
  const spanS = s.firstTUs === undefined || s.lastTUs === undefined ? 0 : (s.lastTUs - s.firstTUs) / 1e6;
  const wallS = s.clockUs / 1e6;
  return {
    file,
    fileFormat: info.format.formatName,
    wireEncoding,
    width: info.format.geometry.widthPx,
    height: info.format.geometry.heightPx,
    endpoint: publisher.endpoint,
    sensorId: opts.sensorId,
    streamId: publisher.streamId,
    speed: opts.speed === Infinity ? 'max' : opts.speed,
    passes: s.passes,
    events: s.events,
    packets: pc.packets,
    bytes: pc.bytes,
    sensorSpanS: spanS,
    wallS,
    achievedSpeed: wallS > 0 && spanS > 0 ? spanS / wallS : null,
    maxLagMs: s.maxLagUs / 1000,
    subscribers: pc.subscribers,
    reorderedEvents: s.reorderedEvents,
    decodeDropped: s.decode.droppedOutOfGeometry + s.decode.droppedNoTimeBase,
    invalidWords: s.decode.invalidWords,
    aborted: s.aborted,
  };
}

function progressLine(s: ReplayStats, packets: number): string {
  const spanS = s.firstTUs === undefined || s.lastTUs === undefined ? 0 : (s.lastTUs - s.firstTUs) / 1e6;
  const wallS = s.clockUs / 1e6;
  return (
    `replay: ${spanS.toFixed(1)} s sensor time, ${(s.events / 1e6).toFixed(2)} M events, ${packets} packets, ` +
    `${wallS > 0 ? (spanS / wallS).toFixed(2) : '-'}× real time, worst lag ${(s.maxLagUs / 1000).toFixed(1)} ms`
  );
}

function summaryLines(s: ReplaySummary): string[] {
  const lines = [
    `replayed ${s.file}${s.aborted ? ' (stopped)' : ''}: ${s.passes} pass${s.passes === 1 ? '' : 'es'}, ${s.events} events ` +
      `in ${s.packets} packets (${(s.bytes / 1e6).toFixed(2)} MB) to ${s.endpoint} as sensor ${s.sensorId}`,
    `  ${s.sensorSpanS.toFixed(3)} s of sensor time in ${s.wallS.toFixed(3)} s` +
      `${s.achievedSpeed === null ? '' : ` (${s.achievedSpeed.toFixed(2)}× real time)`}, worst lag ${s.maxLagMs.toFixed(1)} ms, ` +
      `${s.subscribers} subscriber${s.subscribers === 1 ? '' : 's'} at the end`,
  ];
  if (s.reorderedEvents > 0) lines.push(`  warning: ${s.reorderedEvents} events went back in time and were sent at their predecessor's time`);
  if (s.decodeDropped + s.invalidWords > 0) {
    lines.push(`  warning: the file held ${s.invalidWords} invalid words and ${s.decodeDropped} undecodable events (skipped)`);
  }
  return lines;
}

function parseSpeed(value: string): number {
  const v = value.trim().toLowerCase();
  if (v === 'max' || v === '0' || v === 'inf') return Infinity;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a positive number, or 0 / 'max' for as fast as possible");
  return n;
}

function parseSensorId(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 0xffffffff) throw new InvalidArgumentError('expected an integer 0..4294967295');
  return n;
}

function parseNonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('expected an integer ≥ 0');
  return Number(value);
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description(
      'Publish a Prophesee RAW recording over ZeroMQ as a live camera driver would, paced by sensor time ' +
        'against the wall clock (packet format: src/ingest/zmq/WIRE_FORMAT.md).',
    )
    .argument('<file.raw>', 'recording (EVT 2.0 or EVT 3.0 RAW file)')
    .requiredOption('--endpoint <endpoint>', 'ZeroMQ endpoint to bind, or to connect to with --connect (tcp://*:5555, ipc:///tmp/evpilot-events)')
    .option('--speed <x>', "sensor seconds per wall second; 0 or 'max' = as fast as possible", parseSpeed, 1)
    .option('--packet-us <n>', 'sensor time per packet, µs (packets are cut on a grid of this length)', parsePositiveInt, 1000)
    .option('--sensor-id <n>', 'sensor id written in every packet (subscribers may filter on it)', parseSensorId, 0)
    .option('--encoding <evt2|evt3>', "payload encoding on the wire (default: the file's)", parseEncoding)
    .option('--loop', 'replay again and again (sensor time keeps increasing across passes) until Ctrl-C')
    .option('--connect', 'connect to a subscriber that binds, instead of binding')
    .option('--wait-subscriber-ms <ms>', 'wait up to this long for a subscriber before publishing (see below)', parseNonNegativeInt, 0)
    .option('--format <evt2|evt3>', 'encoding of a headerless file', parseEncoding)
    .option('--width <px>', 'sensor width of a headerless file', parsePositiveInt)
    .option('--height <px>', 'sensor height of a headerless file', parsePositiveInt)
    .option('--json', 'print the final figures as one JSON line on stdout (no progress on stderr)')
    .option('--quiet', 'no progress lines on stderr')
    .addHelpText(
      'after',
      `
ZeroMQ PUB/SUB drops what is published before a subscriber has joined ("slow joiner"). A live camera
does not care; to deliver a recording whole, start the subscriber first and give --wait-subscriber-ms:
publishing then starts as soon as a subscription for this sensor arrives. Subscribers that cannot keep
up lose packets at ZeroMQ's high-water mark; they see it as gaps in the sequence numbers.

Each packet is self-contained and carries the absolute sensor time of its first event, so a subscriber
may join or lose packets at any point. Progress goes to stderr about once a second; the summary to stdout.

Examples:
  evpilot replay flight.raw --endpoint tcp://*:5555
  evpilot replay flight.raw --endpoint ipc:///tmp/evpilot-events --speed max --wait-subscriber-ms 10000 --json
  evpilot replay dump.bin --format evt3 --width 640 --height 480 --endpoint tcp://*:5555 --loop`,
    )
    .action(async (file: string, opts: ReplayCommandOptions) => {
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        await runReplay(file, opts, {
          out: (line) => process.stdout.write(`${line}\n`),
          err: (line) => process.stderr.write(`${line}\n`),
          signal: abort.signal,
        });
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
