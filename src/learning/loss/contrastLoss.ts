/**
 * The learner's self-supervised loss on one window: contrast maximisation of the window's events warped
 * along the flow that the predicted ν map implies, plus a smoothness prior on the map; exact gradient with
 * respect to every ν pixel. The maths, choices and references are in ./README.md.
 *
 *   loss = focus(ν) + λ · R(ν) [+ w · P(ν)]
 *   focus: 'avg-timestamps' (Hagenaars et al. 2021, avgTimestampLoss.ts, the default the design asks for)
 *          or 'iwe-variance' (Gallego et al. 2018, varianceLoss.ts)
 *   R:     mean Charbonnier of 4-neighbour ν differences (smoothness.ts)
 *   P:     optional ground-floor prior, ν ≥ the flat ground's ν from the FC's height (groundFloor.ts)
 *
 * Pure computation over preallocated typed arrays: no I/O, no clock, no allocation per call in steady
 * state (the result object is reused and overwritten by the next `evaluate`).
 */
import type { CameraIntrinsics } from '../../contracts/cameraIntrinsics.js';
import type { EventBatch } from '../../contracts/eventBatch.js';
import type { InputMapping } from '../../contracts/eventWindow.js';
import type { SensorGeometry } from '../../contracts/sensorGeometry.js';
import { AvgTimestampLoss } from './avgTimestampLoss.js';
import { BackgroundActivityFilter, type NoiseFilterSettings } from './backgroundActivityFilter.js';
import type { BodyRatesCam, NormPoint } from './flowModel.js';
import { NetworkRays, checkGroundFloorSettings, groundFloorPenalty, type GroundFloorPlane, type GroundFloorSettings } from './groundFloor.js';
import { type MapArray, PreparedEvents, splatGeometry } from './preparedEvents.js';
import { SMOOTHNESS_EPS_PER_S, charbonnierSmoothness } from './smoothness.js';
import { IweVarianceLoss, type VarianceReference } from './varianceLoss.js';

/** The focus objectives the loss offers (avgTimestampLoss.ts, varianceLoss.ts). */
export const FOCUS_OBJECTIVES = ['avg-timestamps', 'iwe-variance'] as const;
export type FocusObjective = (typeof FOCUS_OBJECTIVES)[number];

/** Configuration; fixed for the loss object's life (buffers are sized from it). */
export interface ContrastLossOptions {
  /** Sensor geometry the events' pixel coordinates are in. */
  readonly sensor: SensorGeometry;
  /** Network (ν map) geometry, e.g. 160 × 120. */
  readonly network: SensorGeometry;
  /** Pinhole intrinsics in sensor pixels (camera frame x right, y down, z forward). */
  readonly intrinsics: CameraIntrinsics;
  readonly objective: FocusObjective;
  /** λ, seconds: weight of the smoothness term R (1/s), so λ·R is dimensionless like the focus loss. ≥ 0. */
  readonly smoothnessWeight: number;
  /** Splat image resolution relative to the sensor, in (0, 1]: 1 = sensor pixels, 0.25 = 4 × 4 sensor px per splat px. */
  readonly splatScale: number;
  /** Most events used per window (buffers are sized for it); more are uniformly subsampled down to it. */
  readonly maxEvents: number;
  /** Charbonnier ε of the smoothness term, 1/s (default 1e-3). > 0. */
  readonly smoothnessEpsPerS?: number;
  /** Reference time of the 'iwe-variance' objective (default 'mid'; see varianceLoss.ts). */
  readonly varianceReference?: VarianceReference;
  /**
   * Drop isolated (noise) events before warping (backgroundActivityFilter.ts); default: off. Sensors with
   * shot noise need it: stationary noise pulls the focus objective toward ν = 0.
   */
  readonly noiseFilter?: NoiseFilterSettings;
  /**
   * The ground-floor prior (groundFloor.ts): windows that carry a `groundFloor` plane are also penalised for
   * ν below it. Default: off (weight 0).
   */
  readonly groundFloor?: GroundFloorSettings;
}

