/**
 * Distances to obstacles around the vehicle in equal horizontal sectors, for the autopilot's own
 * collision prevention (MAVLink OBSTACLE_DISTANCE, 72 sectors at most).
 *
 * Frame: body FRD, horizontal plane. Sector i is centred at `firstSectorDeg + i · sectorWidthDeg`
 * measured from the nose, positive clockwise seen from above (to the right).
 */
export interface ObstacleDistances {
  /** When the distances were measured (µs, Clock). */
  readonly tUs: number;
  /**
   * Distance per sector in metres (at most 72 sectors). `Infinity`: nothing within `maxM`;
   * `NaN`: this sector is not observed (outside the camera's field of view).
   */
  readonly distancesM: ArrayLike<number>;
  /** Angular width of one sector, degrees (> 0). */
  readonly sectorWidthDeg: number;
  /** Centre angle of sector 0 relative to the nose, degrees, positive to the right. */
  readonly firstSectorDeg: number;
  /** Closest distance the sensor can measure, metres. */
  readonly minM: number;
  /** Farthest distance the sensor can measure, metres. */
  readonly maxM: number;
}
