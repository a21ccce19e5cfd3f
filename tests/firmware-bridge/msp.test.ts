import { describe, expect, it } from 'vitest';
import { BetaflightEmulator } from '../../firmware-bridge/emulator/betaflightEmulator.js';
import { FirstOrderVehicle } from '../../firmware-bridge/emulator/emulatedVehicle.js';
import { ManualClock, ManualScheduler } from '../../src/platform/time.js';
import { crc8DvbS2 as crc8UnderTest, encodeMspV2, MspV2Decoder, type MspFrame } from '../../firmware-bridge/msp/mspCodec.js';
import { MspFlightLink } from '../../firmware-bridge/msp/mspFlightLink.js';
import { decodeAttitude, decodeRawImuRates, decodeStatus, encodeRawRc, MSP } from '../../firmware-bridge/msp/mspMessages.js';
import { channelsForSticks, parseStickLoopConfig, sticksForSetpoint } from '../../firmware-bridge/msp/stickLoop.js';
import { GuardedFlightLink } from '../../firmware-bridge/safety/guardedFlightLink.js';
import { createMockTransportPair } from '../../firmware-bridge/transport/mockTransport.js';
import { crc8DvbS2, LeBytes, prng } from './reference/crc.js';
import { flushMicrotasks } from './helpers.js';

const hex = (b: ArrayLike<number>) => Buffer.from(Array.from(b)).toString('hex');

describe('MSP v2 framing, byte-exact', () => {
  it('reference CRC-8/DVB-S2 check value, and the codec agrees with it', () => {
    expect(crc8DvbS2(Buffer.from('123456789'))).toBe(0xbc);
    const r = prng(7);
    const data = Uint8Array.from({ length: 300 }, () => Math.floor(r() * 256));
    expect(crc8UnderTest(data)).toBe(crc8DvbS2(data));
  });

  it('MSP_ATTITUDE request, written out literally', () => {
    // '$' 'X' '<' flag=0 function=108 (0x6c 0x00) size=0 (0x00 0x00) crc8=0xd8 over 00 6c 00 00 00
    expect(hex(encodeMspV2('<', MSP.ATTITUDE))).toBe('24583c006c000000d8');
  });

  it('MSP_SET_RAW_RC with eight channels', () => {
    const channels = [1500, 1517, 1350, 1572, 1000, 1000, 1000, 1000];
    const body = new LeBytes().u8(0).u16(200).u16(16);
    for (const c of channels) body.u16(c);
    const expected = [0x24, 0x58, 0x3c, ...body.bytes, crc8DvbS2(body.bytes)];
    expect(hex(encodeMspV2('<', MSP.SET_RAW_RC, encodeRawRc(channels)))).toBe(hex(expected));
  });
});

describe('MSP v2 decoding and resynchronisation', () => {
  function sampleFrames(n: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      const payload = Uint8Array.from({ length: i % 20 }, (_, k) => (i * 31 + k) & 0xff);
      out.push(encodeMspV2(i % 2 ? '>' : '<', 100 + (i % 12), payload));
    }
    return out;
  }

  /** Frames separated by garbage; `falseHeaders` adds "$X>" headers announcing short payloads. */
  function garbled(seed: number, falseHeaders: boolean) {
    const rnd = prng(seed);
    const frames = sampleFrames(300);
    const parts: number[] = [];
    let garbage = 0;
    for (const f of frames) {
      const before = parts.length;
      if (falseHeaders && rnd() < 0.3) parts.push(0x24, 0x58, 0x3e, 0, 108, 0, Math.floor(rnd() * 20), 0);
      const n = Math.floor(rnd() * 30);
      for (let i = 0; i < n; i++) {
        const x = rnd();
        parts.push(x < 0.15 ? 0x24 : x < 0.25 ? 0x58 : x < 0.3 ? 0x3e : Math.floor(rnd() * 256));
      }
      garbage += parts.length - before;
      parts.push(...f);
    }
    parts.push(...new Array<number>(1100).fill(0)); // lets a false header near the end run out
    garbage += 1100;
    const dec = new MspV2Decoder();
    const got: MspFrame[] = [];
    const stream = Uint8Array.from(parts);
    for (let at = 0; at < stream.length; ) {
      const n = 1 + Math.floor(rnd() * 50);
      got.push(...dec.push(stream.subarray(at, at + n)));
      at += n;
    }
    return { frames: frames.map(hex), got: got.map((f) => hex(encodeMspV2(f.direction, f.fn, f.payload, f.flag))), dec, garbage, stream };
  }

  it('recovers every frame from random garbage (biased to "$", "X", ">"), fed in random chunks', () => {
    const { frames, got, dec, garbage, stream } = garbled(99, false);
    expect(got).toEqual(frames);
    expect(dec.counters()).toMatchObject({ frames: 300, bytesSkipped: garbage, bytesIn: stream.length });
  });

  it('resyncs after false headers; an 8-bit CRC lets about 1 in 256 through, which may swallow a frame', () => {
    const { frames, got, dec } = garbled(99, true);
    const originals = new Set(frames);
    const falseAccepted = got.filter((f) => !originals.has(f)).length;
    const missing = frames.filter((f) => !got.includes(f)).length;
    expect(dec.counters().crcErrors).toBeGreaterThan(50); // ~90 false headers, nearly all caught
    expect(falseAccepted).toBeLessThanOrEqual(3);
    expect(missing).toBeLessThanOrEqual(2 * falseAccepted);
    // Such a frame is further filtered by exact payload lengths (see the payload tests).
  });

  it('skips a corrupted frame and an MSP v1 frame, counting their bytes', () => {
    const good = encodeMspV2('>', MSP.ATTITUDE, Uint8Array.of(1, 2, 3, 4, 5, 6));
    const bad = Uint8Array.from(good);
    bad[9]! ^= 0xff;
    const v1 = Uint8Array.from([0x24, 0x4d, 0x3e, 0, 108, 108]); // "$M>" v1 frame: not spoken
    const dec = new MspV2Decoder();
    const got = dec.push(Uint8Array.from([...bad, ...v1, ...good]));
    expect(got).toHaveLength(1);
    expect(Array.from(got[0]!.payload)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(dec.counters()).toMatchObject({ crcErrors: 1, bytesSkipped: bad.length + v1.length });
  });

  it('treats an absurd size as garbage instead of waiting for it', () => {
    const dec = new MspV2Decoder(256);
    const fake = [0x24, 0x58, 0x3e, 0, 108, 0, 0xff, 0xff];
    const good = encodeMspV2('>', MSP.STATUS, new Uint8Array(11));
    expect(dec.push(Uint8Array.from([...fake, ...good]))).toHaveLength(1);
    expect(dec.counters()).toMatchObject({ oversize: 1, bytesSkipped: fake.length });
  });
});

