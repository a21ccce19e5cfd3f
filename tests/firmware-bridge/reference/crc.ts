/**
 * Independent reference implementations for the tests, written bit by bit from the specifications
 * (not table-driven, not shared with the code under test).
 */

/** CRC-16/MCRF4XX (MAVLink's "X.25" CRC): poly 0x1021 reflected (0x8408), init 0xFFFF, no final XOR. */
export function crc16Mcrf4xx(bytes: ArrayLike<number>): number {
  let crc = 0xffff;
  for (let i = 0; i < bytes.length; i++) {
    crc ^= bytes[i]! & 0xff;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return crc;
}

/** CRC-8/DVB-S2 (MSP v2): poly 0xD5, init 0, not reflected, no final XOR. */
export function crc8DvbS2(bytes: ArrayLike<number>): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) {
    crc ^= bytes[i]! & 0xff;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80 ? ((crc << 1) ^ 0xd5) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

/**
 * MAVLink CRC_EXTRA from a message definition: CRC over "NAME ", then per base field in wire order
 * (sorted by type size, descending, stable) "type " and "name " and, for arrays, the length byte;
 * folded to one byte as (crc & 0xFF) ^ (crc >> 8). Extension fields do not take part.
 */
export function crcExtra(name: string, wireOrderFields: readonly (readonly [type: string, name: string, arrayLength?: number])[]): number {
  const bytes: number[] = [...Buffer.from(`${name} `, 'ascii')];
  for (const [type, field, arrayLength] of wireOrderFields) {
    bytes.push(...Buffer.from(`${type} `, 'ascii'), ...Buffer.from(`${field} `, 'ascii'));
    if (arrayLength) bytes.push(arrayLength);
  }
  const crc = crc16Mcrf4xx(bytes);
  return (crc & 0xff) ^ (crc >> 8);
}

/** The MAVLink 2 checksum of a frame: CRC over bytes 1 … end of payload, then CRC_EXTRA; little-endian. */
export function mavlinkChecksum(headerAndPayload: ArrayLike<number>, extra: number): [number, number] {
  const bytes = Array.from(headerAndPayload).slice(1);
  bytes.push(extra);
  const crc = crc16Mcrf4xx(bytes);
  return [crc & 0xff, crc >> 8];
}

/** Small deterministic PRNG (mulberry32) for garbage generation. */
export { mulberry32 as prng } from '../../../src/platform/random.js';

/** Little-endian byte writer for building expected frames by hand. */
export class LeBytes {
  readonly bytes: number[] = [];
  u8(v: number): this {
    this.bytes.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v).u8(v >>> 8);
  }
  u32(v: number): this {
    return this.u16(v & 0xffff).u16(v >>> 16);
  }
  f32(v: number): this {
    const dv = new DataView(new ArrayBuffer(4));
    dv.setFloat32(0, v, true);
    for (let i = 0; i < 4; i++) this.u8(dv.getUint8(i));
    return this;
  }
}
