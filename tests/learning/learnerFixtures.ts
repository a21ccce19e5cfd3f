/**
 * Windows for the learner's tests and benchmark: pattern windows whose every value is a known function of
 * the window index (to detect torn or mixed-up samples), and synthetic scene windows with a known ν
 * (the loss tests' generator: points on a slanted plane, camera translating and rotating) turned into the
 * network input the way the window cutter does (per-polarity counts through the input lookup).
 */
import type { CameraIntrinsics } from '../../src/contracts/cameraIntrinsics.js';
import type { EventBatch } from '../../src/contracts/eventBatch.js';
import type { EventWindow } from '../../src/contracts/eventWindow.js';
import type { SensorGeometry } from '../../src/contracts/sensorGeometry.js';
import type { VehicleState } from '../../src/contracts/vehicleState.js';
import type { CameraMotion, TrainingSample } from '../../src/learning/trainingSample.js';
import { accumulateCounts, buildInputLookup } from '../../src/windows/index.js';
import { mulberry32 } from '../helpers/random.js';
import { syntheticWindow } from './loss/syntheticScene.js';

export const NETWORK: SensorGeometry = { widthPx: 160, heightPx: 120 };
export const INPUT_LENGTH = 2 * NETWORK.widthPx * NETWORK.heightPx;

/** A window with its camera motion as the trainer takes it (its learner events as the loss events). */
export function trainingSampleOf(w: EventWindow, motion: CameraMotion): TrainingSample {
  return {
    ...motion,
    windowIndex: w.index,
    tStartUs: w.tStartUs,
    tEndUs: w.tEndUs,
    windowEventCount: w.eventCount,
    mapping: w.input.mapping,
    input: w.input.data,
    events: w.learnerEvents,
    enqueuedTUs: 0,
  };
}

/** Input value i of pattern window `index` (small integers: exact in float32). */
export const patternInput = (index: number, i: number): number => (index * 7 + i) % 1000;

/** A window whose input and events are functions of `index` (see patternInput and the event formulas). */
export function patternWindow(index: number, events: number, sensor: SensorGeometry = { widthPx: 640, heightPx: 480 }): EventWindow {
  const data = new Float32Array(INPUT_LENGTH);
  for (let i = 0; i < data.length; i++) data[i] = patternInput(index, i);
  const batch: EventBatch = {
    length: events,
    x: Uint16Array.from({ length: events }, (_, k) => (index + k) % sensor.widthPx),
    y: Uint16Array.from({ length: events }, (_, k) => (index * 3 + k) % sensor.heightPx),
    p: Uint8Array.from({ length: events }, (_, k) => (index + k) & 1),
    tUs: Float64Array.from({ length: events }, (_, k) => index * 5000 + k),
  };
  return {
    index,
    tStartUs: index * 5000,
    tEndUs: index * 5000 + 5000,
    sensor,
    eventCount: events,
    learnerTStartUs: index * 5000,
    learnerEventCount: events,
    input: { kind: 'counts', channels: 2, geometry: NETWORK, mapping: { fit: 'letterbox', scale: 0.25, offsetXPx: 0, offsetYPx: 0 }, data },
    learnerEvents: batch,
  };
}

export const PATTERN_MOTION: CameraMotion = { bodyRatesCamRadS: { x: 0.1, y: -0.2, z: 0.3 }, focusOfExpansionNorm: { x: 0.05, y: -0.02 }, foeFromVelocity: true, groundFloor: { perXPerS: 0.01, perYPerS: 1.5, atAxisPerS: 0.2 }, axialSpeedMS: 2.5 };

/** Values of a sample that differ from pattern window `index` (0 = intact). */
export function patternMismatches(
  s: { input: Float32Array; events: EventBatch; tStartUs: number; windowIndex: number },
  index: number,
  sensor: SensorGeometry = { widthPx: 640, heightPx: 480 },
): number {
  let bad = 0;
  if (s.windowIndex !== index || s.tStartUs !== index * 5000) bad++;
  for (let i = 0; i < s.input.length; i++) if (s.input[i] !== patternInput(index, i)) bad++;
  const e = s.events;
  for (let k = 0; k < e.length; k++) {
    if (e.x[k] !== (index + k) % sensor.widthPx || e.y[k] !== (index * 3 + k) % sensor.heightPx || e.p[k] !== ((index + k) & 1) || e.tUs[k] !== index * 5000 + k) bad++;
  }
  return bad;
}

