/**
 * The closed-loop flight end to end, in real time: simulator → ZeroMQ → windows → inference → steering →
 * safety guard → MAVLink over a socat pty pair → PX4 emulator → the simulated vehicle. Assertions are
 * about behaviour and bookkeeping, never about speed; the only bounds are the flights' own lengths.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runClosedLoopFlight, type ClosedLoopFlightOptions } from '../../src/app/closedLoopFlight.js';
import type { FlightSummary } from '../../src/app/flightReport.js';
import { SocatPtyPair } from '../../firmware-bridge/transport/socatPtyPair.js';
import { runCli } from '../cli/cliHelpers.js';
import { summaryText } from '../../src/cli/flightText.js';
import { ONLINE_LOSS_SPAN_MS, ONLINE_LR_SETTLING } from '../../src/learning/learnerConfig.js';
import { settlingLearningRate } from '../../src/learning/trainer.js';

/** Handles of the kinds a flight opens (timers, child processes, sockets, pipes), by kind. */
function handleCounts(): Map<string, number> {
  const m = new Map<string, number>();
  for (const h of process.getActiveResourcesInfo()) m.set(h, (m.get(h) ?? 0) + 1);
  return m;
}

/** What every flight must show, whatever carried the FC link. */
function expectClosedLoop(r: FlightSummary, { straight = true } = {}): void {
  // The FC was handed control: OFFBOARD was granted once, after the setpoint warm-up; it holds at the end.
  expect(r.control.error).toBeNull();
  expect(r.control.offboardAtS).not.toBeNull();
  expect(r.emulator.offboardEntries).toBe(1);
  expect(r.emulator.armed).toBe(true); // armed by "the pilot" at start; the runtime never arms or disarms
  expect(r.control.handedBack).toBe(true);
  expect(r.link.modeName).toBe('PX4:AUTO.LOITER');

  // Setpoints flowed, and every one on the wire came through the guard: the link was handed exactly what
  // the guard let out, wrote all of it, and the emulator received and accepted all of it.
  expect(r.emulator.setpointsReceived).toBeGreaterThan(100);
  expect(r.link.setpointCalls).toBe(r.guard.setpointsOut);
  expect(r.link.setpointsWritten).toBe(r.link.setpointCalls);
  expect(r.emulator.setpointsReceived).toBe(r.link.setpointsWritten);
  expect(r.emulator.setpointsRejected).toBe(0);
  expect(r.link.health.crcErrors).toBe(0);
  // …and the guard saw every setpoint perception made; its per-setpoint interventions cannot exceed them.
  expect(r.guard.setpointsIn).toBe(r.pipeline.setpointsSubmitted);
  expect(r.pipeline.setpointsSubmitted).toBe(r.pipeline.inferences);
  expect(r.guard.counters['rate-limited']).toBeLessThanOrEqual(r.guard.setpointsIn);
  expect(r.guard.counters['invalid-setpoint']).toBe(0);
  expect(r.guard.counters['fc-link-lost']).toBe(0);

  // Windows were cut from the simulator's events; whatever did not arrive is accounted for as a drop
  // (a starved machine can make libzmq drop packets: counted, never silent).
  expect(r.zmq.rejected).toBe(0);
  expect(r.zmq.events).toBeLessThanOrEqual(r.sim.events);
  if (r.zmq.sequenceGaps + r.zmq.queueDrops === 0) expect(r.zmq.events).toBe(r.sim.events);
  expect(r.pipeline.windows).toBe(r.ingest.windows);
  expect(r.pipeline.errors).toBe(0);
  expect(r.pipeline.inferences + r.pipeline.skipped).toBe(r.pipeline.windows);

  // The vehicle flew toward the goal (north in the forest), and the running figures match the runner's.
  expect(r.stoppedBy).toBe('duration');
  expect(r.flight.progressM).toBeGreaterThan(0.02);
  // (A few seconds from the start the network's map flies nearly straight; a map that sees the first post early,
  // like the truth, may turn away from it.)
  if (straight) expect(r.flight.progressM).toBeGreaterThan(0.8 * r.flight.distanceM);
  expect(r.sim.runner).not.toBeNull();
  expect(r.flight.distanceM).toBeCloseTo(r.sim.runner!.distanceM, 9);
  expect(r.flight.progressM).toBeCloseTo(r.sim.runner!.progressM, 9);
  expect(r.flight.collisions).toBe(r.sim.runner!.collisions);

  // Latency figures exist for the setpoints that reached the wire.
  expect(r.latencyMs.count).toBe(r.pipeline.writtenAtOnce + r.pipeline.writtenByGuardTick);
  expect(r.latencyMs.count).toBeGreaterThan(100);
  expect(r.latencyMs.median).toBeGreaterThan(0);
  expect(r.latencyMs.p99).toBeGreaterThanOrEqual(r.latencyMs.median);
  expect(r.inferMs.median).toBeGreaterThan(0);
}

/** A short forest flight in real time at 200 Hz without the learner, with `over` changed. */
function fly(over: Partial<ClosedLoopFlightOptions> & Pick<ClosedLoopFlightOptions, 'domain' | 'seed' | 'seconds'>): Promise<FlightSummary> {
  return runClosedLoopFlight({ scenario: 'forest', rateHz: 200, speed: 1, learn: false, ...over });
}

