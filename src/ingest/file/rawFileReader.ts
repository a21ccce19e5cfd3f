import { open } from 'node:fs/promises';
import type { DecodeCounters } from '../../contracts/decodeCounters.js';
import type { EventBatch } from '../../contracts/eventBatch.js';
import {
  createDecoder,
  parseRawHeader,
  resolveRawFormat,
  type DecoderOptions,
  type RawFormat,
  type RawFormatOverrides,
  type RawHeader,
} from '../../formats/evt/index.js';

/** Bytes read for the header; Metavision headers are a few hundred bytes. */
const HEADER_PROBE_BYTES = 64 * 1024;
const DEFAULT_CHUNK_BYTES = 1 << 20;

export interface RawFileInfo {
  readonly path: string;
  readonly fileBytes: number;
  readonly header: RawHeader;
  readonly format: RawFormat;
}

export interface ReadRawFileOptions extends RawFormatOverrides, DecoderOptions {
  /** Bytes per read; any size works (chunks split words and vectors anywhere). Default 1 MiB. */
  readonly chunkBytes?: number;
}

/** Reads and resolves a RAW file's header. Throws RawFormatError (bad header) or a Node fs error (ENOENT …). */
export async function probeRawFile(path: string, overrides: RawFormatOverrides = {}): Promise<RawFileInfo> {
  const fh = await open(path, 'r');
  try {
    const stat = await fh.stat();
    if (!stat.isFile()) throw new Error(`${path} is not a regular file`);
    const probe = new Uint8Array(Math.min(HEADER_PROBE_BYTES, stat.size));
    await fh.read(probe, 0, probe.length, 0);
    const header = parseRawHeader(probe);
    return { path, fileBytes: stat.size, header, format: resolveRawFormat(header, overrides) };
  } finally {
    await fh.close();
  }
}

/**
 * Streams a RAW file through the right decoder, calling `onBatch` with batches valid only during the call.
 * `onBatch` may return a promise (back-pressure: reading pauses after the chunk until it settles), but it
 * must copy what it keeps before returning, since the decoder reuses its buffers.
 * Resolves with the file info and the decoder's counters when the whole file has been read.
 */
export async function readRawFile(
  path: string,
  onBatch: (batch: EventBatch) => void | Promise<void>,
  options: ReadRawFileOptions = {},
): Promise<{ info: RawFileInfo; counters: DecodeCounters }> {
  const info = await probeRawFile(path, options);
  const decoder = createDecoder(info.format.encoding, info.format.geometry, options);
  const fh = await open(path, 'r');
  const chunk = new Uint8Array(Math.max(1, options.chunkBytes ?? DEFAULT_CHUNK_BYTES));
  const pending: Promise<void>[] = [];
  const sink = (batch: EventBatch) => {
    const r = onBatch(batch);
    if (r instanceof Promise) pending.push(r);
  };
  try {
    let position = info.header.headerBytes;
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      decoder.decode(chunk.subarray(0, bytesRead), sink);
      // An async consumer (a publisher pacing replay) applies back-pressure per chunk.
      if (pending.length > 0) await Promise.all(pending.splice(0));
    }
    decoder.end(sink);
    if (pending.length > 0) await Promise.all(pending.splice(0));
  } finally {
    await fh.close();
  }
  return { info, counters: decoder.counters };
}
