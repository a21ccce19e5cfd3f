/**
 * MAVLink 2 message signing (https://mavlink.io/en/guide/message_signing.html).
 *
 * A signed frame carries 13 more bytes: link id (1), timestamp (6, little-endian, units of 10 µs
 * since 2015-01-01 00:00 UTC) and the first 6 bytes of SHA-256(secret key ‖ frame up to and
 * including the timestamp). Timestamps must strictly increase per stream (system, component,
 * link id); receivers drop frames whose timestamp does not.
 *
 * node-mavlink's `sign()` takes its timestamp from `Date.now()` in milliseconds, so two frames in
 * the same millisecond would carry the same timestamp — a replay to a strict receiver. We keep the
 * library's signature arithmetic (`MavLinkPacketSignature`) and supply the timestamp ourselves.
 */
import { createHash } from 'node:crypto';
import { MavLinkPacketSignature } from 'node-mavlink';
import type { Clock } from '../../src/contracts/clock.js';

/** Unix time of the MAVLink signing epoch, 2015-01-01T00:00:00Z, in µs. */
export const SIGNING_EPOCH_UNIX_US = 1_420_070_400_000_000;
export const SIGNATURE_LENGTH = 13;

/** How received signatures are checked. */
export interface SignatureCheck {
  /** The 32-byte secret key. */
  readonly key: Uint8Array;
  /** Drop unsigned frames (default: accept them). */
  readonly requireSigned?: boolean;
}

/** How outgoing frames are signed. */
export interface SigningConfig {
  /** The 32-byte secret key shared with the autopilot (PX4/ArduPilot SETUP_SIGNING). */
  readonly key: Uint8Array;
  /** Link id written into each signature (0–255). */
  readonly linkId: number;
  /** Timestamp source; see `SigningTimestamps`. */
  readonly timestamps: SigningTimestamps;
}

/** Derives a 32-byte key from a passphrase the way Mission Planner and QGroundControl do (SHA-256). */
export function signingKeyFromPassphrase(passphrase: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(passphrase).digest());
}

/**
 * Signing timestamps: Unix time reconstructed from the injected monotonic Clock plus an offset
 * sampled once at start-up (so logic never reads the wall clock), forced to increase by at least
 * one unit (10 µs) per frame as the specification requires.
 */
export class SigningTimestamps {
  private last = -1;

  /**
   * @param clock the runtime's monotonic clock (µs)
   * @param unixUsAtClockZero Unix time (µs) corresponding to `clock.nowUs() === 0`; the composition
   *   root computes it once (`Date.now() * 1000 - clock.nowUs()`).
   */
  constructor(
    private readonly clock: Clock,
    private readonly unixUsAtClockZero: number,
  ) {}

  /** Next timestamp in 10 µs units since the MAVLink epoch, strictly greater than the previous one. */
  next(): number {
    const fromClock = Math.floor((this.unixUsAtClockZero + this.clock.nowUs() - SIGNING_EPOCH_UNIX_US) / 10);
    this.last = Math.max(this.last + 1, fromClock);
    return this.last;
  }
}

/**
 * Appends a signature block to an unsigned-but-flagged frame (incompat flag 0x01 already set and
 * covered by its CRC). Returns the signed frame.
 */
export function signFrame(frame: Uint8Array, config: SigningConfig): Buffer {
  const out = Buffer.alloc(frame.length + SIGNATURE_LENGTH);
  out.set(frame, 0);
  const sig = new MavLinkPacketSignature(out);
  sig.linkId = config.linkId;
  sig.timestamp = config.timestamps.next();
  sig.signature = sig.calculate(Buffer.from(config.key));
  return out;
}

/** True when the last 6 bytes of a signed frame match the key. */
export function verifyFrameSignature(frame: Uint8Array, key: Uint8Array): boolean {
  const buf = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  return new MavLinkPacketSignature(buf).matches(Buffer.from(key));
}