/** One window's input. */
export interface ContrastLossInput {
  /** The window's learner events: sensor pixels, sensor time µs (e.g. EventWindow.learnerEvents). */
  readonly events: EventBatch;
  /** Window start and end, sensor time µs; events outside [tStartUs, tEndUs] are skipped and counted. */
  readonly tStartUs: number;
  readonly tEndUs: number;
  /** Sensor → network mapping the ν map was predicted with (NetworkInput.mapping). */
  readonly mapping: InputMapping;
  /** ν map, network geometry, row-major, 1/s (Float32 from the network; Float64 for gradient checks). */
  readonly invTtcPerS: MapArray;
  /** Focus of expansion, normalised image coordinates (camera frame); (0, 0) = optical axis. cameraFrames.ts. */
  readonly focusOfExpansionNorm: NormPoint;
  /** Camera angular velocity over the window, camera frame, rad/s (cameraFrames.ts converts the FC's body FRD gyro). */
  readonly bodyRatesCamRadS: BodyRatesCam;
  /** The flat ground's ν plane for this window (groundFloor.ts), or null/absent when the FC gave no height. */
  readonly groundFloor?: GroundFloorPlane | null;
}

/** Figures of one evaluation. The object is owned by the loss and overwritten by the next `evaluate`. */
export interface ContrastLossResult {
  /** focusLoss + λ · smoothnessLoss (dimensionless). 0 for an empty window with a constant map. */
  loss: number;
  /** The focus objective: 'avg-timestamps' L_end + L_start ∈ [0, 2]; 'iwe-variance' −σ²/μ² ≤ 0. */
  focusLoss: number;
  /** R(ν), 1/s (before weighting). */
  smoothnessLoss: number;
  /** Active pixels of the focus images (pixels with any warped event), mean over the reference times used. */
  activePixels: number;
  /** Events used. */
  events: number;
  /** Events skipped: time outside the window / outside sensor or ν map / left out by subsampling to maxEvents. */
  eventsOutsideWindow: number;
  eventsOutsideMap: number;
  eventsSubsampledAway: number;
  /** Events the noise filter dropped (0 without one). */
  eventsFilteredAsNoise: number;
  /** P(ν) of the ground-floor prior, (1/s)², before weighting; 0 when off or the window has no plane. */
  groundFloorLoss: number;
  /** Map pixels that carried a ground bound, and those the map put below it (0 when off). */
  groundBoundedPixels: number;
  groundViolatingPixels: number;
}

export class ContrastMaximizationLoss {
  readonly objective: FocusObjective;
  readonly splat: SensorGeometry;
  private readonly network: SensorGeometry;
  private readonly smoothnessWeight: number;
  private readonly smoothnessEpsPerS: number;
  private readonly prepared: PreparedEvents;
  private readonly avgTimestamps: AvgTimestampLoss | undefined;
  private readonly variance: IweVarianceLoss | undefined;
  /** Float64 gradient accumulator (the output may be Float32; accumulating there would round every add). */
  private readonly gradMap: Float64Array;
  private readonly result: ContrastLossResult = {
    loss: 0,
    focusLoss: 0,
    smoothnessLoss: 0,
    activePixels: 0,
    events: 0,
    eventsOutsideWindow: 0,
    eventsOutsideMap: 0,
    eventsSubsampledAway: 0,
    eventsFilteredAsNoise: 0,
    groundFloorLoss: 0,
    groundBoundedPixels: 0,
    groundViolatingPixels: 0,
  };
  private readonly groundFloor: GroundFloorSettings | undefined;
  private readonly rays: NetworkRays | undefined;
  private readonly groundCounts = { boundedPixels: 0, violatingPixels: 0 };
  private readonly noiseFilter: BackgroundActivityFilter | undefined;

