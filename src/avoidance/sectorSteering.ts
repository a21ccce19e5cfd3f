import type { ProximityMap } from '../contracts/proximityMap.js';
import type { SteeringSetpoint } from '../contracts/steeringSetpoint.js';
import { avoidanceConfigSchema, type AvoidanceConfig, type AvoidanceConfigInput } from './avoidanceConfig.js';
import { selectKth } from './quickselect.js';

/** What the law decided and why, for telemetry and the recorder. */
export interface SteeringDecision {
  readonly setpoint: SteeringSetpoint;
  /** Robust ν per sector, 1/s, left to right (NaN for a distrusted sector). */
  readonly sectorInvTtcPerS: Float32Array;
  /** Chosen sector index, or −1 when braking because the map was distrusted. */
  readonly chosenSector: number;
  /** Time to contact straight ahead, s (Infinity when nothing approaches). */
  readonly ttcAheadS: number;
  readonly reason: 'cruise' | 'slow' | 'brake' | 'distrusted';
}

/**
 * The avoidance law. From the ν map: split the field of view into vertical sectors, take a high
 * percentile of ν per sector (within a band of rows around the horizon), steer (yaw rate) toward the
 * sector with the lowest cost ν + goalWeight·(angle from the goal to the sector), aiming at the goal
 * direction when it lies in that sector (else its centre), scale forward speed by the time to
 * contact straight ahead (brake below `brakeTtcS`), hold altitude (vertical velocity 0).
 *
 * Frames: sector angles are in the camera's horizontal plane, positive to the right, which is also the
 * body FRD yaw direction (positive yaw rate turns the nose right). The goal direction is given the same
 * way, relative to the current heading. Any doubt about the map (non-finite values) brakes.
 *
 * Pure and allocation-free per call (preallocated scratch); `step` carries the steering low-pass state,
 * advanced by the map's sensor time.
 */
export class SectorSteering {
  readonly config: AvoidanceConfig;
  private readonly scratch: Float32Array;
  private readonly sectorNu: Float32Array;
  private readonly sectorAngleRad: Float32Array;
  /** Bearing of each sector's left edge; entry `sectors` is the right edge of the last one. */
  private readonly sectorEdgeRad: Float32Array;
  private filteredAngleRad = 0;
  private filteredSpeedMS = 0;
  private lastTUs: number | undefined;

  constructor(config: AvoidanceConfigInput = {}, maxPixels = 640 * 480) {
    this.config = avoidanceConfigSchema.parse(config);
    this.scratch = new Float32Array(maxPixels);
    this.sectorNu = new Float32Array(this.config.sectors);
    this.sectorAngleRad = new Float32Array(this.config.sectors);
    this.sectorEdgeRad = new Float32Array(this.config.sectors + 1);
    const halfTan = Math.tan(this.config.horizontalFovRad / 2);
    // position u in normalised image x ∈ (−1, 1) → bearing
    const bearing = (u: number) => Math.atan(u * halfTan);
    for (let s = 0; s < this.config.sectors; s++) {
      this.sectorAngleRad[s] = bearing(((s + 0.5) / this.config.sectors) * 2 - 1);
      this.sectorEdgeRad[s] = bearing((s / this.config.sectors) * 2 - 1);
    }
    this.sectorEdgeRad[this.config.sectors] = bearing(1);
  }

  /** Bearing of each sector's centre, rad, positive right. */
  get sectorAnglesRad(): Float32Array {
    return this.sectorAngleRad;
  }

