/**
 * Simulated training and evaluation data, generated on the fly: the expert pilot flies a scenario of one
 * domain in lock-step (sim/runner/closedLoop.ts), the simulator's events go through the project's
 * WindowCutter exactly as the runtime cuts them, and each window comes with the camera's motion computed
 * from the state the flight controller *reports* (body rates rotated into the camera frame, the focus of
 * expansion from the reported velocity and attitude) — what the learner has in flight. The simulator's
 * ground truth (ν at network geometry) is attached for evaluation only; the training signal never reads it.
 *
 * Deterministic: the same clip spec and options give the same windows, bit for bit (the simulator, the
 * pilot and the cutter are seeded or pure; nothing reads the wall clock).
 *
 * Two windows per step, both cut by the project's WindowCutter from the same events and ending at the same
 * instant: the *input* window (`inputLengthUs`, default one period: what the runtime's cutter gives the
 * network at that rate) and the *loss* window (`lossLengthUs`, default the input's length), whose learner
 * events the self-supervised loss warps. At 160 × 120 the events of one 5–10 ms window move a fraction of a
 * pixel and the contrast loss is flat in ν; over ~40 ms its minimum sits at the true ν (see
 * src/learning/EVIDENCE.md), so the loss may look further back than the input.
 *
 * Window timing: the closed loop steps at `windowRateHz`; after each step the period's events are pushed
 * into the cutters and the cutters are advanced to the step's end, which emits the windows ending there
 * (covering [end − length, end)). The truth is rendered at that same instant (the window's end, when the
 * network's output is used). The camera motion is the mean of the reported body rates and of the reported
 * velocity (camera frame) over the loss window's steps, the FOE from that mean velocity. Windows that
 * overlap a respawn (collision or course end: a scene cut) are marked `afterCut` so callers can drop them.
 */
import type { CameraIntrinsics } from '../../contracts/cameraIntrinsics.js';
import type { EventWindow } from '../../contracts/eventWindow.js';
import type { SensorGeometry } from '../../contracts/sensorGeometry.js';
import { WindowCutter, type InputEventFilterFactory, type InputSampling } from '../../windows/index.js';
import { inputNoiseFilterFor, type NoiseFilterSettings } from '../loss/backgroundActivityFilter.js';
import { cameraMotionFromFc } from '../cameraMotion.js';
import { focusOfExpansionFromVelocity, type Vec3 } from '../loss/index.js';
import type { CameraMotion } from '../trainingSample.js';
import { runClosedLoop, type ClosedLoopSummary } from '../../../sim/runner/closedLoop.js';
import { createExpertPilot } from '../../../sim/runner/expertPilot.js';
import { Simulation } from '../../../sim/runner/simulation.js';
import type { DvsParams } from '../../../sim/events/dvsParams.js';
import { buildScenario, domainPreset } from '../../../sim/scenarios/index.js';
import type { TruthFrame } from '../../../sim/truth/groundTruth.js';
import type { ReportedState } from '../../../sim/vehicle/simVehicle.js';
import { Prng } from '../../../sim/world/prng.js';

/** One simulated flight: scenario, domain, seed and length. */
export interface ClipSpec {
  readonly scenario: string;
  readonly domain: 'A' | 'B';
  readonly seed: number;
  readonly seconds: number;
  /** Scenario parameters (e.g. forest `density`). */
  readonly params?: Readonly<Record<string, number>>;
  /** Changes to the domain's event-sensor parameters (diagnostics: e.g. the loss scan without shot noise). */
  readonly sensorOverrides?: Readonly<Partial<DvsParams>>;
  /**
   * The event camera's resolution (default the simulator's 160 × 120), same 90° field of view. The ground
   * truth stays at network geometry (160 × 120). A finer camera runs the simulator several times slower.
   */
  readonly sensorGeometry?: SensorGeometry;
}

