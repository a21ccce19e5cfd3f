/**
 * Records a simulated flight for pretraining: the expert pilot flies a scenario in lock-step while
 * every control window's events, the vehicle state and (every n-th window) the ground truth at network
 * geometry go to a sink (the `.evsim` writer, or anything with the same methods). Collisions and
 * completed courses respawn the vehicle at the start and write a `reset` record.
 *
 * Deterministic: the same options give the same records (and, through the writer, the same bytes).
 */
import type { EventBatch } from '../../src/contracts/eventBatch.js';
import type { SensorGeometry } from '../../src/contracts/sensorGeometry.js';
import type { PinholeCamera } from '../camera/pinhole.js';
import type { SamplingPolicy } from '../camera/samplingPolicy.js';
import type { DvsPresetName } from '../events/dvsParams.js';
import { runClosedLoop, type ClosedLoopSummary, type Controller, type Setpoint } from '../runner/closedLoop.js';
import { createExpertPilot } from '../runner/expertPilot.js';
import { Simulation } from '../runner/simulation.js';
import { buildScenario, domainPreset } from '../scenarios/index.js';
import { Prng } from '../world/prng.js';
import type { TruthPlanes } from './codec.js';
import { TRUTH_ENCODING, VEHICLE_FIELDS, type CameraHeader, type DatasetHeader } from './format.js';

export interface RecordOptions {
  readonly scenario: string;
  readonly domain: string;
  readonly seed: number;
  readonly seconds: number;
  readonly scenarioParams?: Readonly<Record<string, number>>;
  readonly sensor?: SensorGeometry;
  readonly network?: SensorGeometry;
  readonly horizontalFovRad?: number;
  readonly mountPitchRad?: number;
  readonly eventPreset?: DvsPresetName;
  /** Control/window rate, Hz (default 100). */
  readonly windowRateHz?: number;
  /** Ground truth every n-th window (default 1: every window). */
  readonly truthEveryWindows?: number;
  /** Expert pilot: excitation (default 1) and cruise speed (default: the scenario's). */
  readonly excitation?: number;
  readonly cruiseSpeedMS?: number;
  /** Camera sampling policy overrides (e.g. a lower `fastRateHz` to trade timing fidelity for speed). */
  readonly sampling?: Partial<SamplingPolicy>;
  /** Deflate level 0–9 (default 6; 0 stores uncompressed). */
  readonly compressionLevel?: number;
  /** Names the producing program in the header (no version or time stamps: files stay reproducible). */
  readonly generator?: string;
}

/** Where records go (DatasetWriter implements it). */
export interface RecordSink {
  writeEvents(tStartUs: number, tEndUs: number, batch: EventBatch): void;
  writeTruth(tUs: number, truth: TruthPlanes): void;
  writeVehicle(tUs: number, values: ArrayLike<number>): void;
  writeReset(tUs: number, info: object): void;
  close(tUs: number, summary: object): void;
}

export interface RecordSummary extends ClosedLoopSummary {
  readonly header: DatasetHeader;
}

function cameraHeader(c: PinholeCamera): CameraHeader {
  return { widthPx: c.widthPx, heightPx: c.heightPx, fxPx: c.fxPx, fyPx: c.fyPx, cxPx: c.cxPx, cyPx: c.cyPx, mountPitchRad: c.spec.mountPitchRad };
}

