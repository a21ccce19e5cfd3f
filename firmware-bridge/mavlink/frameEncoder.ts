/**
 * MAVLink 2 frame encoder: node-mavlink's `MavLinkProtocolV2.serialize` for the field layout and
 * CRC, with two corrections and our own sequence and signing.
 *
 * 1. Truncation: MAVLink 2 drops trailing zero bytes of the payload, but "the first byte of the
 *    payload is never truncated, even if the payload consists entirely of zeros"
 *    (https://mavlink.io/en/guide/serialization.html#payload_truncation). node-mavlink 2.3.0 strips
 *    an all-zero payload to length 0 (its loop stops at the payload start without keeping a byte),
 *    which strict parsers (the C library's MAVLINK_CHECK_MESSAGE_LENGTH builds) drop. We re-emit such
 *    frames with a one-byte payload and recompute the CRC.
 * 2. Sequence: node-mavlink's `send()` shares one sequence counter across every stream in the
 *    process; each encoder here counts its own (per sending component, as the spec intends).
 */
import { MavLinkProtocolV2, x25crc, type MavLinkData } from 'node-mavlink';
import { signFrame, type SigningConfig } from './signing.js';

const HEADER = 10;
const CRC_LEN = 2;

/** The static side of a node-mavlink message class. */
interface MessageClass {
  readonly MSG_ID: number;
  readonly MAGIC_NUMBER: number;
  readonly PAYLOAD_LENGTH: number;
}

export interface MavlinkEncoderOptions {
  /** Our system id: on a vehicle, the autopilot's system id (companion and autopilot share it). */
  sysId: number;
  /** Our component id: 191 (MAV_COMP_ID_ONBOARD_COMPUTER) for the companion, 1 for an autopilot. */
  compId: number;
  /** Sign every frame (MAVLink 2 signing); unsigned if absent. */
  signing?: SigningConfig;
}

export class MavlinkEncoder {
  private seq = 0;
  private readonly protocol: MavLinkProtocolV2;

  constructor(readonly opts: MavlinkEncoderOptions) {
    for (const [name, v] of [['sysId', opts.sysId], ['compId', opts.compId]] as const) {
      if (!Number.isInteger(v) || v < 1 || v > 255) throw new RangeError(`${name} must be 1–255, got ${v}`);
    }
    this.protocol = new MavLinkProtocolV2(
      opts.sysId,
      opts.compId,
      opts.signing ? MavLinkProtocolV2.IFLAG_SIGNED : 0,
    );
  }

  /** Encodes one message into a complete frame (signed when configured). */
  encode(message: MavLinkData): Uint8Array {
    const raw = this.protocol.serialize(message, this.seq);
    this.seq = (this.seq + 1) & 0xff;
    const frame = keepFirstPayloadByte(raw, message.constructor as unknown as MessageClass);
    return this.opts.signing ? signFrame(frame, this.opts.signing) : frame;
  }
}

/** Re-emits a frame whose payload was truncated to zero bytes with its first (zero) byte kept. */
function keepFirstPayloadByte(frame: Buffer, cls: MessageClass): Buffer {
  if (frame[1] !== 0 || cls.PAYLOAD_LENGTH === 0) return frame;
  const fixed = Buffer.alloc(HEADER + 1 + CRC_LEN);
  frame.copy(fixed, 0, 0, HEADER);
  fixed[1] = 1; // payload length; fixed[HEADER] is the all-zero payload's first byte
  fixed.writeUInt16LE(x25crc(fixed, 1, CRC_LEN, cls.MAGIC_NUMBER), HEADER + 1);
  return fixed;
}
