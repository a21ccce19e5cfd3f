/** Self-supervised contrast-maximisation loss on ν maps (see README.md in this folder). */
export {
  ContrastMaximizationLoss,
  FOCUS_OBJECTIVES,
  type ContrastLossInput,
  type ContrastLossOptions,
  type ContrastLossResult,
  type FocusObjective,
} from './contrastLoss.js';
export { bodyFrdToCamera, bodyRatesFrdToCameraRadS, focusOfExpansionFromVelocity, type MutableNormPoint, type Vec3 } from './cameraFrames.js';
export {
  type BodyRatesCam,
  type NormPoint,
  flowXPerS,
  flowYPerS,
  rotationalFlowXPerS,
  rotationalFlowYPerS,
} from './flowModel.js';
export { BackgroundActivityFilter, DEFAULT_NOISE_FILTER, checkNoiseFilterSettings, type NoiseFilterSettings } from './backgroundActivityFilter.js';
export type { MapArray } from './preparedEvents.js';
export type { VarianceReference } from './varianceLoss.js';
export {
  DEFAULT_GROUND_FLOOR,
  ONLINE_GROUND_FLOOR,
  NetworkRays,
  checkGroundFloorSettings,
  groundFloorPenalty,
  groundFloorPlane,
  type GroundFloorPlane,
  type GroundFloorSettings,
} from './groundFloor.js';
