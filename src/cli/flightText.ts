/**
 * Human-readable lines for `evpilot start`'s closed-loop flight: one status line per second and the
 * final summary. Formatting only (the figures come from src/app/flightReport.ts).
 */
import type { FlightStatus, FlightSummary } from '../app/flightReport.js';
import type { SampleSummary } from '../app/sampleStats.js';

const f = (v: number, digits = 1): string => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const kilo = (v: number): string => (v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(0)}k` : v.toFixed(0));

export function statusLine(s: FlightStatus): string {
  const learner = s.learner ? ` | learner ${s.learner.state} ${s.learner.updates} upd v${s.learner.adoptedVersion}` : '';
  return (
    `t ${f(s.wallS)} s sim ${f(s.simS)} s | ${kilo(s.eventsPerS)} ev/s | ${f(s.windowsPerS, 0)} win/s | infer ${f(s.inferMsMean, 2)} ms | ` +
    `setpoints ${s.setpointsSent} | guard ${s.guardInterventions} (${s.guardState}) | ${s.fcMode}${s.inControl ? '' : ' (not ours)'} | ` +
    `collisions ${s.collisions} | flown ${f(s.distanceM, 2)} m, progress ${f(s.progressM, 2)} m | latency ${f(s.latencyMedianMs, 2)}/${f(s.latencyP99Ms, 2)} ms${learner}`
  );
}

const ms = (s: SampleSummary): string => `median ${f(s.median, 2)} ms, p99 ${f(s.p99, 2)} ms, max ${f(s.max, 2)} ms (${s.count} samples)`;

export function summaryText(r: FlightSummary): string {
  const g = r.guard;
  const interventions = Object.entries(g.counters)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const d = r.drops;
  const e = r.emulator;
  const lines = [
    `flight: ${r.scenario.name} domain ${r.scenario.domain} seed ${r.scenario.seed} (${r.scenario.obstacles} obstacles), ${f(r.simulatedS)} s simulated in ${f(r.wallS)} s wall (${r.stoppedBy})`,
    `  distance ${f(r.flight.distanceM, 2)} m, progress toward the goal ${f(r.flight.progressM, 2)} m, collisions ${r.flight.collisions} (respawns ${r.flight.respawns}), min clearance ${f(r.flight.minClearanceM, 2)} m`,
    `  control: ${r.control.offboardAtS !== null ? `OFFBOARD at ${f(r.control.offboardAtS)} s` : `never in OFFBOARD${r.control.error ? ` (${r.control.error})` : ''}`}` +
      `, holding when released: ${r.control.handedBack ? 'yes' : 'no'}, FC failovers ${e.failovers}`,
    `weights: ${r.weights.name} (${r.weights.kind}; ${r.weights.origin}; version ${r.weights.version}; sha256 ${r.weights.sha256.slice(0, 12)})` +
      (r.setup.learn ? `, in flight: version ${r.pipeline.weightsVersion} after ${r.pipeline.weightsAdopted} adopted updates` : ''),
    `latency window → setpoint bytes written: ${ms(r.latencyMs)}; written at once ${r.pipeline.writtenAtOnce}, by the guard's tick ${r.pipeline.writtenByGuardTick}`,
    `  parts: waiting behind a busy inference ${ms(r.queueMs)}; inference ${ms(r.inferMs)}; ν map → bytes written ${ms(r.steerWriteMs)}`,
    `rates: ${f(r.rates.windowsPerS)} windows/s, ${kilo(r.rates.eventsPerS)} events/s, ${f(r.rates.setpointsPerS)} setpoints/s; steering ${Object.entries(r.pipeline.decisions).map(([k, n]) => `${k} ${n}`).join(', ')}`,
    `drops: windows skipped (inference busy) ${d.windowsSkipped}, zmq queue ${d.zmqQueueDrops}, sequence gaps ${d.zmqSequenceGaps} (${d.zmqPacketsLost} packets), rejected ${d.zmqRejected}, link frames ${d.linkFramesDropped}; simulator worst lag ${f(r.sim.maxLagMs)} ms`,
    `guard: ${g.setpointsIn} in, ${g.setpointsOut} out, state ${g.state}; interventions: ${interventions || 'none'}`,
    `link: ${r.link.setpointCalls} setpoints handed over (all by the guard), ${r.link.setpointsWritten} written; FC received ${e.setpointsReceived}, rejected ${e.setpointsRejected}; CRC errors ${r.link.health.crcErrors}; final mode ${r.link.modeName}`,
    `setup: simulator in the ${r.setup.simThread} thread${r.setup.simThreadNice !== null ? ` (nice ${r.setup.simThreadNice})` : ''}, FC link over ${r.setup.fcTransport === 'pty' ? 'a socat pty pair' : 'an in-memory pair (no serial port)'}, events on ${r.setup.eventEndpoint}, windows at ${r.setup.windowRateHz} Hz counting the last ${r.setup.inputLengthUs / 1000} ms${r.setup.inputNoiseFilter ? ` (noise filter ${r.setup.inputNoiseFilter.supportUs / 1000} ms, ${r.setup.inputNoiseFilter.minNeighbours} neighbours)` : ''}`,
  ];
  if (r.setup.steering.on === 'truth') {
    lines.push(`steering: on the simulator's true ν (diagnostic; --steer-on-truth): ${r.setup.steering.truthMaps} maps, ${r.setup.steering.networkMaps} from the network before the first truth`);
  }
  if (r.learner) {
    const w = r.learner.worker;
    lines.push(
      `learner: ${r.learner.state}, ${w?.trainer.updates ?? '?'} updates${w ? ` (learning rate now ${w.trainer.learningRate.toExponential(2)})` : ''}, published v${r.learner.weights.published ?? '–'}, adopted v${r.learner.weights.adopted}, ` +
        `queued ${r.learner.host.enqueued} windows${r.setup.learnerYieldsToInference ? ', yielding to inference' : ''}${r.learner.failure ? `, failure: ${r.learner.failure}` : ''}`,
    );
  }
  return lines.join('\n');
}
