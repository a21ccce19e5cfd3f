import { createHash } from 'node:crypto';
import { common, MavLinkProtocolV2, MSG_ID_MAGIC_NUMBER } from 'node-mavlink';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/platform/time.js';
import { MavlinkFrameDecoder, type MavlinkFrame } from '../../firmware-bridge/mavlink/frameDecoder.js';
import { MavlinkEncoder } from '../../firmware-bridge/mavlink/frameEncoder.js';
import {
  commandLong,
  companionHeartbeat,
  decodeMessage,
  obstacleDistanceMessage,
  velocitySetpointMessage,
} from '../../firmware-bridge/mavlink/messages.js';
import { SIGNING_EPOCH_UNIX_US, SigningTimestamps } from '../../firmware-bridge/mavlink/signing.js';
import { crc16Mcrf4xx, crcExtra, LeBytes, mavlinkChecksum, prng } from './reference/crc.js';

const hex = (b: ArrayLike<number>) => Buffer.from(Array.from(b)).toString('hex');

describe('reference checksums (sanity of the test oracle)', () => {
  it('CRC-16/MCRF4XX check value', () => {
    expect(crc16Mcrf4xx(Buffer.from('123456789'))).toBe(0x6f91);
  });

  it('CRC_EXTRA computed from the XML definitions matches node-mavlink’s table', () => {
    const heartbeat = crcExtra('HEARTBEAT', [
      ['uint32_t', 'custom_mode'],
      ['uint8_t', 'type'],
      ['uint8_t', 'autopilot'],
      ['uint8_t', 'base_mode'],
      ['uint8_t', 'system_status'],
      ['uint8_t', 'mavlink_version'],
    ]);
    const spt = crcExtra('SET_POSITION_TARGET_LOCAL_NED', [
      ['uint32_t', 'time_boot_ms'],
      ...(['x', 'y', 'z', 'vx', 'vy', 'vz', 'afx', 'afy', 'afz', 'yaw', 'yaw_rate'].map((n) => ['float', n] as const)),
      ['uint16_t', 'type_mask'],
      ['uint8_t', 'target_system'],
      ['uint8_t', 'target_component'],
      ['uint8_t', 'coordinate_frame'],
    ]);
    const commandLongExtra = crcExtra('COMMAND_LONG', [
      ...(['param1', 'param2', 'param3', 'param4', 'param5', 'param6', 'param7'].map((n) => ['float', n] as const)),
      ['uint16_t', 'command'],
      ['uint8_t', 'target_system'],
      ['uint8_t', 'target_component'],
      ['uint8_t', 'confirmation'],
    ]);
    expect([heartbeat, spt, commandLongExtra]).toEqual([50, 143, 152]);
    expect([MSG_ID_MAGIC_NUMBER[0], MSG_ID_MAGIC_NUMBER[84], MSG_ID_MAGIC_NUMBER[76]]).toEqual([50, 143, 152]);
  });
});

