/**
 * The runtime's view of a flight controller. One implementation per protocol (MAVLink for PX4 and
 * ArduPilot, MSP for Betaflight and INAV) plus a test double; the composition root picks one and
 * hands it to the safety guard, which is the only caller of `sendSetpoint`.
 */
import type { ObstacleDistances } from '../../src/contracts/obstacleDistances.js';
import type { SteeringSetpoint } from '../../src/contracts/steeringSetpoint.js';
import type { VehicleState } from '../../src/contracts/vehicleState.js';
import type { FlightLinkError } from './errors.js';
import type { Unsubscribe } from './listeners.js';

export interface FlightLink {
  /** Which protocol this link speaks, for logs and telemetry. */
  readonly protocol: 'mavlink' | 'msp' | 'mock';

  /**
   * Opens the transport and starts the link's own traffic (MAVLink heartbeat at 1 Hz and stream
   * requests; MSP polling and RC frames). Resolves once the transport is open; the autopilot may
   * not have answered yet (watch `state().link.lastFcHeartbeatTUs`). Rejects with
   * `FlightLinkError('connect-failed')` if the transport cannot be opened in the configured time.
   * After it resolves, a lost transport is reopened with back-off until `close()`.
   */
  connect(): Promise<void>;

  /** Stops all traffic and closes the transport. Idempotent; pending commands reject with `closed`. */
  close(): Promise<void>;

  /**
   * Encodes one setpoint (body FRD velocity + yaw rate) and writes it. Never throws and never
   * queues: returns false when it could not be written (link down), which is counted in
   * `state().link.framesDropped`. Call only through the safety guard.
   */
  sendSetpoint(setpoint: SteeringSetpoint): boolean;

  /**
   * Asks the autopilot to follow this runtime's setpoints (PX4 OFFBOARD after the setpoint stream
   * has run for the warm-up time, ArduPilot GUIDED), and arms only if the configuration says so.
   * Rejects with `not-permitted` unless mode changes are enabled in the configuration, with
   * `timeout` or `command-rejected` otherwise. MSP: resolves at once (the pilot's MSP OVERRIDE
   * switch hands over control; the link cannot change modes).
   */
  requestControl(): Promise<void>;

  /**
   * Asks the autopilot to hold position (PX4 AUTO.LOITER, ArduPilot LOITER; MSP: level sticks and
   * hover throttle). Sent only if mode changes are enabled and the autopilot is currently following
   * this runtime; returns whether a request went out. Called by the guard's watchdog.
   */
  requestHold(reason: string): boolean;

  /**
   * Sends obstacle distances to the autopilot's collision prevention (MAVLink OBSTACLE_DISTANCE).
   * Returns false where the protocol has no such message (MSP) or the link is down.
   */
  sendObstacleDistances(distances: ObstacleDistances): boolean;

  /** The latest vehicle state snapshot (immutable). */
  state(): VehicleState;

  /** Called with every new state snapshot (synchronously, from the receive path: keep it short). */
  onState(listener: (state: VehicleState) => void): Unsubscribe;

  /** Called with errors that have no caller to reject: transport loss, refused stream requests. */
  onError(listener: (error: FlightLinkError) => void): Unsubscribe;
}
