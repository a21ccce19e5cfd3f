/**
 * Learner checkpoint file format (pure encode/decode; checkpointStore.ts does the file I/O).
 *
 *   bytes 0–7    magic "EVPCKPT1"
 *   bytes 8–11   header length H (uint32 LE)
 *   12 … 12+H    header, UTF-8 JSON (CheckpointHeader), padded with spaces to a multiple of 4 bytes
 *   then         float32 LE: weights [totalLength], Adam m [trainableLength], Adam v [trainableLength]
 *   last 4       CRC-32 (zlib polynomial, uint32 LE) of every byte before it
 *
 * CRC-32 rather than SHA-256: the threat is a torn or bit-rotted file on the companion computer's flash, not
 * an adversary; CRC-32 catches every burst error up to 32 bits and costs 0.15 ms for the 0.7 MB file
 * (zlib.crc32, hardware-accelerated). Decoding never throws: it returns the reason a file is unusable.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { z } from 'zod';

export const CHECKPOINT_MAGIC = 'EVPCKPT1';
export const CHECKPOINT_FORMAT = 'evpilot.checkpoint/1';

/** Why a checkpoint was written. */
export type CheckpointReason = 'periodic' | 'close' | 'manual';

/** The JSON header. */
export interface CheckpointHeader {
  readonly format: typeof CHECKPOINT_FORMAT;
  /** Network name (WeightsManifest.model). */
  readonly model: string;
  /** Float32 values in the weights blob (WeightsManifest.totalLength). */
  readonly totalLength: number;
  /** Trainable values (length of each Adam moment vector). */
  readonly trainableLength: number;
  /** Adam step count t of the moments (0 after a reset). */
  readonly adamStep: number;
  /** Updates the learner applied over its life (keeps counting across resumes). */
  readonly updates: number;
  /** Version of the weights (the one inference adopted). */
  readonly weightsVersion: number;
  /** Store sequence number (file order). */
  readonly sequence: number;
  /** Clock time when written, µs (the learner's clock; for reports only). */
  readonly writtenTUs: number;
  readonly reason: CheckpointReason;
  /** Where the pretrained weights came from (their manifest's origin). */
  readonly origin: string;
  /**
   * SHA-256 (hex) of the pretrained weights the learner started from (`weightsSha256`). A checkpoint
   * continues only those: the runtime's input span, input filter and output scaling follow their manifest, and
   * weights trained in flight from other ones would read that input wrongly. Absent in checkpoints written
   * before round 8.
   */
  readonly pretrainedSha256?: string;
}

export interface CheckpointState {
  readonly header: CheckpointHeader;
  readonly weights: Float32Array;
  readonly adamM: Float32Array;
  readonly adamV: Float32Array;
}

const headerSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  model: z.string(),
  totalLength: z.number().int().positive(),
  trainableLength: z.number().int().nonnegative(),
  adamStep: z.number().int().nonnegative(),
  updates: z.number().int().nonnegative(),
  weightsVersion: z.number().int().nonnegative(),
  sequence: z.number().int().nonnegative(),
  writtenTUs: z.number(),
  reason: z.enum(['periodic', 'close', 'manual']),
  origin: z.string(),
  pretrainedSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});

/** SHA-256 (hex) of float32 weights' bytes: what a checkpoint records of the pretrained weights it started from, and what flight reports show. */
export function weightsSha256(weights: Float32Array): string {
  return createHash('sha256').update(new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength)).digest('hex');
}

/** The file bytes for `state` (one allocation of the file's size). */
export function encodeCheckpoint(state: CheckpointState): Uint8Array {
  const h = state.header;
  if (state.weights.length !== h.totalLength || state.adamM.length !== h.trainableLength || state.adamV.length !== h.trainableLength) {
    throw new RangeError('checkpoint: array lengths do not match the header');
  }
  let json = JSON.stringify(h);
  while (Buffer.byteLength(json) % 4 !== 0) json += ' ';
  const headerBytes = Buffer.from(json, 'utf8');
  const floats = h.totalLength + 2 * h.trainableLength;
  const total = 8 + 4 + headerBytes.length + floats * 4 + 4;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(Buffer.from(CHECKPOINT_MAGIC, 'ascii'), 0);
  view.setUint32(8, headerBytes.length, true);
  out.set(headerBytes, 12);
  let o = 12 + headerBytes.length;
  for (const a of [state.weights, state.adamM, state.adamV]) {
    // Float32Array bytes are platform-endian; every target (x86, ARM64) is little-endian, checked below.
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), o);
    o += a.byteLength;
  }
  view.setUint32(o, crc32(out.subarray(0, o)) >>> 0, true);
  return out;
}

export type DecodeResult = { readonly ok: true; readonly state: CheckpointState } | { readonly ok: false; readonly reason: string };

/** Parses and verifies a checkpoint file; never throws. */
export function decodeCheckpoint(bytes: Uint8Array): DecodeResult {
  const fail = (reason: string): DecodeResult => ({ ok: false, reason });
  if (bytes.length < 16) return fail(`truncated: ${bytes.length} bytes`);
  if (Buffer.from(bytes.subarray(0, 8)).toString('ascii') !== CHECKPOINT_MAGIC) return fail('not a checkpoint (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stored = view.getUint32(bytes.length - 4, true);
  const actual = crc32(bytes.subarray(0, bytes.length - 4)) >>> 0;
  if (stored !== actual) return fail(`checksum mismatch (stored ${hex(stored)}, computed ${hex(actual)})`);
  const hLen = view.getUint32(8, true);
  if (hLen % 4 !== 0 || 12 + hLen > bytes.length - 4) return fail(`bad header length ${hLen}`);
  let header: CheckpointHeader;
  try {
    header = headerSchema.parse(JSON.parse(Buffer.from(bytes.subarray(12, 12 + hLen)).toString('utf8')));
  } catch (err) {
    return fail(`bad header: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  const floats = header.totalLength + 2 * header.trainableLength;
  if (12 + hLen + floats * 4 + 4 !== bytes.length) return fail(`size ${bytes.length} bytes does not match the header (${12 + hLen + floats * 4 + 4})`);
  // Copy into aligned arrays (the file buffer's offset need not be a multiple of 4).
  const all = new Float32Array(floats);
  new Uint8Array(all.buffer).set(bytes.subarray(12 + hLen, 12 + hLen + floats * 4));
  const weights = all.subarray(0, header.totalLength);
  const adamM = all.subarray(header.totalLength, header.totalLength + header.trainableLength);
  const adamV = all.subarray(header.totalLength + header.trainableLength);
  for (const a of [weights, adamM, adamV]) {
    for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return fail('non-finite value in the payload');
  }
  return { ok: true, state: { header, weights, adamM, adamV } };
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) throw new Error('checkpoint format assumes a little-endian platform');