  /**
   * One decision. `goalBearingRad`: direction of the goal relative to the current heading (rad,
   * positive right; 0 = keep going straight). `tUs` stamps the setpoint (the shared Clock).
   */
  step(map: ProximityMap, goalBearingRad: number, tUs: number): SteeringDecision {
    const c = this.config;
    const { widthPx, heightPx } = map.geometry;
    const rowTop = Math.floor(c.rowBandTop * heightPx);
    const rowBottom = Math.max(rowTop + 1, Math.ceil(c.rowBandBottom * heightPx));
    let distrusted = false;
    for (let s = 0; s < c.sectors; s++) {
      const col0 = Math.floor((s * widthPx) / c.sectors);
      const col1 = Math.floor(((s + 1) * widthPx) / c.sectors);
      let n = 0;
      let invalid = 0;
      for (let r = rowTop; r < rowBottom; r++) {
        const row = r * widthPx;
        for (let col = col0; col < col1; col++) {
          const v = map.invTtcPerS[row + col]!;
          if (Number.isFinite(v)) this.scratch[n++] = v < 0 ? 0 : v;
          else invalid++;
        }
      }
      const total = n + invalid;
      if (total === 0 || invalid > c.maxInvalidShare * total) {
        this.sectorNu[s] = Number.NaN;
        distrusted = true;
        continue;
      }
      this.sectorNu[s] = selectKth(this.scratch, n, Math.min(n - 1, Math.floor(c.percentile * n)));
    }

    const dtS = this.lastTUs === undefined ? 0 : Math.max(0, (map.tUs - this.lastTUs) / 1e6);
    this.lastTUs = map.tUs;
    if (distrusted || !Number.isFinite(goalBearingRad)) {
      this.filteredAngleRad = 0;
      this.filteredSpeedMS = 0;
      return this.decide(tUs, 0, 0, -1, Infinity, 'distrusted');
    }

    let best = 0;
    let bestCost = Infinity;
    for (let s = 0; s < c.sectors; s++) {
      // the angular distance from the goal to the nearest direction inside the sector
      const aim = clamp(goalBearingRad, this.sectorEdgeRad[s]!, this.sectorEdgeRad[s + 1]!);
      const cost = this.sectorNu[s]! + c.goalWeightPerSPerRad * Math.abs(aim - goalBearingRad);
      if (cost < bestCost) {
        bestCost = cost;
        best = s;
      }
    }
    // Aim at the goal when it lies in the chosen sector, else at the sector's centre (not its edge,
    // which may border the obstacle that made the sector next to it costly).
    const goalInside = goalBearingRad >= this.sectorEdgeRad[best]! && goalBearingRad <= this.sectorEdgeRad[best + 1]!;
    const target = goalInside ? goalBearingRad : this.sectorAngleRad[best]!;
    const alpha = c.steeringTauS > 0 && dtS > 0 ? 1 - Math.exp(-dtS / c.steeringTauS) : 1;
    this.filteredAngleRad += alpha * (target - this.filteredAngleRad);
    const yawRate = clamp(c.yawGainPerS * this.filteredAngleRad, -c.maxYawRateRadS, c.maxYawRateRadS);

    // Straight ahead: the worst of the sectors the nose points into (the middle one or two).
    const mid = (c.sectors - 1) / 2;
    const nuAhead = Math.max(this.sectorNu[Math.floor(mid)]!, this.sectorNu[Math.ceil(mid)]!);
    const ttcAheadS = nuAhead > 0 ? 1 / nuAhead : Infinity;
    let speed: number;
    let reason: SteeringDecision['reason'];
    if (ttcAheadS <= c.brakeTtcS) {
      speed = 0;
      reason = 'brake';
    } else if (ttcAheadS >= c.slowTtcS) {
      speed = c.cruiseSpeedMS;
      reason = 'cruise';
    } else {
      speed = (c.cruiseSpeedMS * (ttcAheadS - c.brakeTtcS)) / (c.slowTtcS - c.brakeTtcS);
      reason = 'slow';
    }
    if (speed < this.filteredSpeedMS || c.speedUpTauS === 0) {
      this.filteredSpeedMS = speed; // braking is never delayed
    } else {
      const beta = dtS > 0 ? 1 - Math.exp(-dtS / c.speedUpTauS) : 0;
      this.filteredSpeedMS += beta * (speed - this.filteredSpeedMS);
    }
    return this.decide(tUs, this.filteredSpeedMS, yawRate, best, ttcAheadS, reason);
  }

  private decide(
    tUs: number,
    velForwardMS: number,
    yawRateRadS: number,
    chosenSector: number,
    ttcAheadS: number,
    reason: SteeringDecision['reason'],
  ): SteeringDecision {
    return {
      setpoint: { tUs, velForwardMS, velRightMS: 0, velDownMS: 0, yawRateRadS },
      sectorInvTtcPerS: this.sectorNu,
      chosenSector,
      ttcAheadS,
      reason,
    };
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
