import type { EventBatch } from '../../src/contracts/eventBatch.js';
import { EventBuffer, type EventDecoder } from '../../src/formats/evt/index.js';

/** Feeds `bytes` to a decoder in the given chunk sizes and collects every event. */
export function decodeInChunks(decoder: EventDecoder, bytes: Uint8Array, cuts: readonly number[] = []): EventBatch {
  const out = new EventBuffer(1024);
  const sink = (b: EventBatch) => out.append(b);
  let start = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    decoder.decode(bytes.subarray(start, cut), sink);
    start = cut;
  }
  decoder.decode(bytes.subarray(start), sink);
  decoder.end(sink);
  return out.toBatch();
}

export function words16(...words: number[]): Uint8Array {
  return new Uint8Array(new Uint16Array(words).buffer);
}

export function words32(...words: number[]): Uint8Array {
  return new Uint8Array(new Uint32Array(words.map((w) => w >>> 0)).buffer);
}
