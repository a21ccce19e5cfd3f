/**
 * Running flight figures of a simulated flight, updated once per control period from the vehicle's true
 * position: distance flown, progress along the goal heading, collisions, smallest clearance.
 *
 * Why not just the runner's summary: `runClosedLoop` returns its figures only when the flight ends
 * normally, and the status line needs them every second and after Ctrl-C too. This tracker mirrors the
 * runner's own accounting exactly (tests/app compare the two): after a window with a new collision (or the
 * course completed) the runner respawns the vehicle at the start, so the next window's position jumps
 * there without the jump counting as distance, and progress continues from where it was.
 */
export interface FlightStart {
  readonly startNorthM: number;
  readonly startEastM: number;
  /** Goal heading, rad from north towards east. */
  readonly goalYawRad: number;
  /** Progress after which the runner respawns (course completed), m. */
  readonly courseLengthM: number;
}

export interface FlightFigures {
  readonly distanceM: number;
  readonly progressM: number;
  readonly minClearanceM: number;
  readonly collisions: number;
  readonly respawns: number;
  readonly coursesCompleted: number;
}

export class FlightTracker {
  private readonly goalN: number;
  private readonly goalE: number;
  private lastN: number;
  private lastE: number;
  private distance = 0;
  private progress = 0;
  private progressBase = 0;
  private minClearance = Number.POSITIVE_INFINITY;
  private seenCollisions: number;
  private respawnNext = false;
  private respawns = 0;
  private courses = 0;

  constructor(
    private readonly start: FlightStart,
    initialCollisions = 0,
  ) {
    this.goalN = Math.cos(start.goalYawRad);
    this.goalE = Math.sin(start.goalYawRad);
    this.lastN = start.startNorthM;
    this.lastE = start.startEastM;
    this.seenCollisions = initialCollisions;
  }

  /**
   * One control period: the vehicle's true position, its smallest clearance since the last reset, and
   * the number of collisions so far (the runner respawns after a window that added one).
   */
  update(northM: number, eastM: number, minClearanceM: number, collisions: number): void {
    if (this.respawnNext) {
      // The runner respawned after the previous window: the vehicle restarted at the start.
      this.respawnNext = false;
      this.progressBase = this.progress;
      this.lastN = this.start.startNorthM;
      this.lastE = this.start.startEastM;
      this.respawns++;
    }
    this.distance += Math.hypot(northM - this.lastN, eastM - this.lastE);
    this.lastN = northM;
    this.lastE = eastM;
    this.progress = this.progressBase + (northM - this.start.startNorthM) * this.goalN + (eastM - this.start.startEastM) * this.goalE;
    this.minClearance = Math.min(this.minClearance, minClearanceM);
    if (collisions > this.seenCollisions) {
      this.seenCollisions = collisions;
      this.respawnNext = true;
    } else if (this.progress - this.progressBase >= this.start.courseLengthM) {
      this.courses++;
      this.respawnNext = true;
    }
  }

  get figures(): FlightFigures {
    return {
      distanceM: this.distance,
      progressM: this.progress,
      minClearanceM: this.minClearance,
      collisions: this.seenCollisions,
      // A respawn the runner makes after the last window counts too (as in its summary).
      respawns: this.respawns + (this.respawnNext ? 1 : 0),
      coursesCompleted: this.courses,
    };
  }
}