  constructor(opts: ContrastLossOptions) {
    checkGeometry('sensor', opts.sensor);
    checkGeometry('network', opts.network);
    const { fxPx, fyPx, cxPx, cyPx } = opts.intrinsics;
    if (!(fxPx > 0 && fyPx > 0 && Number.isFinite(fxPx) && Number.isFinite(fyPx) && Number.isFinite(cxPx) && Number.isFinite(cyPx))) {
      throw new RangeError('intrinsics: fxPx, fyPx must be finite and > 0, cxPx, cyPx finite');
    }
    if (!(FOCUS_OBJECTIVES as readonly string[]).includes(opts.objective)) {
      throw new RangeError(`objective must be ${FOCUS_OBJECTIVES.map((f) => `'${f}'`).join(' or ')}, got ${String(opts.objective)}`);
    }
    if (!(opts.smoothnessWeight >= 0 && Number.isFinite(opts.smoothnessWeight))) {
      throw new RangeError(`smoothnessWeight must be finite and ≥ 0, got ${String(opts.smoothnessWeight)}`);
    }
    if (!(opts.splatScale > 0 && opts.splatScale <= 1)) {
      throw new RangeError(`splatScale must be in (0, 1], got ${String(opts.splatScale)}`);
    }
    if (!(Number.isInteger(opts.maxEvents) && opts.maxEvents >= 1)) {
      throw new RangeError(`maxEvents must be an integer ≥ 1, got ${String(opts.maxEvents)}`);
    }
    const eps = opts.smoothnessEpsPerS ?? SMOOTHNESS_EPS_PER_S;
    if (!(eps > 0 && Number.isFinite(eps))) throw new RangeError(`smoothnessEpsPerS must be finite and > 0, got ${String(eps)}`);
    const ref = opts.varianceReference ?? 'mid';
    if (ref !== 'start' && ref !== 'mid' && ref !== 'end') {
      throw new RangeError(`varianceReference must be 'start', 'mid' or 'end', got ${String(ref)}`);
    }

    this.objective = opts.objective;
    this.network = { widthPx: opts.network.widthPx, heightPx: opts.network.heightPx };
    this.smoothnessWeight = opts.smoothnessWeight;
    this.smoothnessEpsPerS = eps;
    this.splat = splatGeometry(opts.sensor, opts.splatScale);
    this.prepared = new PreparedEvents(opts.maxEvents, opts.sensor, opts.network, opts.intrinsics, opts.splatScale);
    this.gradMap = new Float64Array(opts.network.widthPx * opts.network.heightPx);
    if (opts.groundFloor !== undefined) checkGroundFloorSettings(opts.groundFloor);
    if (opts.groundFloor !== undefined && opts.groundFloor.weight > 0) {
      this.groundFloor = opts.groundFloor;
      this.rays = new NetworkRays(this.network, opts.sensor, opts.intrinsics);
    }
    this.noiseFilter = opts.noiseFilter !== undefined ? new BackgroundActivityFilter(opts.sensor, opts.noiseFilter, opts.maxEvents) : undefined;
    if (opts.objective === 'avg-timestamps') {
      this.avgTimestamps = new AvgTimestampLoss(this.splat.widthPx, this.splat.heightPx);
    } else {
      this.variance = new IweVarianceLoss(this.splat.widthPx, this.splat.heightPx, ref);
    }
  }

  /**
   * The events the last `evaluate` used: noise-filtered and staged (splat coordinates at `splat`), 0 of them after
   * a window with no usable events. Valid until the next `evaluate`, which also rewrites its warp arrays; a reader
   * may use those as scratch in between (evaluation/contrastSearch.ts).
   */
  get stagedEvents(): PreparedEvents {
    return this.prepared;
  }

