/**
 * What a scenario is: a seeded world plus where the vehicle starts and where it should go.
 */
import type { World } from '../world/world.js';
import type { DomainPreset } from './domains.js';

export interface Scenario {
  readonly name: string;
  readonly seed: number;
  readonly domain: DomainPreset;
  readonly world: World;
  /** Start position (NED metres; altitude = −down) and heading (radians from north towards east). */
  readonly startNorthM: number;
  readonly startEastM: number;
  readonly startAltitudeM: number;
  readonly startYawRad: number;
  /** Goal direction: the heading (radians from north towards east) the vehicle should make progress along. */
  readonly goalYawRad: number;
  /** Distance along the goal direction after which the course is done, metres. */
  readonly courseLengthM: number;
  /** A forward speed the course is designed for, m/s. */
  readonly cruiseSpeedMS: number;
  /** Scenario-specific parameters actually used (after defaults), for reports and dataset headers. */
  readonly params: Readonly<Record<string, number>>;
}

export interface ScenarioOptions {
  readonly seed: number;
  readonly domain: DomainPreset;
  /** Scenario-specific parameters (e.g. `density` for forest); unknown keys are rejected. */
  readonly params?: Readonly<Record<string, number>>;
}