export interface ClipOptions {
  /** Window (and control) rate, Hz; default 100. */
  readonly windowRateHz: number;
  /** Input window length, µs; default one period. */
  readonly inputLengthUs?: number;
  /** Noise filter on the network input's events (as the runtime applies it when the weights say so); default none. */
  readonly inputNoiseFilter?: NoiseFilterSettings;
  /** Which sensor pixels count into the network input (src/windows/inputMapping.ts); default `bin`. */
  readonly inputSampling?: InputSampling;
  /** Loss window length, µs; default the input window's. */
  readonly lossLengthUs?: number;
  /** Most learner events per loss window (the cutter's learner cap); default 4096. */
  readonly learnerCap: number;
  /** Simulator: lowest sampling rate while the image moves, Hz (the `--fast-rate` knob; default the simulator's 1 kHz). */
  readonly fastRateHz?: number;
  /** Ground truth every n-th window (0 = never); default 1. */
  readonly truthEvery: number;
  /** Expert pilot excitation (default 1). */
  readonly excitation?: number;
  /** Seconds flown before windows are handed out (take-off transient); default 0.5. */
  readonly warmUpS: number;
}

export const DEFAULT_CLIP_OPTIONS: ClipOptions = { windowRateHz: 100, learnerCap: 4096, truthEvery: 1, warmUpS: 0.5 };

/** What one window hands to the consumer. Everything is reused for the next window: copy what you keep. */
export interface ClipWindow {
  /** The input window: `window.input` is the network input the runtime would compute. */
  readonly window: EventWindow;
  /** The loss window (same end; the same object as `window` when the lengths are equal): its learner events. */
  readonly lossWindow: EventWindow;
  /** Camera motion over the loss window (mean of the reported state), for the loss. */
  readonly motion: CameraMotion;
  /** Ground truth at the window's end (network geometry), when this window has one. Evaluation only. */
  readonly truth: TruthFrame | undefined;
  /** Closed-loop step (window period) since the clip started, warm-up included; the truth comes on steps divisible by `truthEvery`. */
  readonly step: number;
  /** Simulated seconds since the clip started (after the warm-up). */
  readonly clipTimeS: number;
  /** True when the window overlaps a respawn (scene cut): its events mix two views. */
  readonly afterCut: boolean;
}

/** Camera and mapping facts a consumer needs before the first window (loss set-up, metadata). */
export interface ClipCamera {
  readonly sensor: SensorGeometry;
  readonly network: SensorGeometry;
  readonly intrinsics: CameraIntrinsics;
  readonly mountPitchUpRad: number;
  readonly horizontalFovRad: number;
}

export interface ClipSummary {
  readonly spec: ClipSpec;
  readonly windows: number;
  readonly events: number;
  readonly collisions: number;
  readonly respawns: number;
  readonly distanceM: number;
  readonly simulatedS: number;
  readonly stoppedBy: ClosedLoopSummary['stoppedBy'];
}

/** The camera of a clip without flying it (same construction as `flyClip`). */
export function clipCamera(spec: ClipSpec, opts: Partial<ClipOptions> = {}): ClipCamera {
  return cameraOf(makeSimulation(spec, { ...DEFAULT_CLIP_OPTIONS, ...opts }));
}

function makeSimulation(spec: ClipSpec, o: ClipOptions): Simulation {
  const preset = domainPreset(spec.domain);
  const domain = spec.sensorOverrides ? { ...preset, eventOverrides: { ...preset.eventOverrides, ...spec.sensorOverrides } } : preset;
  const scenario = buildScenario(spec.scenario, { seed: spec.seed, domain, params: spec.params });
  return new Simulation({ scenario, seed: spec.seed, ...(spec.sensorGeometry ? { camera: { geometry: spec.sensorGeometry } } : {}), ...(o.fastRateHz !== undefined ? { sampling: { fastRateHz: o.fastRateHz } } : {}) });
}

