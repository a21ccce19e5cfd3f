/**
 * Flight-link setpoint path over a real pseudo-terminal pair (socat), the same serial code as on
 * the drone (@serialport/stream + bindings-cpp):
 *
 * - encodeUs: SET_POSITION_TARGET_LOCAL_NED message build + MAVLink 2 encode, alone.
 * - submitToWriteUs: guard.submit → link.sendSetpoint → encode → transport.write returning (the
 *   synchronous CPU cost the control loop pays per setpoint).
 * - encodeWriteUs: encode + write until the write callback (the bytes are in the kernel), one
 *   setpoint every 1 ms, for the transport's default direct write(2) and, as the baseline in the
 *   same run, for @serialport/stream's own write path (fs.write on the libuv thread pool);
 *   alternating blocks of 100 samples so that machine load affects both alike.
 * - writeToPeerUs: from before encode until the other end has decoded the frame (pty + socat hop
 *   included), same samples.
 * - sustainedSetpointRateHz: setpoints written back to back (8 writes in flight) for a while, rate of
 *   frames the other end decoded; with frames lost and decode errors next to it. Repeated trials.
 *
 * A pty ignores the baud rate, so the sustained rate is the software ceiling; on a UART at 921600
 * baud 8N1 a 65-byte setpoint frame caps the rate at 92160 / 65 ≈ 1418 Hz (reported as
 * uartCeilingHz921600 for comparison, computed, not measured).
 *
 * Run alone: `node --import tsx tests/bench/flightlink.bench.ts [--json] [--quick]`.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { SteeringSetpoint } from '../../src/contracts/steeringSetpoint.js';
import { realClock, realScheduler } from '../../src/platform/time.js';
import { MavlinkFrameDecoder } from '../../firmware-bridge/mavlink/frameDecoder.js';
import { MavlinkEncoder } from '../../firmware-bridge/mavlink/frameEncoder.js';
import { MavlinkFlightLink } from '../../firmware-bridge/mavlink/mavlinkFlightLink.js';
import { velocitySetpointMessage } from '../../firmware-bridge/mavlink/messages.js';
import { GuardedFlightLink } from '../../firmware-bridge/safety/guardedFlightLink.js';
import { SerialTransport } from '../../firmware-bridge/transport/serialTransport.js';
import { SocatPtyPair } from '../../firmware-bridge/transport/socatPtyPair.js';
import { round, roundSummary, runStandalone, summarize } from './stats.js';

const SETPOINT_MSG_ID = 84;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nowUs = () => Number(process.hrtime.bigint()) / 1000;

function setpoint(i: number): SteeringSetpoint {
  return { tUs: realClock.nowUs(), velForwardMS: 0.5 + (i % 100) / 1000, velRightMS: -0.1, velDownMS: 0.05, yawRateRadS: 0.2 };
}

export async function run(opts: { quick: boolean }): Promise<Record<string, unknown>> {
  if (!SocatPtyPair.available()) throw new Error('socat is required (apt-get install -y socat)');
  const dir = mkdtempSync(join(os.tmpdir(), 'evpilot-bench-'));
  const pty = new SocatPtyPair(join(dir, 'cc'), join(dir, 'fc'));
  await pty.start();
  let writer = new SerialTransport({ path: pty.pathA });
  const reader = new SerialTransport({ path: pty.pathB });
  await writer.open();
  await reader.open();
  try {
    // Reader: decode everything, remember when each setpoint (by its sequence number) arrived.
    const decoder = new MavlinkFrameDecoder();
    let received = 0;
    const arrivals = new Map<number, number>();
    reader.onData((chunk) => {
      const t = nowUs();
      for (const f of decoder.push(chunk)) {
        if (f.msgId !== SETPOINT_MSG_ID) continue;
        received++;
        arrivals.set(f.seq, t);
      }
    });

    const encoder = new MavlinkEncoder({ sysId: 1, compId: 191 });
    const encode = (i: number) => encoder.encode(velocitySetpointMessage(setpoint(i), i, 1, 1));

    // 1. Encode alone.
    const nEncode = opts.quick ? 5_000 : 50_000;
    for (let i = 0; i < 2000; i++) encode(i); // warm-up
    const encodeUs: number[] = [];
    for (let i = 0; i < nEncode; i++) {
      const t0 = nowUs();
      encode(i);
      encodeUs.push(nowUs() - t0);
    }

    // 2. Encode + write to the pty (write callback), and until the peer decoded it; 1 per ms.
    const latency = { direct: { write: [] as number[], peer: [] as number[] }, stream: { write: [] as number[], peer: [] as number[] } };
    const blocks = opts.quick ? 3 : 15;
    for (let block = 0; block < 2 * blocks; block++) {
      const mode = block % 2 === 0 ? 'stream' : 'direct';
      await writer.close();
      writer = new SerialTransport({ path: pty.pathA, writeMode: mode });
      await writer.open();
      for (let i = 0; i < 110; i++) {
        const t0 = nowUs();
        const frame = encode(i);
        const seq = frame[4]!;
        arrivals.delete(seq);
        const w = writer;
        const tWritten = await new Promise<number>((resolve, reject) => w.write(frame, (err) => (err ? reject(err) : resolve(nowUs()))));
        const deadline = performance.now() + 100;
        while (!arrivals.has(seq) && performance.now() < deadline) await new Promise((r) => setImmediate(r));
        if (i >= 10) {
          latency[mode].write.push(tWritten - t0);
          if (arrivals.has(seq)) latency[mode].peer.push(arrivals.get(seq)! - t0);
        }
        await sleep(1);
      }
    }
    const directShare = writer.writeStats.direct / Math.max(1, writer.writeStats.direct + writer.writeStats.stream);

    // 3. The production path's synchronous cost: guard → link → encoder → transport.write.
    const link = new MavlinkFlightLink({ transport: writer, clock: realClock, scheduler: realScheduler });
    const guarded = new GuardedFlightLink(link, {
      clock: realClock,
      scheduler: realScheduler,
      config: { maxSetpointRateHz: 1e6, fcHeartbeatTimeoutUs: 3_600_000_000 },
      log: () => {},
    });
    const nSubmit = opts.quick ? 2_000 : 20_000;
    const submitToWriteUs: number[] = [];
    for (let i = 0; i < nSubmit; i++) {
      const sp = setpoint(i);
      const t0 = nowUs();
      guarded.submit(sp);
      submitToWriteUs.push(nowUs() - t0);
      if (i % 64 === 63) await new Promise((r) => setImmediate(r)); // let the stream drain
    }
    await sleep(200);

    // 4. Sustained rate: back to back with a bounded number of writes in flight.
    const trials = opts.quick ? 2 : 5;
    const trialS = opts.quick ? 0.5 : 2;
    const rates: number[] = [];
    let lost = 0;
    for (let trial = 0; trial < trials; trial++) {
      const startReceived = received;
      let sent = 0;
      let inFlight = 0;
      let i = 0;
      const t0 = nowUs();
      await new Promise<void>((resolve) => {
        const pump = () => {
          while (inFlight < 8 && nowUs() - t0 < trialS * 1e6) {
            inFlight++;
            sent++;
            writer.write(encode(i++), () => {
              inFlight--;
              pump();
            });
          }
          if (inFlight === 0 && nowUs() - t0 >= trialS * 1e6) resolve();
        };
        pump();
      });
      const drainDeadline = performance.now() + 1000;
      while (received - startReceived < sent && performance.now() < drainDeadline) await sleep(2);
      const elapsedS = (nowUs() - t0) / 1e6;
      rates.push((received - startReceived) / elapsedS);
      lost += sent - (received - startReceived);
      await sleep(100);
    }
    const c = decoder.counters();
    return {
      transport: 'socat pty pair, @serialport/bindings-cpp (pty: baud ignored, low-latency ioctl refused)',
      frameBytes: encode(0).length,
      encodeUs: roundSummary(summarize(encodeUs), 2),
      submitToWriteUs: roundSummary(summarize(submitToWriteUs), 2),
      encodeWriteUs: roundSummary(summarize(latency.direct.write), 1),
      writeToPeerUs: roundSummary(summarize(latency.direct.peer), 1),
      directWriteShare: round(directShare, 3),
      baselineStreamWrite: {
        encodeWriteUs: roundSummary(summarize(latency.stream.write), 1),
        writeToPeerUs: roundSummary(summarize(latency.stream.peer), 1),
      },
      sustainedSetpointRateHz: roundSummary(summarize(rates), 0),
      sustainedTrialSeconds: trialS,
      sustainedFramesLost: lost,
      readerDecode: { crcErrors: c.crcErrors, bytesSkipped: c.bytesSkipped },
      uartCeilingHz921600: round(92_160 / encode(0).length, 0),
    };
  } finally {
    await writer.close();
    await reader.close();
    await pty.stop();
  }
}

await runStandalone(import.meta.url, run);
