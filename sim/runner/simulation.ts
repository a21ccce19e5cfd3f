/**
 * One simulated flight: world, vehicle, event camera and ground truth stepped together in lock-step.
 *
 * Data flow per sample: vehicle dynamics advance by the sampling interval → camera pose from the
 * vehicle → render log intensity → DVS model → time-ordered events. The interval is chosen adaptively
 * (SamplingPolicy) from the camera's motion and the nearest depth in view. Time is simulation time in
 * integer microseconds from 0, exposed through `clock` (a SimClock); nothing here reads the wall clock.
 */
import type { Clock } from '../../src/contracts/clock.js';
import type { SensorGeometry } from '../../src/contracts/sensorGeometry.js';
import type { EventBuffer } from '../../src/formats/evt/eventBuffer.js';
import { cameraVelocities } from '../camera/cameraKinematics.js';
import { DEFAULT_CAMERA_SPEC, PinholeCamera, type CameraPose, type CameraSpec, type MutableCameraPose } from '../camera/pinhole.js';
import { Renderer } from '../camera/renderer.js';
import { DEFAULT_SAMPLING_POLICY, peakFlowPxS, sampleIntervalUs, type SamplingPolicy } from '../camera/samplingPolicy.js';
import { dvsPreset, type DvsParams, type DvsPresetName } from '../events/dvsParams.js';
import { DvsModel } from '../events/dvsModel.js';
import type { Scenario } from '../scenarios/scenario.js';
import { GroundTruthRenderer, type TruthFrame } from '../truth/groundTruth.js';
import { networkCamera } from '../truth/networkCamera.js';
import { mat3 } from '../world/frames.js';
import { Prng } from '../world/prng.js';
import { Multirotor } from '../vehicle/multirotor.js';
import { CALM, type MultirotorParams, type WindParams } from '../vehicle/multirotorParams.js';
import { SimClock } from './clocks.js';

export interface SimulationOptions {
  readonly scenario: Scenario;
  /** Seed of the run's own randomness (sensor noise, IMU, wind); default: the scenario's seed. */
  readonly seed?: number;
  /** Sensor geometry, field of view and mounting (default 160×120, 90°, level). */
  readonly camera?: Partial<CameraSpec>;
  /** Geometry of the ground truth (the network input), default 160×120. */
  readonly networkGeometry?: SensorGeometry;
  /** DVS preset (default: the domain's), then overrides (default: the domain's overrides). */
  readonly eventPreset?: DvsPresetName;
  readonly eventOverrides?: Partial<DvsParams>;
  readonly sampling?: Partial<SamplingPolicy>;
  readonly vehicle?: Partial<MultirotorParams>;
  /** Wind (default: the domain's, calm for A). */
  readonly wind?: WindParams;
}

/** Running counts. */
export interface SimulationStats {
  samples: number;
  events: number;
  /** Sum of sampling intervals by rate band, for reports: samples at ≥ 1 kHz. */
  samplesAtOrAbove1kHz: number;
}

/** Wind per domain: calm in A, gusty in B. */
const DOMAIN_WIND: Readonly<Record<string, WindParams>> = {
  A: CALM,
  B: { meanNorthMS: 0.5, meanEastMS: 1.0, meanDownMS: 0, gustSigmaMS: 0.5, gustTauS: 1.5 },
};

export class Simulation {
  readonly scenario: Scenario;
  readonly camera: PinholeCamera;
  readonly renderer: Renderer;
  readonly dvs: DvsModel;
  readonly dvsParams: DvsParams;
  readonly vehicle: Multirotor;
  readonly truth: GroundTruthRenderer;
  readonly sampling: SamplingPolicy;
  readonly stats: SimulationStats = { samples: 0, events: 0, samplesAtOrAbove1kHz: 0 };
  private readonly simClock = new SimClock(0);
  // Poses are overwritten in place (no allocation per sample); the numbers start as doubles so V8
  // keeps them unboxed.
  private readonly camPose: MutableCameraPose = { northM: 0.5, eastM: 0.5, altitudeM: 0.5, worldFromCamera: mat3() };
  private readonly truthPose: MutableCameraPose = { northM: 0.5, eastM: 0.5, altitudeM: 0.5, worldFromCamera: mat3() };
  private readonly velCam = new Float64Array(3);
  private readonly omegaCam = new Float64Array(3);
  private pose: CameraPose;