function cameraOf(sim: Simulation): ClipCamera {
  const c = sim.camera;
  return {
    sensor: c.spec.geometry,
    network: { widthPx: sim.truth.camera.widthPx, heightPx: sim.truth.camera.heightPx },
    intrinsics: { fxPx: c.fxPx, fyPx: c.fyPx, cxPx: c.cxPx, cyPx: c.cyPx },
    mountPitchUpRad: c.spec.mountPitchRad,
    horizontalFovRad: c.spec.horizontalFovRad,
  };
}

/**
 * The camera's motion from the FC-reported state (cameraMotion.ts does the same from the runtime's
 * VehicleState): gyro rates body FRD → camera; velocity local NED → body FRD (reported attitude) → camera,
 * then the FOE with the optical-axis fallback; the ground-floor plane from the reported height (the world's
 * ground is at the origin's altitude, as a take-off point would be).
 */
export function motionFromReported(r: ReportedState, mountPitchUpRad: number, velocityCamOut: Vec3 = { x: 0, y: 0, z: 0 }): CameraMotion {
  return cameraMotionFromFc(r.bodyRatesRadS, r.velocityNedMS, r.attitude, -r.positionNedM.downM, mountPitchUpRad, velocityCamOut);
}

/**
 * Flies one clip and calls `onWindow` for every window after the warm-up. `onStart` gets the camera first.
 * `shouldStop` (checked after each window) ends the clip early.
 */
