/**
 * Incremental MAVLink frame decoder (v2, and v1 for autopilots that start in v1). Pure: feed it
 * byte chunks, get whole checked frames back. It never throws on input: every byte that does not
 * end up in a valid frame is counted in `bytesSkipped`, and the reason in the other counters.
 *
 * Resynchronisation: the decoder looks for a start byte (0xFD v2, 0xFE v1), waits for the length
 * the header announces, and checks the CRC-16/MCRF4XX including the message's CRC_EXTRA. On a bad
 * CRC or an unknown message id it skips only the start byte and looks again, so a false start
 * byte in garbage can delay, but never swallow, the valid frame behind it.
 *
 * We parse ourselves rather than use node-mavlink's `MavLinkPacketSplitter` because the splitter
 * neither counts skipped bytes nor exposes a synchronous, stream-free API, and it re-concatenates
 * its whole buffer on every chunk. CRC and CRC_EXTRA tables still come from node-mavlink.
 */
import { MSG_ID_MAGIC_NUMBER, x25crc } from 'node-mavlink';
import { ResyncBuffer } from '../codec/resyncBuffer.js';
import { verifyFrameSignature, type SignatureCheck } from './signing.js';

export const MAVLINK_V2_STX = 0xfd;
export const MAVLINK_V1_STX = 0xfe;
const V2_HEADER = 10;
const V1_HEADER = 6;
const CRC_LEN = 2;
export const SIGNATURE_LEN = 13;
export const IFLAG_SIGNED = 0x01;

/** One checked frame. `payload` is as received: MAVLink 2 may have truncated trailing zeros. */
export interface MavlinkFrame {
  readonly version: 1 | 2;
  readonly msgId: number;
  readonly sysId: number;
  readonly compId: number;
  readonly seq: number;
  readonly incompatFlags: number;
  readonly payload: Uint8Array;
  /** Signature block (v2 signed frames), null if unsigned. */
  readonly signature: { readonly linkId: number; readonly timestamp: number } | null;
  /** The whole frame as received, signature included. */
  readonly bytes: Uint8Array;
}

export interface MavlinkDecodeCounters {
  /** Bytes fed in. */
  bytesIn: number;
  /** Bytes that were not part of a delivered frame (garbage, bad frames, rejected frames). */
  bytesSkipped: number;
  /** Frames delivered. */
  frames: number;
  /** Candidate frames whose CRC did not match. */
  crcErrors: number;
  /** Candidate frames with a message id we have no CRC_EXTRA for (cannot be checked). */
  unknownMsgIds: number;
  /** v2 frames with incompatibility flags we do not understand: dropped, as the spec requires. */
  unsupportedFlags: number;
  /** Signed frames whose signature did not verify against the key. */
  badSignatures: number;
  /** Signed frames whose timestamp did not increase on their stream (replays). */
  replayedSignatures: number;
  /** Unsigned frames dropped because signing is required. */
  unsignedRejected: number;
}

export interface MavlinkDecoderOptions {
  /** CRC_EXTRA per message id; defaults to node-mavlink's table (all dialects). */
  crcExtra?: (msgId: number) => number | undefined;
  /**
   * Signature checking: with a key, signed frames are verified and replays dropped; with
   * `requireSigned`, unsigned frames are dropped too. Without, signed frames pass unverified.
   */
  signing?: SignatureCheck;
}

const defaultCrcExtra = (msgId: number): number | undefined => MSG_ID_MAGIC_NUMBER[msgId];

export class MavlinkFrameDecoder {
  private readonly rb = new ResyncBuffer();
  private readonly crcExtra: (msgId: number) => number | undefined;
  private readonly c: Omit<MavlinkDecodeCounters, 'bytesIn' | 'bytesSkipped'> = {
    frames: 0,
    crcErrors: 0,
    unknownMsgIds: 0,
    unsupportedFlags: 0,
    badSignatures: 0,
    replayedSignatures: 0,
    unsignedRejected: 0,
  };
  /** Last accepted signature timestamp per stream `sysId:compId:linkId`. */
  private readonly streamTimestamps = new Map<string, number>();

  constructor(private readonly opts: MavlinkDecoderOptions = {}) {
    this.crcExtra = opts.crcExtra ?? defaultCrcExtra;
  }

