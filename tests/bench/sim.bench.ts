/**
 * Simulator throughput: how many simulated seconds the full pipeline (vehicle dynamics, per-column
 * ray casting and shading, DVS model, expert pilot in closed loop at 100 Hz) produces per second of wall
 * time, per scenario (domain A, seed 1) at 160×120 and 320×240, and how many events per simulated second
 * it generates. Each configuration is warmed up (JIT) and then run repeatedly, continuing the same
 * flight; figures are median and p10/p90 over the runs. Also reported: the sampling rate the adaptive
 * policy chose and the share of samples at ≥ 1 kHz, and CPU-time throughput (wall time on a shared
 * machine includes other processes' load; the process is single-threaded, so CPU time is what one core
 * spends).
 *
 * Target (DESIGN.md): faster than real time on one core at 160×120, every scenario. Both throughputs
 * are reported: per CPU second (this single-threaded process's user + system time, the steadier
 * figure on a shared machine) and per wall second (includes waiting for the CPU while other
 * processes run); each configuration also records the 1-minute load average before and after it, and
 * `target160x120` sums up the slowest scenario at 160×120 against 1×. The default sampling policy
 * keeps the camera at ≥ 1 kHz whenever the image moves faster than 100 px/s, i.e. practically always
 * in flight; a second set of 160×120 figures (`…@160x120/fast500`) shows the trade-off with that
 * floor lowered to 500 Hz (still ≤ 0.5 px of motion per sample).
 *
 * Run alone: `node --import tsx tests/bench/sim.bench.ts [--json] [--quick] [--configs forest@160x120,…]`
 * (`--configs`: only the named configurations, for before/after runs alternated in one session).
 * The renderer's per-pixel passes run natively when sim/native is built (`npm run build:native`), in JS
 * otherwise or with EVPILOT_SIM_KERNEL=js; each configuration reports which (`rendererKernel`).
 */
import { runClosedLoop } from '../../sim/runner/closedLoop.js';
import { createExpertPilot } from '../../sim/runner/expertPilot.js';
import { Simulation } from '../../sim/runner/simulation.js';
import { buildScenario, DOMAIN_A, SCENARIO_NAMES } from '../../sim/scenarios/index.js';
import { Prng } from '../../sim/world/prng.js';
import { cpus, loadavg } from 'node:os';
import { round, roundSummary, runStandalone, summarize, type Summary } from './stats.js';

const GEOMETRIES = [
  { widthPx: 160, heightPx: 120 },
  { widthPx: 320, heightPx: 240 },
] as const;

interface Config {
  readonly runs: number;
  readonly secondsPerRun: number;
  readonly warmupS: number;
}

async function measure(scenarioName: string, geometry: { widthPx: number; heightPx: number }, cfg: Config, fastRateHz = 1000): Promise<Record<string, unknown>> {
  const scenario = buildScenario(scenarioName, { seed: 1, domain: DOMAIN_A });
  const sim = new Simulation({ scenario, camera: { geometry }, sampling: { fastRateHz } });
  const controller = createExpertPilot(scenario, new Prng(1).derive('bench-pilot'));
  const loop = (durationS: number) => runClosedLoop({ sim, controller, durationS, onCollision: 'respawn', onCourseEnd: 'respawn' });
  const loadBefore = loadavg()[0]!;
  await loop(cfg.warmupS);
  const wallRatio: number[] = [];
  const cpuRatio: number[] = [];
  const eventsPerS: number[] = [];
  const samplesPerS: number[] = [];
  let fast = 0;
  let samples = 0;
  for (let r = 0; r < cfg.runs; r++) {
    const fast0 = sim.stats.samplesAtOrAbove1kHz;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const s = await loop(cfg.secondsPerRun);
    const wallS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(c0);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    wallRatio.push(s.simulatedS / wallS);
    cpuRatio.push(s.simulatedS / cpuS);
    eventsPerS.push(s.events / s.simulatedS);
    samplesPerS.push(s.samples / s.simulatedS);
    fast += sim.stats.samplesAtOrAbove1kHz - fast0;
    samples += s.samples;
  }
  return {
    simSecondsPerWallSecond: roundSummary(summarize(wallRatio), 3),
    simSecondsPerCpuSecond: roundSummary(summarize(cpuRatio), 3),
    eventsPerSimSecond: roundSummary(summarize(eventsPerS), 0),
    samplesPerSimSecond: roundSummary(summarize(samplesPerS), 0),
    shareOfSamplesAtOrAbove1kHz: round(fast / Math.max(1, samples), 3),
    collisions: sim.vehicle.collisions.length,
    rendererKernel: sim.renderer.kernel,
    loadAverage1m: [round(loadBefore, 2), round(loadavg()[0]!, 2)],
  };
}

export async function run(opts: { quick: boolean }): Promise<Record<string, unknown>> {
  const cfg: Config = opts.quick ? { runs: 3, secondsPerRun: 0.3, warmupS: 0.3 } : { runs: 7, secondsPerRun: 1, warmupS: 0.5 };
  const cpu = cpus();
  const out: Record<string, unknown> = {
    runs: cfg.runs,
    simulatedSecondsPerRun: cfg.secondsPerRun,
    domain: 'A',
    seed: 1,
    machine: { cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, node: process.version, loadAverage1mAtStart: round(loadavg()[0]!, 2) },
  };
  const arg = process.argv.indexOf('--configs');
  const only = arg > 0 ? new Set((process.argv[arg + 1] ?? '').split(',')) : undefined;
  const wanted = (key: string) => !only || only.has(key);
  for (const g of GEOMETRIES) {
    for (const name of SCENARIO_NAMES) {
      const key = `${name}@${g.widthPx}x${g.heightPx}`;
      if (wanted(key)) out[key] = await measure(name, g, cfg);
    }
  }
  for (const name of SCENARIO_NAMES) if (wanted(`${name}@160x120/fast500`)) out[`${name}@160x120/fast500`] = await measure(name, GEOMETRIES[0], cfg, 500);
  if (SCENARIO_NAMES.some((name) => !out[`${name}@160x120`])) {
    out.loadAverage1mAtEnd = round(loadavg()[0]!, 2);
    return out;
  }
  // The target at 160×120 (1 kHz floor): the slowest scenario's medians against 1× real time.
  const at160 = SCENARIO_NAMES.map((name) => ({ name, r: out[`${name}@160x120`] as Record<string, Summary> }));
  const slowest = (key: 'simSecondsPerCpuSecond' | 'simSecondsPerWallSecond') =>
    at160.reduce((a, b) => (b.r[key]!.median < a.r[key]!.median ? b : a));
  const cpuSlowest = slowest('simSecondsPerCpuSecond');
  const wallSlowest = slowest('simSecondsPerWallSecond');
  out.target160x120 = {
    slowestPerCpuSecond: { scenario: cpuSlowest.name, median: cpuSlowest.r.simSecondsPerCpuSecond!.median, p10: cpuSlowest.r.simSecondsPerCpuSecond!.p10 },
    slowestPerWallSecond: { scenario: wallSlowest.name, median: wallSlowest.r.simSecondsPerWallSecond!.median, p10: wallSlowest.r.simSecondsPerWallSecond!.p10 },
    fasterThanRealTimePerCpuSecond: cpuSlowest.r.simSecondsPerCpuSecond!.median > 1,
  };
  out.loadAverage1mAtEnd = round(loadavg()[0]!, 2);
  return out;
}

await runStandalone(import.meta.url, run);
