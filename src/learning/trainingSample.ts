/**
 * One window as the learner trains on it: what the window cutter produced (network input, learner events,
 * window times, sensor → network mapping) plus the camera's motion at window time (body rates in the camera
 * frame and the focus of expansion), which the contrast-maximisation loss needs.
 *
 * Inside the learner the arrays are views into the shared sample queue (learnerQueue.ts): valid only while
 * the sample is claimed, never kept.
 */
import type { EventBatch } from '../contracts/eventBatch.js';
import type { InputMapping } from '../contracts/eventWindow.js';
import type { BodyRatesCam, GroundFloorPlane, NormPoint } from './loss/index.js';

/** Camera motion for one window, camera frame (x right, y down, z forward). */
export interface CameraMotion {
  /** Angular velocity of the camera, rad/s (the FC's body FRD gyro rotated into the camera frame). */
  readonly bodyRatesCamRadS: BodyRatesCam;
  /** Focus of expansion, normalised image coordinates; (0, 0) = optical axis (the fallback). */
  readonly focusOfExpansionNorm: NormPoint;
  /** True when the FOE came from the FC's velocity, false when it is the optical-axis fallback. */
  readonly foeFromVelocity: boolean;
  /**
   * The flat ground's ν over the image (loss/groundFloor.ts) from the FC's height, attitude and velocity;
   * null when the FC reports no height or the camera is not moving forward.
   */
  readonly groundFloor: GroundFloorPlane | null;
  /**
   * The camera's velocity along its optical axis, m/s (camera frame, mean over the window), null without an
   * FC velocity: what scales a speed-normalised network output to ν (contracts/networkOutput.ts).
   */
  readonly axialSpeedMS: number | null;
}

export interface TrainingSample extends CameraMotion {
  /** Window sequence number (EventWindow.index). */
  readonly windowIndex: number;
  /** Start and end of the learner's span (the loss window), sensor time µs: EventWindow.learnerTStartUs, tEndUs. */
  readonly tStartUs: number;
  readonly tEndUs: number;
  /** Events the learner's span held before the learner cap. */
  readonly windowEventCount: number;
  /** Sensor → network mapping of the input. */
  readonly mapping: InputMapping;
  /** Network input (per-polarity counts, CHW at network geometry). */
  readonly input: Float32Array;
  /** The learner's events, sensor pixels and sensor µs, time order. */
  readonly events: EventBatch;
  /** Host clock time (µs) when the sample was queued; for the sample's age when it is trained on. */
  readonly enqueuedTUs: number;
}