describe('MAVLink 2 encoding, byte-exact', () => {
  it('companion HEARTBEAT (sys 1, comp 191, seq 0), written out literally', () => {
    const enc = new MavlinkEncoder({ sysId: 1, compId: 191 });
    // fd len=9 incompat=0 compat=0 seq=0 sys=1 comp=191(0xbf) msgid=0 (3 bytes)
    // payload: custom_mode=0 (u32), type=18 ONBOARD_CONTROLLER, autopilot=8 INVALID, base_mode=0,
    //          system_status=4 ACTIVE, mavlink_version=3; checksum 0xc6ae (CRC_EXTRA 50) little-endian.
    const expected = 'fd 09 00 00 00 01 bf 00 00 00 00 00 00 00 12 08 00 04 03 ae c6'.replaceAll(' ', '');
    expect(hex(enc.encode(companionHeartbeat()))).toBe(expected);
    // The literal checksum agrees with the reference CRC.
    const body = Buffer.from(expected, 'hex').subarray(0, 19);
    expect(mavlinkChecksum(body, 50)).toEqual([0xae, 0xc6]);
  });

  it('SET_POSITION_TARGET_LOCAL_NED in BODY_NED with type_mask 1479', () => {
    const enc = new MavlinkEncoder({ sysId: 1, compId: 191 });
    enc.encode(companionHeartbeat()); // seq 0 used
    const msg = velocitySetpointMessage(
      { tUs: 0, velForwardMS: 1.5, velRightMS: -0.25, velDownMS: 0.5, yawRateRadS: 0.125 },
      123_456,
      1,
      1,
    );
    const payload = new LeBytes()
      .u32(123_456) // time_boot_ms
      .f32(0).f32(0).f32(0) // x y z (ignored)
      .f32(1.5).f32(-0.25).f32(0.5) // vx vy vz
      .f32(0).f32(0).f32(0) // afx afy afz (ignored)
      .f32(0) // yaw (ignored)
      .f32(0.125) // yaw_rate
      .u16(1479) // type_mask
      .u8(1).u8(1) // target system, component
      .u8(8).bytes; // MAV_FRAME_BODY_NED
    expect(payload).toHaveLength(53);
    const head = [0xfd, 53, 0, 0, 1 /* seq */, 1, 191, 84, 0, 0];
    const expected = [...head, ...payload, ...mavlinkChecksum([...head, ...payload], 143)];
    expect(hex(enc.encode(msg))).toBe(hex(expected));
  });

  it('truncates trailing zero bytes (COMMAND_LONG with confirmation 0 is 32 bytes, not 33)', () => {
    const enc = new MavlinkEncoder({ sysId: 1, compId: 191 });
    const frame = enc.encode(commandLong(511, [30, 5000], 1, 1));
    const payload = new LeBytes().f32(30).f32(5000).f32(0).f32(0).f32(0).f32(0).f32(0).u16(511).u8(1).u8(1).bytes;
    expect(payload).toHaveLength(32);
    const head = [0xfd, 32, 0, 0, 0, 1, 191, 76, 0, 0];
    expect(hex(frame)).toBe(hex([...head, ...payload, ...mavlinkChecksum([...head, ...payload], 152)]));
  });

  it('never truncates the first payload byte: an all-zero payload is sent with length 1', () => {
    // PARAM_REQUEST_LIST to system 0 / component 0: payload is two zero bytes.
    const m = new common.ParamRequestList();
    m.targetSystem = 0;
    m.targetComponent = 0;
    // node-mavlink 2.3.0 alone sends length 0 (the bug we work around):
    const raw = new MavLinkProtocolV2(1, 191).serialize(m, 0);
    expect(raw[1]).toBe(0);
    const head = [0xfd, 1, 0, 0, 0, 1, 191, 21, 0, 0];
    const expected = [...head, 0x00, ...mavlinkChecksum([...head, 0x00], 159)];
    expect(hex(new MavlinkEncoder({ sysId: 1, compId: 191 }).encode(m))).toBe(hex(expected));
  });

  it('wraps the sequence number after 255 and checks ids', () => {
    const enc = new MavlinkEncoder({ sysId: 7, compId: 191 });
    const seqs = Array.from({ length: 258 }, () => enc.encode(companionHeartbeat())[4]);
    expect(seqs.slice(254)).toEqual([254, 255, 0, 1]);
    expect(() => new MavlinkEncoder({ sysId: 0, compId: 191 })).toThrow(RangeError);
  });

  it('OBSTACLE_DISTANCE: 72 sectors, cm, unknown = 65535, nothing in range = max + 1', () => {
    const distancesM = new Float32Array(72).fill(Number.NaN);
    distancesM[0] = 1.5;
    distancesM[1] = Infinity;
    distancesM[2] = 0.01; // below min → min
    const m = obstacleDistanceMessage(
      { tUs: 0, distancesM, sectorWidthDeg: 5, firstSectorDeg: -30, minM: 0.2, maxM: 20 },
      42n,
    );
    const back = decodeMessage(decode(new MavlinkEncoder({ sysId: 1, compId: 191 }).encode(m))[0]!) as common.ObstacleDistance;
    expect(back.distances.slice(0, 4)).toEqual([150, 2001, 20, 65535]);
    expect([back.minDistance, back.maxDistance, back.increment, back.incrementF, back.angleOffset, back.frame]).toEqual([20, 2000, 5, 5, -30, 12]);
    expect(back.timeUsec).toBe(42n);
  });
});