  constructor(opts: SimulationOptions) {
    const sc = opts.scenario;
    this.scenario = sc;
    const seed = opts.seed ?? sc.seed;
    const prng = new Prng(seed).derive('simulation');
    this.camera = new PinholeCamera({ ...DEFAULT_CAMERA_SPEC, ...opts.camera });
    this.renderer = new Renderer(this.camera);
    this.truth = new GroundTruthRenderer(networkCamera(this.camera, opts.networkGeometry ?? { widthPx: 160, heightPx: 120 }));
    this.dvsParams = { ...dvsPreset(opts.eventPreset ?? sc.domain.eventPreset), ...(opts.eventOverrides ?? sc.domain.eventOverrides) };
    this.dvs = new DvsModel(this.camera.spec.geometry, this.dvsParams, prng.derive('dvs'));
    this.sampling = { ...DEFAULT_SAMPLING_POLICY, ...opts.sampling };
    this.vehicle = new Multirotor({
      world: sc.world,
      prng: prng.derive('vehicle'),
      start: { northM: sc.startNorthM, eastM: sc.startEastM, altitudeM: sc.startAltitudeM, yawRad: sc.startYawRad },
      params: opts.vehicle,
      wind: opts.wind ?? DOMAIN_WIND[sc.domain.name] ?? CALM,
    });
    this.pose = this.updatePose();
    this.renderer.render(sc.world, this.pose);
    this.dvs.reset(this.renderer.logI, 0);
  }

  /** Simulation time, µs (integer). */
  get tUs(): number {
    return this.simClock.nowUs();
  }

  /** The simulation's clock (lock-step time). */
  get clock(): Clock {
    return this.simClock;
  }

  /**
   * Advances everything to `tEndUs` (integer µs, ≥ now), appending the events of (now, tEndUs] in time
   * order to `out`. Returns the number of events appended.
   */
  advanceTo(tEndUs: number, out: EventBuffer): number {
    if (!Number.isInteger(tEndUs)) throw new Error(`advanceTo: ${tEndUs} µs is not an integer`);
    let added = 0;
    const world = this.scenario.world;
    while (this.tUs < tEndUs) {
      const peak = peakFlowPxS(this.camera, this.velCam, this.omegaCam, this.renderer.minDepthM);
      const dtUs = Math.min(sampleIntervalUs(peak, this.sampling), tEndUs - this.tUs);
      this.vehicle.step(dtUs * 1e-6);
      this.simClock.advanceTo(this.tUs + dtUs);
      this.pose = this.updatePose();
      this.renderer.render(world, this.pose);
      added += this.dvs.step(this.renderer.logI, this.tUs, out);
      this.stats.samples++;
      if (dtUs <= 1000) this.stats.samplesAtOrAbove1kHz++;
    }
    this.stats.events += added;
    return added;
  }

  /** Ground truth at the current instant, at network geometry (buffers reused by the next call). */
  truthNow(): TruthFrame {
    const v = this.vehicle;
    const cam = this.truth.camera;
    const pose = cam.writePose(v.positionNed[0]!, v.positionNed[1]!, v.positionNed[2]!, v.worldFromBody, this.truthPose);
    return this.truth.compute(this.scenario.world, pose, this.velCam, this.omegaCam, this.tUs);
  }

  /**
   * Puts the vehicle back at a pose (after a crash or at the end of the course) and restarts the event
   * camera from the new view: a scene cut, with no events for the jump itself.
   */
  respawn(pose: { readonly northM: number; readonly eastM: number; readonly altitudeM: number; readonly yawRad: number }): void {
    this.vehicle.resetTo(pose);
    this.pose = this.updatePose();
    this.renderer.render(this.scenario.world, this.pose);
    this.dvs.reset(this.renderer.logI, this.tUs);
  }

  private updatePose(): CameraPose {
    const v = this.vehicle;
    const pose = this.camera.writePose(v.positionNed[0]!, v.positionNed[1]!, v.positionNed[2]!, v.worldFromBody, this.camPose);
    cameraVelocities(this.camera, pose.worldFromCamera, v.velocityNed, v.bodyRates, this.velCam, this.omegaCam);
    return pose;
  }
}