export async function recordDataset(
  opts: RecordOptions,
  createSink: (header: DatasetHeader) => RecordSink,
  onProgress?: (simulatedS: number, totalS: number, events: number) => void,
): Promise<RecordSummary> {
  const domain = domainPreset(opts.domain);
  const scenario = buildScenario(opts.scenario, { seed: opts.seed, domain, params: opts.scenarioParams });
  const sim = new Simulation({
    scenario,
    seed: opts.seed,
    camera: {
      ...(opts.sensor ? { geometry: opts.sensor } : {}),
      ...(opts.horizontalFovRad !== undefined ? { horizontalFovRad: opts.horizontalFovRad } : {}),
      ...(opts.mountPitchRad !== undefined ? { mountPitchRad: opts.mountPitchRad } : {}),
    },
    networkGeometry: opts.network,
    eventPreset: opts.eventPreset,
    sampling: opts.sampling,
  });
  const windowRateHz = opts.windowRateHz ?? 100;
  const truthEvery = opts.truthEveryWindows ?? 1;
  const excitation = opts.excitation ?? 1;
  const cruise = opts.cruiseSpeedMS ?? scenario.cruiseSpeedMS;
  const level = opts.compressionLevel ?? 6;
  const header: DatasetHeader = {
    format: 'evpilot-sim-dataset',
    version: 1,
    generator: opts.generator ?? 'evpilot sim',
    scenario: { name: scenario.name, seed: scenario.seed, params: scenario.params, goalYawRad: scenario.goalYawRad, courseLengthM: scenario.courseLengthM },
    domain: domain.name,
    seed: opts.seed,
    durationS: opts.seconds,
    windowRateHz,
    truthEveryWindows: truthEvery,
    sensor: cameraHeader(sim.camera),
    network: cameraHeader(sim.truth.camera),
    dvs: { ...sim.dvsParams },
    pilot: { excitation, cruiseSpeedMS: cruise },
    sampling: { ...sim.sampling },
    truthEncoding: TRUTH_ENCODING,
    vehicleFields: VEHICLE_FIELDS,
    compression: { codec: level > 0 ? 'deflate-raw' : 'none', level },
  };
  const sink = createSink(header);
  const expert = createExpertPilot(scenario, new Prng(opts.seed).derive('expert-pilot'), { excitation, cruiseSpeedMS: cruise, periodS: 1 / windowRateHz });
  let setpoint: Setpoint = { velBodyMS: { x: 0, y: 0, z: 0 }, yawRateRadS: 0 };
  const controller: Controller = async (w, v, t) => {
    setpoint = await expert(w, v, t);
    return setpoint;
  };
  const values = new Float64Array(VEHICLE_FIELDS.length);
  const summary = await runClosedLoop({
    sim,
    controller,
    controlRateHz: windowRateHz,
    durationS: opts.seconds,
    truthEvery,
    onCollision: 'respawn',
    onCourseEnd: 'respawn',
    onRespawn: (reason, tUs) => {
      const s = scenario;
      sink.writeReset(tUs, { reason, pose: { northM: s.startNorthM, eastM: s.startEastM, altitudeM: s.startAltitudeM, yawRad: s.startYawRad } });
    },
    onWindow: (window, view, truth) => {
      sink.writeEvents(window.tStartUs, window.tEndUs, window.events);
      const t = view.truth;
      const r = view.reported;
      const v = [
        t.positionNedM.northM, t.positionNedM.eastM, t.positionNedM.downM,
        t.velocityNedMS.northMS, t.velocityNedMS.eastMS, t.velocityNedMS.downMS,
        t.attitude.rollRad, t.attitude.pitchRad, t.attitude.yawRad,
        t.bodyRatesRadS.rollRadS, t.bodyRatesRadS.pitchRadS, t.bodyRatesRadS.yawRadS,
        t.accelerationNedMS2.x, t.accelerationNedMS2.y, t.accelerationNedMS2.z,
        r.attitude.rollRad, r.attitude.pitchRad, r.attitude.yawRad,
        r.bodyRatesRadS.rollRadS, r.bodyRatesRadS.pitchRadS, r.bodyRatesRadS.yawRadS,
        r.velocityNedMS.northMS, r.velocityNedMS.eastMS, r.velocityNedMS.downMS,
        t.clearanceM, t.collisionCount,
        setpoint.velBodyMS.x, setpoint.velBodyMS.y, setpoint.velBodyMS.z, setpoint.yawRateRadS,
      ];
      values.set(v);
      sink.writeVehicle(window.tEndUs, values);
      if (truth) {
        sink.writeTruth(truth.tUs, {
          widthPx: truth.geometry.widthPx,
          heightPx: truth.geometry.heightPx,
          depthM: truth.depthM,
          invTtcPerS: truth.invTtcPerS,
          flowXPxS: truth.flowXPxS,
          flowYPxS: truth.flowYPxS,
        });
      }
      onProgress?.(window.tEndUs / 1e6, opts.seconds, sim.stats.events);
    },
  });
  sink.close(sim.tUs, {
    simulatedS: summary.simulatedS,
    windows: summary.windows,
    events: summary.events,
    samples: summary.samples,
    collisions: summary.collisions,
    respawns: summary.respawns,
    coursesCompleted: summary.coursesCompleted,
    distanceM: summary.distanceM,
    minClearanceM: summary.minClearanceM,
  });
  return { ...summary, header };
}
