/**
 * The MSP messages the bridge uses, with Betaflight's payload layouts (src/main/msp/msp.c, 4.x):
 *
 * - MSP_STATUS (101) → u16 cycle time, u16 i2c errors, u16 sensors, u32 flight-mode flags, … The
 *   flags are packed in the order of the active boxes; ARM is always box 0 and ANGLE (present when
 *   an accelerometer is) box 1, so bit 0 = armed, bit 1 = ANGLE.
 * - MSP_RAW_IMU (102) → 3 × i16 accelerometer (1 g = 512), 3 × i16 gyro (deg/s), 3 × i16 magnetometer.
 * - MSP_ATTITUDE (108) → i16 roll (0.1°), i16 pitch (0.1°), i16 yaw/heading (1°, 0–359).
 * - MSP_ANALOG (110) → u8 legacy voltage (0.1 V), u16 mAh drawn, u16 RSSI, i16 current (0.01 A),
 *   u16 voltage (0.01 V).
 * - MSP_SET_RAW_RC (200) ← n × u16 channel values (µs, 1000–2000), answered with an empty frame.
 *
 * Axis conventions are assumed to be the aviation ones (roll right-down, pitch nose-up, yaw
 * clockwise positive); `MspAxisSigns` flips them if a board proves otherwise on the bench.
 */
import type { BodyRatesRadS, EulerAnglesRad } from '../../src/contracts/vehicleState.js';

export const MSP = {
  STATUS: 101,
  RAW_IMU: 102,
  ATTITUDE: 108,
  ANALOG: 110,
  SET_RAW_RC: 200,
} as const;

const DEG = Math.PI / 180;

/** Sign per axis (roll, pitch, yaw) applied to MSP attitude and gyro values. */
export type MspAxisSigns = readonly [number, number, number];
export const DEFAULT_AXIS_SIGNS: MspAxisSigns = [1, 1, 1];

function view(p: Uint8Array): DataView {
  return new DataView(p.buffer, p.byteOffset, p.byteLength);
}

/*
 * Decoders insist on the exact payload length where Betaflight and INAV agree on it: MSP's 8-bit
 * CRC lets about one false frame in 256 through, and a length check rejects most of those.
 */

export function decodeAttitude(p: Uint8Array, signs: MspAxisSigns = DEFAULT_AXIS_SIGNS): EulerAnglesRad | null {
  if (p.length !== 6) return null;
  const v = view(p);
  const yawDeg = v.getInt16(4, true);
  return {
    rollRad: signs[0] * v.getInt16(0, true) * 0.1 * DEG,
    pitchRad: signs[1] * v.getInt16(2, true) * 0.1 * DEG,
    yawRad: signs[2] * wrapDeg(yawDeg) * DEG,
  };
}

export function encodeAttitude(a: EulerAnglesRad): Uint8Array {
  const out = new Uint8Array(6);
  const v = view(out);
  v.setInt16(0, clampI16(Math.round(a.rollRad / DEG / 0.1)), true);
  v.setInt16(2, clampI16(Math.round(a.pitchRad / DEG / 0.1)), true);
  v.setInt16(4, Math.round(((a.yawRad / DEG) % 360 + 360) % 360) % 360, true);
  return out;
}

/** Body rates from MSP_RAW_IMU's gyro words (deg/s). */
export function decodeRawImuRates(p: Uint8Array, signs: MspAxisSigns = DEFAULT_AXIS_SIGNS): BodyRatesRadS | null {
  if (p.length !== 18) return null;
  const v = view(p);
  return {
    rollRadS: signs[0] * v.getInt16(6, true) * DEG,
    pitchRadS: signs[1] * v.getInt16(8, true) * DEG,
    yawRadS: signs[2] * v.getInt16(10, true) * DEG,
  };
}

/** MSP_RAW_IMU payload: accelerometer in g (scaled 512/g), gyro in rad/s (sent as deg/s), no magnetometer. */
export function encodeRawImu(accG: readonly [number, number, number], rates: BodyRatesRadS): Uint8Array {
  const out = new Uint8Array(18);
  const v = view(out);
  accG.forEach((a, i) => v.setInt16(i * 2, clampI16(Math.round(a * 512)), true));
  [rates.rollRadS, rates.pitchRadS, rates.yawRadS].forEach((r, i) => v.setInt16(6 + i * 2, clampI16(Math.round(r / DEG)), true));
  return out;
}

/** Armed and ANGLE flags from MSP_STATUS. */
export function decodeStatus(p: Uint8Array): { armed: boolean; angleMode: boolean } | null {
  if (p.length < 10) return null;
  const flags = view(p).getUint32(6, true);
  return { armed: (flags & 1) !== 0, angleMode: (flags & 2) !== 0 };
}

export function encodeStatus(armed: boolean, angleMode: boolean, cycleTimeUs = 125): Uint8Array {
  const out = new Uint8Array(11);
  const v = view(out);
  v.setUint16(0, cycleTimeUs, true);
  v.setUint16(2, 0, true);
  v.setUint16(4, 0b100001, true); // gyro + acc
  v.setUint32(6, (armed ? 1 : 0) | (angleMode ? 2 : 0), true);
  out[10] = 0;
  return out;
}

/** Battery voltage (V) from MSP_ANALOG: the 0.01 V field when present, else the legacy 0.1 V byte. */
export function decodeAnalogVoltage(p: Uint8Array): number | null {
  if (p.length >= 9) return view(p).getUint16(7, true) / 100;
  if (p.length >= 1) return p[0]! / 10;
  return null;
}

export function encodeAnalog(batteryV: number): Uint8Array {
  const out = new Uint8Array(9);
  const v = view(out);
  out[0] = Math.min(255, Math.round(batteryV * 10));
  v.setUint16(7, Math.min(0xffff, Math.round(batteryV * 100)), true);
  return out;
}

/** MSP_SET_RAW_RC payload from channel values in µs. */
export function encodeRawRc(channelsUs: readonly number[]): Uint8Array {
  const out = new Uint8Array(channelsUs.length * 2);
  const v = view(out);
  channelsUs.forEach((c, i) => v.setUint16(i * 2, Math.round(c), true));
  return out;
}

export function decodeRawRc(p: Uint8Array): number[] {
  const v = view(p);
  const out: number[] = [];
  for (let i = 0; i + 1 < p.length; i += 2) out.push(v.getUint16(i, true));
  return out;
}

function wrapDeg(d: number): number {
  return d > 180 ? d - 360 : d;
}

function clampI16(v: number): number {
  return Math.max(-32768, Math.min(32767, v));
}