describe('MSP payloads', () => {
  it('decodes attitude (0.1° roll/pitch, 1° heading), gyro (deg/s) and the ARM flag', () => {
    const att = decodeAttitude(Uint8Array.from(new LeBytes().u16(123).u16(-45 & 0xffff).u16(350).bytes))!;
    expect(att.rollRad).toBeCloseTo((12.3 * Math.PI) / 180, 12);
    expect(att.pitchRad).toBeCloseTo((-4.5 * Math.PI) / 180, 12);
    expect(att.yawRad).toBeCloseTo((-10 * Math.PI) / 180, 12);
    const imu = new LeBytes().u16(0).u16(0).u16(512).u16(90).u16(-180 & 0xffff).u16(45).u16(0).u16(0).u16(0).bytes;
    const rates = decodeRawImuRates(Uint8Array.from(imu))!;
    expect([rates.rollRadS, rates.pitchRadS, rates.yawRadS]).toEqual([Math.PI / 2, -Math.PI, Math.PI / 4].map((x) => expect.closeTo(x, 12)));
    const status = new LeBytes().u16(125).u16(0).u16(0x21).u32(0b11).u8(0).bytes;
    expect(decodeStatus(Uint8Array.from(status))).toEqual({ armed: true, angleMode: true });
    // Wrong lengths are refused, not misread (a false frame passing MSP's 8-bit CRC is caught here).
    expect(decodeAttitude(new Uint8Array(3))).toBeNull();
    expect(decodeAttitude(new Uint8Array(14))).toBeNull();
    expect(decodeRawImuRates(new Uint8Array(12))).toBeNull();
  });
});

