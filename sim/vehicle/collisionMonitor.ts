/**
 * Collision detection and clearance tracking for a sphere of radius r moving through a World.
 *
 * Clearance = (distance from the centre to the nearest obstacle surface) − r; a collision starts when
 * it drops below zero (or, if enabled, when altitude drops below r). Checking every obstacle at every
 * physics sub-step would dominate the simulation in a dense forest, so the monitor re-checks once the
 * vehicle has travelled a quarter of the last clearance (it cannot have reached an obstacle sooner),
 * and at least every `maxIntervalS`: exact collision detection, and the minimum clearance within 25 %.
 */
import type { World } from '../world/world.js';

export class CollisionMonitor {
  clearanceM = Number.POSITIVE_INFINITY;
  minClearanceM = Number.POSITIVE_INFINITY;
  nearestIndex = -1;
  /** True while in contact (clearance < 0 or below the ground limit). */
  inContact = false;
  /** Obstacle index of the current contact (−1: ground). */
  contactIndex = -1;
  private travelledM = 0;
  private sinceCheckS = 0;
  private readonly nearest = { distanceM: 0, index: -1 };

  constructor(
    private readonly world: World,
    readonly radiusM: number,
    private readonly groundCollides: boolean,
    private readonly maxIntervalS = 0.02,
  ) {}

  /** Forget the history (after a reset of the vehicle). */
  reset(): void {
    this.clearanceM = Number.POSITIVE_INFINITY;
    this.minClearanceM = Number.POSITIVE_INFINITY;
    this.inContact = false;
    this.travelledM = Number.POSITIVE_INFINITY;
  }

  /**
   * Updates after a sub-step in which the vehicle moved `movedM` and `dtS` elapsed. Returns true when a
   * new contact begins at this step.
   */
  update(northM: number, eastM: number, altitudeM: number, movedM: number, dtS: number): boolean {
    this.travelledM += movedM;
    this.sinceCheckS += dtS;
    const groundContact = this.groundCollides && altitudeM < this.radiusM;
    if (this.travelledM >= 0.25 * this.clearanceM || this.sinceCheckS >= this.maxIntervalS || this.inContact || groundContact) {
      this.world.nearestObstacle(northM, eastM, altitudeM, this.nearest);
      this.clearanceM = this.nearest.distanceM - this.radiusM;
      this.nearestIndex = this.nearest.index;
      if (this.clearanceM < this.minClearanceM) this.minClearanceM = this.clearanceM;
      this.travelledM = 0;
      this.sinceCheckS = 0;
    }
    const obstacleContact = this.clearanceM < 0;
    const contact = obstacleContact || groundContact;
    const started = contact && !this.inContact;
    if (started) this.contactIndex = obstacleContact ? this.nearestIndex : -1;
    this.inContact = contact;
    return started;
  }
}