function decode(bytes: Uint8Array, dec = new MavlinkFrameDecoder()): MavlinkFrame[] {
  return dec.push(bytes);
}

/** A varied set of valid frames. */
function sampleFrames(n: number): Uint8Array[] {
  const enc = new MavlinkEncoder({ sysId: 1, compId: 191 });
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 3 === 0) out.push(enc.encode(companionHeartbeat()));
    else if (i % 3 === 1) {
      out.push(enc.encode(velocitySetpointMessage({ tUs: 0, velForwardMS: i / 10, velRightMS: -i / 20, velDownMS: 0, yawRateRadS: 0.01 * i }, i, 1, 1)));
    } else out.push(enc.encode(commandLong(511, [30, 5000 + i], 1, 1)));
  }
  return out;
}

describe('MAVLink decoding and resynchronisation', () => {
  it('decodes what it encodes, restoring truncated zeros', () => {
    const enc = new MavlinkEncoder({ sysId: 1, compId: 191 });
    const [f] = decode(enc.encode(commandLong(511, [30, 5000], 1, 1)));
    expect(f!.payload).toHaveLength(32);
    const m = decodeMessage(f!) as common.CommandLong;
    expect([m.command, m._param1, m._param2, m.targetSystem, m.targetComponent, m.confirmation]).toEqual([511, 30, 5000, 1, 1, 0]);
  });

  it('recovers every frame from random garbage interleaved with frames, fed in random chunks', () => {
    const rnd = prng(20240611);
    const frames = sampleFrames(300);
    const parts: number[] = [];
    let garbage = 0;
    for (const f of frames) {
      const g = Math.floor(rnd() * 40);
      for (let i = 0; i < g; i++) {
        // Bias garbage towards start bytes so that false frames are common.
        const r = rnd();
        parts.push(r < 0.1 ? 0xfd : r < 0.15 ? 0xfe : Math.floor(rnd() * 256));
      }
      garbage += g;
      parts.push(...f);
    }
    // Padding lets a false start byte near the end run out of bytes instead of waiting forever.
    parts.push(...new Array<number>(300).fill(0));
    garbage += 300;
    const stream = Uint8Array.from(parts);
    const dec = new MavlinkFrameDecoder();
    const got: MavlinkFrame[] = [];
    for (let at = 0; at < stream.length; ) {
      const n = 1 + Math.floor(rnd() * 64);
      got.push(...dec.push(stream.subarray(at, at + n)));
      at += n;
    }
    expect(got.map((f) => hex(f.bytes))).toEqual(frames.map(hex));
    const c = dec.counters();
    expect(c.frames).toBe(300);
    expect(c.bytesIn).toBe(stream.length);
    expect(c.bytesSkipped).toBe(garbage);
    expect(c.crcErrors).toBeGreaterThan(0);
  });

  it('gives the same frames when fed one byte at a time', () => {
    const frames = sampleFrames(20);
    const dec = new MavlinkFrameDecoder();
    const got: MavlinkFrame[] = [];
    for (const f of frames) for (const b of f) got.push(...dec.push(Uint8Array.of(b)));
    expect(got.map((f) => hex(f.bytes))).toEqual(frames.map(hex));
  });

  it('counts a corrupted frame as a CRC error, skips exactly its bytes, and keeps the next one', () => {
    const [a, b] = sampleFrames(2);
    const bad = Uint8Array.from(a!);
    bad[12]! ^= 0x40;
    const dec = new MavlinkFrameDecoder();
    const got = dec.push(Uint8Array.from([...bad, ...b!]));
    expect(got.map((f) => hex(f.bytes))).toEqual([hex(b!)]);
    expect(dec.counters()).toMatchObject({ crcErrors: 1, bytesSkipped: bad.length, frames: 1 });
  });

  it('drops a valid frame with an unknown incompatibility flag, as the spec requires', () => {
    const head = [0xfd, 9, 0x02, 0, 0, 1, 1, 0, 0, 0];
    const payload = [0, 0, 0, 0, 2, 12, 0, 3, 3];
    const frame = [...head, ...payload, ...mavlinkChecksum([...head, ...payload], 50)];
    const dec = new MavlinkFrameDecoder();
    expect(dec.push(Uint8Array.from(frame))).toEqual([]);
    expect(dec.counters()).toMatchObject({ unsupportedFlags: 1, bytesSkipped: frame.length, crcErrors: 0 });
  });

  it('decodes a MAVLink 1 HEARTBEAT (autopilots may start in v1)', () => {
    const head = [0xfe, 9, 5, 1, 1, 0];
    const payload = [0, 0, 6, 0, 2, 12, 0x81, 4, 3]; // custom_mode=0x00060000 (PX4 OFFBOARD), quad, PX4, armed
    const frame = [...head, ...payload, ...mavlinkChecksum([...head, ...payload], 50)];
    const [f] = decode(Uint8Array.from(frame));
    expect(f).toMatchObject({ version: 1, msgId: 0, sysId: 1, compId: 1, seq: 5 });
  });
});