describe('stick loop (defaults: angle limit 60°, drag 0.35/s, hover 0.35, 200°/s yaw, AETR)', () => {
  const c = parseStickLoopConfig();
  const ch = (f: number, r: number, d: number, y: number, fb: Parameters<typeof sticksForSetpoint>[2] = null) =>
    channelsForSticks(c, sticksForSetpoint(c, { tUs: 0, velForwardMS: f, velRightMS: r, velDownMS: d, yawRateRadS: y }, fb));

  it('hover: centred sticks, hover throttle, AUX low', () => {
    expect(ch(0, 0, 0, 0)).toEqual([1500, 1500, 1350, 1500, 1000, 1000, 1000, 1000]);
  });

  it('feed-forward values worked out by hand', () => {
    // 1 m/s forward: tilt = atan(0.35·1/9.80665) = 2.0441° → stick 2.0441/60 = 0.03407 → 1500 + 17.0 = 1517.
    // 0.5 rad/s yaw = 28.648°/s → stick 0.14324 → 1500 + 71.6 = 1572.
    // 1 m/s down: throttle 0.35 − 0.08 = 0.27 → 1270.   −2 m/s right: tilt −4.08° → 1500 − 34.0 = 1466.
    expect(ch(1, 0, 0, 0.5)).toEqual([1500, 1517, 1350, 1572, 1000, 1000, 1000, 1000]);
    expect(ch(0, -2, 1, 0).slice(0, 4)).toEqual([1466, 1500, 1270, 1500]);
  });

  it('caps tilt at maxTiltDeg (25°) keeping direction, and clamps throttle and yaw', () => {
    // 100 m/s forward wants 74°: capped at 25° → stick 25/60 → 1500 + 208.3 = 1708.
    expect(ch(100, 0, -100, 10).slice(0, 4)).toEqual([1500, 1708, 1700, 2000]);
    expect(ch(0, 0, 100, -10).slice(2, 4)).toEqual([1100, 1000]);
  });

  it('adds velocity feedback when velocity is reported (INAV with GPS)', () => {
    // Heading east (yaw 90°), standing still, 1 m/s forward wanted: a = 0.35 + 1.0·1 = 1.35 m/s²
    // → atan(1.35/9.80665) = 7.838° → 1500 + 65.3 = 1565.
    const fb = { velNedMS: { northMS: 0, eastMS: 0, downMS: 0 }, yawRad: Math.PI / 2 };
    expect(ch(1, 0, 0, 0, fb)[1]).toBe(1565);
    // Already flying 1 m/s east = forward: only the feed-forward remains.
    expect(ch(1, 0, 0, 0, { ...fb, velNedMS: { northMS: 0, eastMS: 1, downMS: 0 } })[1]).toBe(1517);
  });

  it('rejects inconsistent airframe parameters', () => {
    expect(() => parseStickLoopConfig({ maxTiltDeg: 70, angleLimitDeg: 60 })).toThrow(/maxTiltDeg/);
  });
});

describe('MSP link against the Betaflight emulator (lock-step)', () => {
  const flush = flushMicrotasks;

  async function rig() {
    const clock = new ManualClock(0);
    const scheduler = new ManualScheduler(clock);
    const [fcEnd, ccEnd] = createMockTransportPair();
    const vehicle = new FirstOrderVehicle();
    const bf = new BetaflightEmulator({ transport: fcEnd, vehicle, clock, scheduler, armed: true });
    const link = new MspFlightLink({ transport: ccEnd, clock, scheduler });
    const guarded = new GuardedFlightLink(link, { clock, scheduler, log: () => {} });
    await bf.start();
    await link.connect();
    await flush();
    guarded.start();
    return { clock, scheduler, vehicle, bf, link, guarded };
  }

  it('keeps RC frames at ≥ 100 Hz without setpoints, polls state, reports armed/ANGLE/battery', async () => {
    const r = await rig();
    const before = r.bf.stats().rcFrames;
    r.scheduler.advance(1_000_000);
    expect(r.bf.stats().rcFrames - before).toBeGreaterThanOrEqual(100);
    const s = r.link.state();
    expect(s).toMatchObject({ armed: true, mode: 'angle', modeName: 'Betaflight:ANGLE', inControl: true });
    expect(s.batteryV).toBeCloseTo(16.8, 1);
    expect(s.attitude).not.toBeNull();
    expect(s.bodyRatesRadS).not.toBeNull();
    expect(s.velNedMS).toBeNull(); // Betaflight has no velocity estimate
    expect(s.link.lastFcHeartbeatTUs).not.toBeNull();
    expect(r.bf.stats().unsupported).toBe(0);
  });

  it('flies the commanded forward speed through sticks, and stops when perception stops', async () => {
    const r = await rig();
    const stop = r.scheduler.every(5000, () => r.guarded.submit({ tUs: r.clock.nowUs(), velForwardMS: 1, velRightMS: 0, velDownMS: 0, yawRateRadS: 0.2 }));
    r.scheduler.advance(4_000_000);
    const v = r.vehicle.state();
    const fwd = Math.cos(v.attitude.yawRad) * v.velocityNedMS.northMS + Math.sin(v.attitude.yawRad) * v.velocityNedMS.eastMS;
    expect(fwd).toBeCloseTo(1, 1); // model-consistent to the stick quantisation (1 µs)
    expect(v.bodyRatesRadS.yawRadS).toBeCloseTo(0.2, 1);
    expect(r.link.lastChannels[1]).toBe(1517);
    stop();
    r.scheduler.advance(3_000_000);
    expect(r.guarded.status().state).toBe('holding');
    expect(r.link.lastChannels.slice(0, 4)).toEqual([1500, 1500, 1350, 1500]);
    expect(Math.hypot(r.vehicle.state().velocityNedMS.northMS, r.vehicle.state().velocityNedMS.eastMS)).toBeLessThan(0.01);
  });

  it('the emulator falls back to centred sticks when RC frames stop', async () => {
    const r = await rig();
    r.scheduler.advance(100_000);
    await r.link.close();
    r.guarded.stop();
    r.scheduler.advance(600_000);
    expect(r.bf.stats().rcTimeouts).toBe(1);
  });
});
