/**
 * EVT 3.0 and EVT 2.0 decode throughput on one core: a generated stream of realistic structure (edges
 * giving vector words, mixed polarities, isolated noise events, TIME_HIGH steps and counter wraps),
 * decoded from memory in 1 MiB chunks, repeated; figures in M events/s.
 */
import type { EventEncoding } from '../../src/contracts/eventEncoding.js';
import { createDecoder, createEncoder } from '../../src/formats/evt/index.js';
import { randomStream } from '../helpers/events.js';
import { msSince, round, roundSummary, runStandalone, summarize } from './stats.js';

const CHUNK_BYTES = 1 << 20;

function decodeOnce(encoding: EventEncoding, bytes: Uint8Array): { ms: number; events: number } {
  const decoder = createDecoder(encoding, { widthPx: 1280, heightPx: 720 });
  let events = 0;
  const sink = (b: { length: number }) => {
    events += b.length;
  };
  const start = process.hrtime.bigint();
  for (let off = 0; off < bytes.length; off += CHUNK_BYTES) decoder.decode(bytes.subarray(off, off + CHUNK_BYTES), sink);
  decoder.end(sink);
  return { ms: msSince(start), events };
}

export async function run(opts: { quick: boolean }): Promise<Record<string, unknown>> {
  const count = opts.quick ? 2_000_000 : 20_000_000;
  const runs = opts.quick ? 5 : 15;
  const out: Record<string, unknown> = {};
  // dense: edges sweeping the sensor (long vector runs); sparse: mostly short runs and isolated events.
  const profiles = [
    ['', randomStream(count, 2024, 1280, 720, 5e9)],
    ['Sparse', randomStream(count, 2025, 1280, 720, 5e9, { edgeShare: 0.3, maxRun: 6 })],
  ] as const;
  for (const [profile, events] of profiles)
  for (const encoding of ['evt3', 'evt2'] as const) {
    if (profile === 'Sparse' && encoding === 'evt2') continue; // EVT 2.0 has no vectors: same cost per event
    const bytes = createEncoder(encoding).encode(events);
    for (let w = 0; w < 3; w++) decodeOnce(encoding, bytes); // warm-up: let the JIT settle
    const meps: number[] = [];
    for (let r = 0; r < runs; r++) {
      const { ms, events: n } = decodeOnce(encoding, bytes);
      if (n !== count) throw new Error(`decoded ${n} events, expected ${count}`);
      meps.push(n / ms / 1e3);
    }
    const s = summarize(meps);
    out[`${encoding}${profile}DecodeMeps`] = {
      events: count,
      bytesPerEvent: round(bytes.length / count, 3),
      ...roundSummary(s, 1),
      // For throughput the slow tail is the low percentile.
      p1: round([...meps].sort((a, b) => a - b)[Math.floor(0.01 * meps.length)]!, 1),
    };
  }
  return out;
}

await runStandalone(import.meta.url, run);