describe('MAVLink 2 signing', () => {
  const key = Uint8Array.from({ length: 32 }, (_, i) => i);
  const clock = new ManualClock(0);
  // Unix time at clock zero: 1000 s after the signing epoch → timestamps start at 100 000 000 (10 µs units).
  const unixAtZero = SIGNING_EPOCH_UNIX_US + 1_000_000_000;

  function signedEncoder() {
    return new MavlinkEncoder({
      sysId: 1,
      compId: 191,
      signing: { key, linkId: 7, timestamps: new SigningTimestamps(clock, unixAtZero) },
    });
  }

  it('appends link id, strictly increasing timestamps and SHA-256 signature', () => {
    const enc = signedEncoder();
    const a = enc.encode(companionHeartbeat());
    const b = enc.encode(companionHeartbeat()); // same clock time: timestamp must still increase
    for (const [frame, ts] of [[a, 100_000_000], [b, 100_000_001]] as const) {
      expect(frame[2]).toBe(0x01); // incompat flag SIGNED
      expect(frame).toHaveLength(10 + 9 + 2 + 13);
      const sig = frame.subarray(21);
      expect(sig[0]).toBe(7);
      expect(Buffer.from(sig.subarray(1, 7)).readUIntLE(0, 6)).toBe(ts);
      const expected = createHash('sha256').update(key).update(frame.subarray(0, frame.length - 6)).digest().subarray(0, 6);
      expect(hex(sig.subarray(7))).toBe(hex(expected));
      // Checksum covers the header with the SIGNED flag set.
      expect(Array.from(frame.subarray(19, 21))).toEqual(mavlinkChecksum(frame.subarray(0, 19), 50));
    }
  });

  it('verifies signatures, rejects tampering, replays and (when required) unsigned frames', () => {
    const enc = signedEncoder();
    const frame = enc.encode(companionHeartbeat());
    const dec = new MavlinkFrameDecoder({ signing: { key, requireSigned: true } });
    expect(dec.push(frame)).toHaveLength(1);
    expect(dec.push(frame)).toHaveLength(0); // replay: same timestamp on the same stream
    const tampered = Uint8Array.from(enc.encode(companionHeartbeat()));
    tampered[tampered.length - 1]! ^= 1;
    expect(dec.push(tampered)).toHaveLength(0);
    expect(dec.push(new MavlinkEncoder({ sysId: 1, compId: 191 }).encode(companionHeartbeat()))).toHaveLength(0);
    expect(dec.push(enc.encode(companionHeartbeat()))).toHaveLength(1);
    expect(dec.counters()).toMatchObject({ frames: 2, replayedSignatures: 1, badSignatures: 1, unsignedRejected: 1 });
  });
});
