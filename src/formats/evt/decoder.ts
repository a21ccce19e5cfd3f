import type { DecodeCounters } from '../../contracts/decodeCounters.js';
import type { EventBatch } from '../../contracts/eventBatch.js';

/** Receives decoded events. The batch and its arrays are reused: valid only during the call. */
export type BatchSink = (batch: EventBatch) => void;

/**
 * A streaming decoder of one raw event encoding.
 *
 * Chunks may end anywhere — inside a word, inside an EVT 3.0 vector sequence — and the decoder carries
 * the partial word over to the next chunk. Events are delivered through `onBatch` in stream order, in
 * batches of at most `batchCapacity` events. Nothing in the stream is fatal: everything that is not an
 * in-geometry event is counted in `counters`.
 */
export interface EventDecoder {
  decode(chunk: Uint8Array, onBatch: BatchSink): void;
  /** Flushes pending events and counts a trailing partial word (the stream ended mid-word). */
  end(onBatch: BatchSink): void;
  /**
   * Forgets the stream state (time base, current row, vector base, partial word). Afterwards the decoder
   * waits for the next TIME_HIGH word, as at the start of a stream. With `anchorUs`, the sensor's wrapping
   * time counter is unwrapped to the absolute time nearest to it (a live packet's header carries one);
   * without, the counter starts from loop 0. Counters are kept.
   */
  reset(anchorUs?: number): void;
  readonly counters: DecodeCounters;
}

/** Options shared by the decoders. */
export interface DecoderOptions {
  /** Largest batch handed to `onBatch` (events). Default 65 536. */
  readonly batchCapacity?: number;
  /**
   * `none` (default): timestamps are absolute sensor time, so decode(encode(events)) is the identity.
   * `prophesee`: shift timestamps as Metavision's RAW reader does by default (do_time_shifting): EVT 3.0
   * subtracts (firstTimeHigh − 1) · 4096 µs, EVT 2.0 subtracts firstTimeHigh · 64 µs.
   */
  readonly timeShift?: 'none' | 'prophesee';
}

export class MutableCounters implements DecodeCounters {
  bytes = 0;
  events = 0;
  onEvents = 0;
  offEvents = 0;
  droppedOutOfGeometry = 0;
  droppedNoTimeBase = 0;
  invalidWords = 0;
  triggers = 0;
  otherWords = 0;
  timeWraps = 0;
  trailingBytes = 0;
}
