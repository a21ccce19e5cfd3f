/**
 * MSP v2 framing (https://github.com/iNavFlight/inav/wiki/MSP-V2), pure:
 *
 *   '$' 'X' <type> <flag u8> <function u16 LE> <size u16 LE> <payload…> <crc8>
 *
 * type '<' request to the flight controller, '>' response, '!' error response; the checksum is
 * CRC-8/DVB-S2 (polynomial 0xD5, init 0) over flag, function, size and payload. Betaflight (4.x)
 * and INAV answer v2 requests in v2.
 *
 * The decoder resynchronises like the MAVLink one: it looks for "$X" plus a valid type, waits for
 * the announced size, checks the CRC, and on any failure skips one byte and looks again. Every byte
 * outside a delivered frame is counted in `bytesSkipped` (MSP v1 frames included: we do not speak v1).
 */
import { ResyncBuffer } from '../codec/resyncBuffer.js';

export type MspDirection = '<' | '>' | '!';

export interface MspFrame {
  readonly direction: MspDirection;
  readonly flag: number;
  readonly fn: number;
  readonly payload: Uint8Array;
}

export interface MspDecodeCounters {
  bytesIn: number;
  bytesSkipped: number;
  frames: number;
  crcErrors: number;
  /** Candidate frames announcing more payload than `maxPayload`: treated as garbage. */
  oversize: number;
}

const HEADER = 8;
const DIRS: Record<number, MspDirection> = { 0x3c: '<', 0x3e: '>', 0x21: '!' };

/** CRC-8/DVB-S2 over `bytes[start, end)`. */
export function crc8DvbS2(bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number {
  for (let i = start; i < end; i++) {
    crc ^= bytes[i]!;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80 ? ((crc << 1) ^ 0xd5) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

/** Encodes one MSP v2 frame. */
export function encodeMspV2(direction: MspDirection, fn: number, payload: Uint8Array = new Uint8Array(0), flag = 0): Uint8Array {
  if (!Number.isInteger(fn) || fn < 0 || fn > 0xffff) throw new RangeError(`MSP function must be 0–65535, got ${fn}`);
  if (payload.length > 0xffff) throw new RangeError(`MSP payload too long: ${payload.length}`);
  const out = new Uint8Array(HEADER + payload.length + 1);
  out[0] = 0x24; // '$'
  out[1] = 0x58; // 'X'
  out[2] = direction.charCodeAt(0);
  out[3] = flag;
  out[4] = fn & 0xff;
  out[5] = fn >>> 8;
  out[6] = payload.length & 0xff;
  out[7] = payload.length >>> 8;
  out.set(payload, HEADER);
  out[out.length - 1] = crc8DvbS2(out, 3, HEADER + payload.length);
  return out;
}

export class MspV2Decoder {
  private readonly rb = new ResyncBuffer(512);
  private readonly c = { frames: 0, crcErrors: 0, oversize: 0 };

  /** @param maxPayload largest payload accepted (Betaflight's MSP buffer is 256–768 bytes). */
  constructor(private readonly maxPayload = 1024) {}

  push(chunk: Uint8Array): MspFrame[] {
    const rb = this.rb;
    rb.append(chunk);
    const out: MspFrame[] = [];
    while (rb.available > 0) {
      const b = rb.buf;
      const s = rb.start;
      if (b[s] !== 0x24) {
        rb.skipUntil((x) => x === 0x24);
        continue;
      }
      if (rb.available < 3) break;
      const dir = DIRS[b[s + 2]!];
      if (b[s + 1] !== 0x58 || !dir) {
        rb.skip(1);
        continue;
      }
      if (rb.available < HEADER) break;
      const size = b[s + 6]! | (b[s + 7]! << 8);
      if (size > this.maxPayload) {
        this.c.oversize++;
        rb.skip(1);
        continue;
      }
      const total = HEADER + size + 1;
      if (rb.available < total) break;
      if (crc8DvbS2(b, s + 3, s + HEADER + size) !== b[s + HEADER + size]) {
        this.c.crcErrors++;
        rb.skip(1);
        continue;
      }
      out.push({
        direction: dir,
        flag: b[s + 3]!,
        fn: b[s + 4]! | (b[s + 5]! << 8),
        payload: new Uint8Array(b.subarray(s + HEADER, s + HEADER + size)),
      });
      rb.consume(total);
      this.c.frames++;
    }
    return out;
  }

  counters(): MspDecodeCounters {
    return { ...this.c, bytesIn: this.rb.bytesIn, bytesSkipped: this.rb.bytesSkipped };
  }

  /** Drops a partial frame (after a reconnect), counting it as skipped. */
  reset(): void {
    this.rb.reset();
  }
}