describe('closed-loop flight', () => {
  it('flies the forest through the pty: OFFBOARD, setpoints through the guard, progress, latency; closes everything', async () => {
    expect(SocatPtyPair.available(), 'socat is required: apt-get install -y socat').toBe(true);
    const before = handleCounts();
    const lines: string[] = [];
    const statuses: number[] = [];
    const r = await fly({ domain: 'A', seed: 1, seconds: 4, log: (l) => lines.push(l), onStatus: (s) => statuses.push(s.simS) });
    expectClosedLoop(r);
    expect(r.setup).toMatchObject({ fcTransport: 'pty', simThread: 'worker' });
    // The input counts the span the chosen weights were trained on (their manifest), here 5 ms.
    const manifest = JSON.parse(readFileSync(`models/${r.weights.name}.weights.json`, 'utf8')) as { inputLengthUs?: number };
    expect(r.setup.inputLengthUs).toBe(manifest.inputLengthUs ?? 5000);
    expect(summaryText(r)).toContain(`counting the last ${r.setup.inputLengthUs / 1000} ms`);
    expect(r.weights.name).toMatch(/^proximity-net\./);
    expect(lines.some((l) => l.startsWith('weights: '))).toBe(true);
    expect(statuses.length).toBeGreaterThanOrEqual(3);

    // Closed: the flight's temporary directory (ipc socket, pty links) is gone, and no handle it opened
    // (socat child, timers, pipes) is left to keep the process alive.
    expect(existsSync(dirname(r.setup.eventEndpoint.replace(/^ipc:\/\//, '')))).toBe(false);
    const after = handleCounts();
    for (const [kind, n] of after) expect(n, `${kind} handles left open`).toBeLessThanOrEqual(before.get(kind) ?? 0);
  });

  it('without socat, flies over an in-memory FC link and says so (simulator in the runtime thread)', async () => {
    const lines: string[] = [];
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent'; // no socat to be found
    let r: FlightSummary;
    try {
      r = await fly({ domain: 'A', seed: 2, seconds: 3.5, simThread: 'main', log: (l) => lines.push(l) });
    } finally {
      process.env.PATH = path;
    }
    expectClosedLoop(r);
    expect(r.setup).toMatchObject({ fcTransport: 'memory', simThread: 'main' });
    expect(lines.some((l) => /socat not found.*in-memory/.test(l))).toBe(true);
  });

  it('with the learner on (domain B): it trains on its own loss span (ONLINE_LOSS_SPAN_MS) of filtered events and inference adopts its weights', async () => {
    const r = await fly({ domain: 'B', seed: 3, seconds: 4, learn: true });
    expectClosedLoop(r);
    const l = r.learner;
    expect(l, 'learner status').not.toBeNull();
    expect(l!.failure).toBeNull();
    const t = l!.worker!.trainer;
    expect(t.updates).toBeGreaterThan(0);
    expect(l!.worker!.updateErrors).toBe(0);
    expect(l!.weights.adopted).toBeGreaterThan(0);
    // The loss window is the learner's span (80 ms), not the 5 ms network input; domain B's shot noise
    // leaves the noise filter something to drop.
    expect(t.lastWindow.spanUs).toBe(ONLINE_LOSS_SPAN_MS * 1000);
    expect(t.lastWindow.events).toBeGreaterThan(0);
    expect(t.lastWindow.lossEvents).toBeLessThan(t.lastWindow.events);
    // The in-flight defaults: the rate settles from 1e-4 toward a quarter of it as updates accumulate.
    expect(t.learningRate).toBeLessThan(1e-4);
    expect(t.learningRate).toBeCloseTo(settlingLearningRate({ learningRate: 1e-4, settleOverUpdates: ONLINE_LR_SETTLING.overUpdates, settledFraction: ONLINE_LR_SETTLING.fraction }, t.updates), 15);
    expect(summaryText(r)).toContain(`learning rate now ${t.learningRate.toExponential(2)}`);
  });

  it('with the learner yielding to inference (--learner-yield): it still trains and inference adopts its weights, and the summary says so', async () => {
    const r = await fly({ domain: 'B', seed: 3, seconds: 3, learn: true, learnerYieldToInference: true });
    expectClosedLoop(r);
    expect(r.setup.learnerYieldsToInference).toBe(true);
    const l = r.learner!;
    expect(l.failure).toBeNull();
    expect(l.worker!.trainer.updates).toBeGreaterThan(0);
    expect(l.weights.adopted).toBeGreaterThan(0);
    expect(summaryText(r)).toContain('yielding to inference');
  });

  it('--steer-on-truth (diagnostic): the simulator writes its true ν every period and the steering flies on it, the network still running', async () => {
    const lines: string[] = [];
    const r = await fly({ domain: 'B', seed: 4, seconds: 3, steerOnTruth: true, log: (l) => lines.push(l) });
    expectClosedLoop(r, { straight: false });
    const s = r.setup.steering;
    expect(s.on).toBe('truth');
    if (s.on !== 'truth') return;
    // Every inference handed on a map: the truth's once the simulator had written one (from its first period).
    expect(s.truthMaps + s.networkMaps).toBe(r.pipeline.inferences);
    expect(s.truthMaps).toBeGreaterThan(0.9 * r.pipeline.inferences);
    expect(lines.some((l) => l.includes('steering on the simulator\'s true ν'))).toBe(true);
    expect(summaryText(r)).toContain(`steering: on the simulator's true ν (diagnostic; --steer-on-truth): ${s.truthMaps} maps`);
  });

  it('`evpilot start` flies and exits by itself with one JSON summary', () => {
    const r = runCli(['start', '--seconds', '3', '--json'], 120_000);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines[0]!) as FlightSummary;
    expect(summary.setup.fcTransport).toBe('pty');
    expect(summary.setup.steering).toEqual({ on: 'network' }); // the network's ν unless --steer-on-truth
    expect(summary.control.offboardAtS).not.toBeNull();
    expect(summary.emulator.setpointsReceived).toBe(summary.link.setpointsWritten);
    expect(summary.latencyMs.count).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/^weights: proximity-net\./m);
    expect(r.stderr).toMatch(/PX4:OFFBOARD/);
  });
});