export async function flyClip(
  spec: ClipSpec,
  options: Partial<ClipOptions>,
  onWindow: (w: ClipWindow) => void | Promise<void>,
  hooks: { readonly onStart?: (camera: ClipCamera) => void; readonly shouldStop?: () => boolean } = {},
): Promise<ClipSummary> {
  const o: ClipOptions = { ...DEFAULT_CLIP_OPTIONS, ...options };
  const sim = makeSimulation(spec, o);
  const camera = cameraOf(sim);
  hooks.onStart?.(camera);
  const periodUs = 1e6 / o.windowRateHz;
  const inputLengthUs = o.inputLengthUs ?? periodUs;
  const lossLengthUs = o.lossLengthUs ?? inputLengthUs;
  const newCutter = (lengthUs: number, learnerCap: number, inputFilterFor?: InputEventFilterFactory) =>
    new WindowCutter(
      {
        sensor: camera.sensor,
        network: camera.network,
        inputSampling: o.inputSampling ?? 'bin',
        rateHz: o.windowRateHz,
        lengthUs,
        learnerCap,
        maxGapUs: Math.max(1_000_000, 2 * lengthUs),
        ringCapacity: 1 << 20,
      },
      inputFilterFor,
    );
  const inputCutter = newCutter(inputLengthUs, o.learnerCap, inputNoiseFilterFor(o.inputNoiseFilter));
  const lossCutter = lossLengthUs === inputLengthUs ? undefined : newCutter(lossLengthUs, o.learnerCap);
  const pilot = createExpertPilot(sim.scenario, new Prng(spec.seed).derive('expert-pilot'), {
    excitation: o.excitation ?? 1,
    periodS: 1 / o.windowRateHz,
  });
  const warmUpUs = Math.round(o.warmUpS * 1e6);
  // Reported motion per step (camera frame), for the mean over the loss window.
  const steps = Math.max(1, Math.round(lossLengthUs / periodUs));
  const HIST = 10; // rates xyz, velocity xyz, ground-floor plane present + 3 coefficients
  const hist = new Float64Array(steps * HIST);
  let histCount = 0;
  const rates = { x: 0, y: 0, z: 0 };
  const vel = { x: 0, y: 0, z: 0 };
  let lastCutUs = -Infinity;
  let windows = 0;
  // The cutters' callbacks are synchronous; the consumer may be async, so the window each emits per step is
  // handed over after they return (the window objects stay valid until the next push).
  let emitted: EventWindow | undefined;
  let emittedLoss: EventWindow | undefined;
  const summary = await runClosedLoop({
    sim,
    controller: pilot,
    controlRateHz: o.windowRateHz,
    durationS: spec.seconds + o.warmUpS,
    truthEvery: o.truthEvery > 0 ? o.truthEvery : 0,
    onCollision: 'respawn',
    onCourseEnd: 'respawn',
    onRespawn: (_reason, tUs) => {
      lastCutUs = tUs;
    },
    shouldStop: () => hooks.shouldStop?.() ?? false,
    onWindow: async (w, view, truth) => {
      const r = view.reported;
      const m = motionFromReported(r, camera.mountPitchUpRad, vel);
      const slot = (histCount++ % steps) * HIST;
      hist[slot] = m.bodyRatesCamRadS.x;
      hist[slot + 1] = m.bodyRatesCamRadS.y;
      hist[slot + 2] = m.bodyRatesCamRadS.z;
      hist[slot + 3] = vel.x;
      hist[slot + 4] = vel.y;
      hist[slot + 5] = vel.z;
      hist[slot + 6] = m.groundFloor ? 1 : 0;
      hist[slot + 7] = m.groundFloor?.perXPerS ?? 0;
      hist[slot + 8] = m.groundFloor?.perYPerS ?? 0;
      hist[slot + 9] = m.groundFloor?.atAxisPerS ?? 0;
      emitted = undefined;
      emittedLoss = undefined;
      if (w.events.length > 0) {
        inputCutter.push(w.events, (win) => (emitted = win));
        lossCutter?.push(w.events, (win) => (emittedLoss = win));
      }
      inputCutter.advanceTo(w.tEndUs, (win) => (emitted = win));
      lossCutter?.advanceTo(w.tEndUs, (win) => (emittedLoss = win));
      if (emitted === undefined || w.tEndUs <= warmUpUs) return;
      const win: EventWindow = emitted;
      const lossWin: EventWindow = lossCutter ? emittedLoss ?? win : win;
      if (lossWin.tEndUs !== win.tEndUs) throw new Error(`cutters out of step: ${lossWin.tEndUs} vs ${win.tEndUs}`);
      const n = Math.min(histCount, steps);
      rates.x = rates.y = rates.z = vel.x = vel.y = vel.z = 0;
      let floorSteps = 0;
      const floor = { perXPerS: 0, perYPerS: 0, atAxisPerS: 0 };
      for (let k = 0; k < n; k++) {
        const o = k * HIST;
        rates.x += hist[o]! / n;
        rates.y += hist[o + 1]! / n;
        rates.z += hist[o + 2]! / n;
        vel.x += hist[o + 3]! / n;
        vel.y += hist[o + 4]! / n;
        vel.z += hist[o + 5]! / n;
        if (hist[o + 6] === 1) {
          floorSteps++;
          floor.perXPerS += hist[o + 7]!;
          floor.perYPerS += hist[o + 8]!;
          floor.atAxisPerS += hist[o + 9]!;
        }
      }
      // The plane over the loss window: the mean of the steps that had one, none unless every step had one.
      const groundFloor =
        floorSteps === n ? { perXPerS: floor.perXPerS / n, perYPerS: floor.perYPerS / n, atAxisPerS: floor.atAxisPerS / n } : null;
      const foe = { x: 0, y: 0 };
      const foeFromVelocity = focusOfExpansionFromVelocity(vel, foe);
      windows++;
      await onWindow({
        window: win,
        lossWindow: lossWin,
        motion: { bodyRatesCamRadS: { ...rates }, focusOfExpansionNorm: foe, foeFromVelocity, groundFloor, axialSpeedMS: vel.z },
        truth: win.tEndUs === w.tEndUs ? truth : undefined,
        step: w.index,
        clipTimeS: (w.tEndUs - warmUpUs) / 1e6,
        afterCut: lossWin.tStartUs <= lastCutUs,
      });
    },
  });
  return {
    spec,
    windows,
    events: summary.events,
    collisions: summary.collisions,
    respawns: summary.respawns,
    distanceM: summary.distanceM,
    simulatedS: summary.simulatedS,
    stoppedBy: summary.stoppedBy,
  };
}