export interface SceneWindows {
  readonly sensor: SensorGeometry;
  readonly intrinsics: CameraIntrinsics;
  readonly windows: Array<{ readonly window: EventWindow; readonly motion: CameraMotion; readonly truthPerS: Float64Array }>;
}

export interface SceneOptions {
  readonly sensor?: SensorGeometry;
  readonly intrinsics?: CameraIntrinsics;
  readonly count: number;
  readonly windowUs: number;
  /** Events per window, about. */
  readonly events: number;
  readonly seed: number;
}

/**
 * `count` consecutive windows of the synthetic scene (camera at (0.3, −0.1, 3) m/s rotating at
 * (0.2, −0.4, 0.3) rad/s toward a slanted plane 2 m away: ν ≈ 1–2 1/s), each with its own objects.
 */
export function sceneWindows(o: SceneOptions): SceneWindows {
  const sensor = o.sensor ?? { widthPx: 320, heightPx: 240 };
  const intrinsics = o.intrinsics ?? { fxPx: sensor.widthPx * 0.78, fyPx: sensor.widthPx * 0.78, cxPx: (sensor.widthPx - 1) / 2, cyPx: (sensor.heightPx - 1) / 2 };
  const lut = buildInputLookup(sensor, NETWORK, 'letterbox');
  const rand = mulberry32(o.seed);
  const windows = [];
  for (let w = 0; w < o.count; w++) {
    const tStartUs = 1_000_000 + w * o.windowUs;
    const win = syntheticWindow(
      {
        sensor,
        network: NETWORK,
        intrinsics,
        mapping: lut.mapping,
        velocityCamMS: [0.3, -0.1, 3],
        ratesCamRadS: [0.2, -0.4, 0.3],
        depthM: 2,
        slopeX: 0.4,
        slopeY: 0.2,
        tStartUs,
        tEndUs: tStartUs + o.windowUs,
        points: Math.max(1, Math.round(o.events / 12 / 1.05)),
        eventsPerPoint: 12,
        noiseShare: 0.05,
      },
      rand,
    );
    const data = new Float32Array(INPUT_LENGTH);
    accumulateCounts(lut, win.events, 0, win.events.length, data);
    const window: EventWindow = {
      index: w,
      tStartUs,
      tEndUs: tStartUs + o.windowUs,
      sensor,
      eventCount: win.events.length,
      learnerTStartUs: tStartUs,
      learnerEventCount: win.events.length,
      input: { kind: 'counts', channels: 2, geometry: NETWORK, mapping: lut.mapping, data },
      learnerEvents: win.events,
    };
    windows.push({ window, motion: { bodyRatesCamRadS: win.ratesCam, focusOfExpansionNorm: win.foeNorm, foeFromVelocity: true, groundFloor: null, axialSpeedMS: 3 }, truthPerS: win.invTtcTruePerS });
  }
  return { sensor, intrinsics, windows };
}

/**
 * FC state giving the scene's camera motion (sceneWindows) with a level, north-facing drone and the camera
 * along body x (mount pitch 0: camera x = body y, camera y = body z, camera z = body x): camera rates
 * (0.2, −0.4, 0.3) → body (0.3, 0.2, −0.4) rad/s; camera velocity (0.3, −0.1, 3) → NED (3, 0.3, −0.1) m/s.
 * `ratesAgeUs` makes the attitude/rates sample that much older than `tUs` (stale-rates cases).
 */
export function vehicleAt(tUs: number, ratesAgeUs = 0): VehicleState {
  return {
    tUs,
    armed: true,
    mode: 'offboard',
    modeName: 'PX4:OFFBOARD',
    inControl: true,
    attitude: { rollRad: 0, pitchRad: 0, yawRad: 0 },
    attitudeTUs: tUs - ratesAgeUs,
    bodyRatesRadS: { rollRadS: 0.3, pitchRadS: 0.2, yawRadS: -0.4 },
    velNedMS: { northMS: 3, eastMS: 0.3, downMS: -0.1 },
    velTUs: tUs,
    heightAboveHomeM: 1.5,
    batteryV: 16,
    link: { connected: true, lastFcHeartbeatTUs: tUs, framesIn: 0, framesOut: 0, framesDropped: 0, bytesSkipped: 0, crcErrors: 0, reconnects: 0 },
  };
}