  /** Feeds bytes; returns the frames completed by them (possibly none). */
  push(chunk: Uint8Array): MavlinkFrame[] {
    const rb = this.rb;
    rb.append(chunk);
    const out: MavlinkFrame[] = [];
    while (rb.available > 0) {
      const b = rb.buf;
      const s = rb.start;
      const stx = b[s]!;
      if (stx !== MAVLINK_V2_STX && stx !== MAVLINK_V1_STX) {
        rb.skipUntil(isStx);
        continue;
      }
      const v2 = stx === MAVLINK_V2_STX;
      const hdr = v2 ? V2_HEADER : V1_HEADER;
      if (rb.available < hdr) break;
      const len = b[s + 1]!;
      const iflags = v2 ? b[s + 2]! : 0;
      const signed = v2 && (iflags & IFLAG_SIGNED) !== 0;
      const total = hdr + len + CRC_LEN + (signed ? SIGNATURE_LEN : 0);
      if (rb.available < total) break;
      const msgId = v2 ? b[s + 7]! | (b[s + 8]! << 8) | (b[s + 9]! << 16) : b[s + 5]!;
      const extra = this.crcExtra(msgId);
      if (extra === undefined) {
        this.c.unknownMsgIds++;
        rb.skip(1);
        continue;
      }
      const crcEnd = s + hdr + len;
      const crc = x25crc(b.subarray(s, crcEnd + CRC_LEN), 1, CRC_LEN, extra);
      if (crc !== (b[crcEnd]! | (b[crcEnd + 1]! << 8))) {
        this.c.crcErrors++;
        rb.skip(1);
        continue;
      }
      // From here the frame is genuine (CRC checked): whatever we decide, it is consumed whole.
      if (v2 && (iflags & ~IFLAG_SIGNED) !== 0) {
        this.c.unsupportedFlags++;
        rb.skip(total);
        continue;
      }
      const bytes = new Uint8Array(b.subarray(s, s + total));
      const frame: MavlinkFrame = {
        version: v2 ? 2 : 1,
        msgId,
        sysId: v2 ? b[s + 5]! : b[s + 3]!,
        compId: v2 ? b[s + 6]! : b[s + 4]!,
        seq: v2 ? b[s + 4]! : b[s + 2]!,
        incompatFlags: iflags,
        payload: bytes.subarray(hdr, hdr + len),
        signature: signed ? readSignature(bytes) : null,
        bytes,
      };
      if (!this.acceptSignature(frame)) {
        rb.skip(total);
        continue;
      }
      rb.consume(total);
      this.c.frames++;
      out.push(frame);
    }
    return out;
  }

  /** Cumulative counters (a copy). */
  counters(): MavlinkDecodeCounters {
    return { ...this.c, bytesIn: this.rb.bytesIn, bytesSkipped: this.rb.bytesSkipped };
  }

  /** Drops any partial frame (after a reconnect the old bytes mean nothing). Counted as skipped. */
  reset(): void {
    this.rb.reset();
  }

  private acceptSignature(frame: MavlinkFrame): boolean {
    const check = this.opts.signing;
    if (!check) return true;
    if (!frame.signature) {
      if (check.requireSigned) {
        this.c.unsignedRejected++;
        return false;
      }
      return true;
    }
    if (!verifyFrameSignature(frame.bytes, check.key)) {
      this.c.badSignatures++;
      return false;
    }
    const stream = `${frame.sysId}:${frame.compId}:${frame.signature.linkId}`;
    const last = this.streamTimestamps.get(stream);
    if (last !== undefined && frame.signature.timestamp <= last) {
      this.c.replayedSignatures++;
      return false;
    }
    this.streamTimestamps.set(stream, frame.signature.timestamp);
    return true;
  }

}

const isStx = (b: number): boolean => b === MAVLINK_V2_STX || b === MAVLINK_V1_STX;

function readSignature(frame: Uint8Array): { linkId: number; timestamp: number } {
  const o = frame.length - SIGNATURE_LEN;
  let ts = 0;
  for (let i = 5; i >= 0; i--) ts = ts * 256 + frame[o + 1 + i]!;
  return { linkId: frame[o]!, timestamp: ts };
}