  /**
   * Loss of one window and its gradient with respect to the ν map, written to `gradOut` (same length as
   * the map, overwritten; units: loss per (1/s) = s). A window with no usable events (or tEndUs ≤ tStartUs,
   * or non-finite times) has focus loss 0 and only the smoothness gradient. Throws RangeError only for
   * maps of the wrong size (a wiring error).
   */
  evaluate(input: ContrastLossInput, gradOut: MapArray): ContrastLossResult {
    const mapPixels = this.network.widthPx * this.network.heightPx;
    if (input.invTtcPerS.length !== mapPixels || gradOut.length !== mapPixels) {
      throw new RangeError(
        `ν map and gradient must have ${mapPixels} entries (network ${this.network.widthPx}×${this.network.heightPx}), got ${input.invTtcPerS.length} and ${gradOut.length}`,
      );
    }
    const grad = this.gradMap;
    grad.fill(0);
    const r = this.result;
    const prep = this.prepared;

    let focus = 0;
    let active = 0;
    let filtered = 0;
    const { tStartUs, tEndUs } = input;
    if (Number.isFinite(tStartUs) && Number.isFinite(tEndUs) && tEndUs > tStartUs) {
      let events = input.events;
      if (this.noiseFilter !== undefined) {
        events = this.noiseFilter.apply(events);
        filtered = this.noiseFilter.dropped;
      }
      prep.prepare(events, tStartUs, tEndUs, input.mapping, input.focusOfExpansionNorm, input.bodyRatesCamRadS);
    } else {
      prep.count = 0;
      prep.counts.used = 0;
      prep.counts.outsideWindow = input.events.length;
      prep.counts.outsideMap = 0;
      prep.counts.subsampledAway = 0;
    }
    if (prep.count > 0) {
      prep.sampleNu(input.invTtcPerS);
      if (this.avgTimestamps !== undefined) {
        focus = this.avgTimestamps.evaluate(prep);
        active = 0.5 * (this.avgTimestamps.activePixelsEnd + this.avgTimestamps.activePixelsStart);
      } else if (this.variance !== undefined) {
        focus = this.variance.evaluate(prep);
        active = this.variance.activePixels;
      }
      prep.scatterGrad(grad);
    }

    const smooth = charbonnierSmoothness(
      input.invTtcPerS,
      this.network.widthPx,
      this.network.heightPx,
      this.smoothnessEpsPerS,
      this.smoothnessWeight,
      grad,
    );
    let floor = 0;
    const gc = this.groundCounts;
    gc.boundedPixels = 0;
    gc.violatingPixels = 0;
    if (this.groundFloor !== undefined && this.rays !== undefined && input.groundFloor) {
      this.rays.update(input.mapping);
      floor = groundFloorPenalty(input.invTtcPerS, input.groundFloor, this.rays, this.groundFloor, grad, gc);
    }
    for (let k = 0; k < mapPixels; k++) gradOut[k] = grad[k]!;

    r.focusLoss = focus;
    r.smoothnessLoss = smooth;
    r.groundFloorLoss = floor;
    r.groundBoundedPixels = gc.boundedPixels;
    r.groundViolatingPixels = gc.violatingPixels;
    r.loss = focus + this.smoothnessWeight * smooth + (this.groundFloor?.weight ?? 0) * floor;
    r.activePixels = active;
    r.events = prep.counts.used;
    r.eventsOutsideWindow = prep.counts.outsideWindow;
    r.eventsOutsideMap = prep.counts.outsideMap;
    r.eventsSubsampledAway = prep.counts.subsampledAway;
    r.eventsFilteredAsNoise = filtered;
    return r;
  }
}

function checkGeometry(what: string, g: SensorGeometry): void {
  if (!(Number.isInteger(g.widthPx) && Number.isInteger(g.heightPx) && g.widthPx >= 1 && g.heightPx >= 1 && g.widthPx <= 65536 && g.heightPx <= 65536)) {
    throw new RangeError(`${what} geometry must be whole pixels in [1, 65536], got ${g.widthPx}×${g.heightPx}`);
  }
}
