/**
 * A controller that flies a scenario using the world's true geometry: the "expert" that produces
 * pretraining flights, and a reference for the avoidance stage.
 *
 * Each tick it scores candidate headings (goal heading ± 90° in 10° steps) by the free distance along
 * a corridor as wide as the vehicle plus a margin (a 2-D ray against the footprints of obstacles
 * taller than the flight altitude, each inflated by the vehicle radius and margin), preferring headings near the goal and near the current heading; turns
 * towards the best one with a clipped proportional yaw rate; scales forward speed with the free
 * distance ahead; and holds a slowly wandering altitude. Seeded excitation (Gauss–Markov noise on
 * yaw rate, lateral velocity and speed) makes recordings cover rotations and sideways motion, which
 * the flow the network must learn contains.
 */
import type { Scenario } from '../scenarios/scenario.js';
import type { Prng } from '../world/prng.js';
import { wrapPi } from '../world/frames.js';
import { SHAPE_CYLINDER, type ObstacleSet } from '../world/obstacles.js';
import type { Controller, Setpoint, VehicleView } from './closedLoop.js';

export interface ExpertPilotOptions {
  /** Forward speed when the way is clear, m/s (default: the scenario's cruise speed). */
  readonly cruiseSpeedMS?: number;
  /** 0 = fly smoothly; 1 = default excitation; larger = wilder. */
  readonly excitation?: number;
  /** Look-ahead for free distance, m. */
  readonly lookAheadM?: number;
  /** Vehicle radius plus safety margin, m. */
  readonly clearanceM?: number;
  /** Control period, s (for the excitation processes), default 0.01. */
  readonly periodS?: number;
  /** Altitude band the target altitude wanders in, m. */
  readonly altitudeRangeM?: readonly [number, number];
}

export function createExpertPilot(scenario: Scenario, prng: Prng, options: ExpertPilotOptions = {}): Controller {
  const world = scenario.world;
  const obs = world.obstacles;
  const cruise = options.cruiseSpeedMS ?? scenario.cruiseSpeedMS;
  const excite = options.excitation ?? 1;
  const look = options.lookAheadM ?? 15;
  const halfWidth = options.clearanceM ?? 0.6;
  const dt = options.periodS ?? 0.01;
  const [altLo, altHi] = options.altitudeRangeM ?? [1.0, 2.2];
  const near = new Int32Array(obs.count);
  // Gauss–Markov excitation states.
  let yawNoise = 0;
  let latNoise = 0;
  let speedNoise = 0;
  let targetAlt = scenario.startAltitudeM;

  const freeDistance = (n: number, e: number, alt: number, heading: number, count: number): number => {
    const dn = Math.cos(heading);
    const de = Math.sin(heading);
    let best = look;
    for (let k = 0; k < count; k++) {
      const i = near[k]!;
      if (obs.heightM[i]! < alt - 0.3) continue;
      const t = inflatedHit(obs, i, n, e, dn, de, halfWidth);
      if (t < best) best = t;
    }
    return best;
  };

  const gm = (x: number, sigma: number, tau: number): number => {
    const a = Math.exp(-dt / tau);
    return a * x + Math.sqrt(1 - a * a) * sigma * prng.normal();
  };

  return (_window, view: VehicleView): Setpoint => {
    const s = view.truth;
    const n = s.positionNedM.northM;
    const e = s.positionNedM.eastM;
    const alt = -s.positionNedM.downM;
    const yaw = s.attitude.yawRad;
    let count = 0;
    for (let i = 0; i < obs.count; i++) {
      const d = Math.hypot(obs.centerNorthM[i]! - n, obs.centerEastM[i]! - e) - obs.boundRadiusM[i]!;
      if (d < look + halfWidth) near[count++] = i;
    }
    let bestScore = Number.NEGATIVE_INFINITY;
    let bestHeading = scenario.goalYawRad;
    for (let k = -9; k <= 9; k++) {
      const heading = wrapPi(scenario.goalYawRad + (k * Math.PI) / 18);
      const free = freeDistance(n, e, alt, heading, count);
      const score = free / look - (0.35 * Math.abs(k)) / 9 - (0.25 * Math.abs(wrapPi(heading - yaw))) / Math.PI;
      if (score > bestScore) {
        bestScore = score;
        bestHeading = heading;
      }
    }
    // Free distance along the heading and along the actual direction of travel (they differ while
    // turning or drifting sideways).
    const vn = s.velocityNedMS.northMS;
    const ve = s.velocityNedMS.eastMS;
    const travel = Math.hypot(vn, ve) > 0.3 ? Math.atan2(ve, vn) : yaw;
    const aheadFree = Math.min(freeDistance(n, e, alt, yaw, count), freeDistance(n, e, alt, travel, count));
    // Excitation fades out close to obstacles: the expert explores, but not into trunks.
    const calm = Math.max(0, Math.min(1, (s.clearanceM - 0.3) / 1.5));
    yawNoise = gm(yawNoise, 0.35 * excite, 0.6);
    latNoise = gm(latNoise, 0.25 * excite, 0.8);
    speedNoise = gm(speedNoise, 0.15 * excite, 2);
    if (excite > 0 && prng.next() < dt / 4) targetAlt = altLo + (altHi - altLo) * prng.next();
    const yawRate = Math.max(-1.2, Math.min(1.2, 2.0 * wrapPi(bestHeading - yaw))) + yawNoise * calm;
    const brake = Math.max(0, Math.min(1, (aheadFree - 1.5) / 5));
    const forward = cruise * brake * Math.max(0.3, 1 + speedNoise * calm);
    const down = Math.max(-0.6, Math.min(0.6, 1.0 * (alt - targetAlt)));
    return { velBodyMS: { x: forward, y: latNoise * calm * brake, z: down }, yawRateRadS: yawRate };
  };
}

/**
 * Distance along the unit ray (n, e) + t·(dn, de) to obstacle i's footprint grown by `margin` (exact
 * for poles; boxes grown by the margin on every side, corners square — slightly conservative). 0 when
 * the origin is already inside the grown footprint, +∞ when the ray misses.
 */
function inflatedHit(obs: ObstacleSet, i: number, n: number, e: number, dn: number, de: number, margin: number): number {
  const rn = n - obs.centerNorthM[i]!;
  const re = e - obs.centerEastM[i]!;
  if (obs.shape[i] === SHAPE_CYLINDER) {
    const r = obs.radiusM[i]! + margin;
    const b = rn * dn + re * de;
    const c = rn * rn + re * re - r * r;
    if (c <= 0) return 0;
    const disc = b * b - c;
    if (disc < 0 || b >= 0) return Number.POSITIVE_INFINITY;
    return -b - Math.sqrt(disc);
  }
  const cy = obs.cosYaw[i]!;
  const sy = obs.sinYaw[i]!;
  const hl = obs.halfLengthM[i]! + margin;
  const hw = obs.halfWidthM[i]! + margin;
  const lx = cy * rn + sy * re;
  const ly = -sy * rn + cy * re;
  const dx = cy * dn + sy * de || 1e-12;
  const dy = -sy * dn + cy * de || 1e-12;
  const tx1 = (-hl - lx) / dx;
  const tx2 = (hl - lx) / dx;
  const ty1 = (-hw - ly) / dy;
  const ty2 = (hw - ly) / dy;
  const tNear = Math.max(Math.min(tx1, tx2), Math.min(ty1, ty2));
  const tFar = Math.min(Math.max(tx1, tx2), Math.max(ty1, ty2));
  if (tNear > tFar || tFar < 0) return Number.POSITIVE_INFINITY;
  return Math.max(0, tNear);
}
