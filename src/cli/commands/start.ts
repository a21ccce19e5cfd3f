import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { IngestRuntime, type IngestStatus } from '../../app/ingestRuntime.js';
import { checkEndpoint, ZmqEventSource, type ZmqSourceCounters } from '../../ingest/zmq/index.js';
import { realClock } from '../../platform/time.js';
import { CliError } from '../cliError.js';
import { parsePositiveNumber } from '../options.js';
import { runReplay } from './replay.js';


interface StartOptions {
  endpoint?: string;
  replay?: string;
  seconds: number;
  rateHz: number;
  speed: number;
  json?: boolean;
}

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
  if (opts.endpoint === undefined && opts.replay === undefined) {
    throw new CliError('no event source: give --replay <file.raw> or --endpoint <zmq endpoint>', 2);
  }
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
    const deadline = opts.seconds > 0 ? setTimeout(() => controller.abort(), opts.seconds * 1000) : undefined;
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

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('Run the onboard runtime on a live event stream (ZeroMQ) or a replayed recording')
    .option('--endpoint <endpoint>', 'subscribe to a camera driver publishing EVPK packets (tcp://host:port, ipc://path)')
    .option('--replay <file>', 'replay a RAW recording in-process as the camera driver')
    .option('--seconds <s>', 'stop after this many seconds (0 = until Ctrl-C)', parseFloat, 10)
    .option('--rate-hz <hz>', 'window rate (sensor time)', parsePositiveNumber, 200)
    .option('--speed <x>', 'replay speed (sensor seconds per wall second)', parsePositiveNumber, 1)
    .option('--json', 'print the final figures as one JSON object')
    .action(async (opts: StartOptions) => {
      await runStart(opts, (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'));
    });
}
