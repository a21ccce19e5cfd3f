/**
 * Test double of `FlightLink`: records everything sent to it and lets a test play the autopilot
 * (heartbeats, mode, armed state) by hand. No transport, no timers.
 */
import type { Clock } from '../../src/contracts/clock.js';
import type { ObstacleDistances } from '../../src/contracts/obstacleDistances.js';
import type { SteeringSetpoint } from '../../src/contracts/steeringSetpoint.js';
import type { FlightModeKind, VehicleState } from '../../src/contracts/vehicleState.js';
import { FlightLinkError } from './errors.js';
import type { FlightLink } from './flightLink.js';
import { Listeners, type Unsubscribe } from './listeners.js';
import { newLinkCounters, VehicleStateBuilder } from './vehicleStateBuilder.js';

export class MockFlightLink implements FlightLink {
  readonly protocol = 'mock' as const;
  /** Every setpoint written, in order. */
  readonly setpoints: SteeringSetpoint[] = [];
  /** Reasons of every hold request that went out. */
  readonly holdRequests: string[] = [];
  readonly obstacleMessages: ObstacleDistances[] = [];
  /** When false, `sendSetpoint` fails as a downed link would. */
  writable = true;
  /** Whether mode changes are allowed (mirrors the real links' configuration). */
  allowModeChanges = true;
  private readonly builder = new VehicleStateBuilder(newLinkCounters());
  private readonly stateListeners = new Listeners<VehicleState>();
  private readonly errorListeners = new Listeners<FlightLinkError>();

  constructor(private readonly clock: Clock) {}

  async connect(): Promise<void> {
    this.builder.link.connected = true;
  }

  async close(): Promise<void> {
    this.builder.link.connected = false;
  }

  sendSetpoint(setpoint: SteeringSetpoint): boolean {
    if (!this.writable || !this.builder.link.connected) {
      this.builder.link.framesDropped++;
      return false;
    }
    this.builder.link.framesOut++;
    this.setpoints.push(setpoint);
    return true;
  }

  async requestControl(): Promise<void> {
    if (!this.allowModeChanges) throw new FlightLinkError('not-permitted', 'mode changes are disabled');
    this.setMode('offboard', true);
  }

  requestHold(reason: string): boolean {
    if (!this.allowModeChanges || !this.builder.inControl) return false;
    this.holdRequests.push(reason);
    this.setMode('hold', false);
    return true;
  }

  sendObstacleDistances(distances: ObstacleDistances): boolean {
    this.obstacleMessages.push(distances);
    return true;
  }

  state(): VehicleState {
    return this.builder.current();
  }

  onState(listener: (state: VehicleState) => void): Unsubscribe {
    return this.stateListeners.add(listener);
  }

  onError(listener: (error: FlightLinkError) => void): Unsubscribe {
    return this.errorListeners.add(listener);
  }

  /** Plays an autopilot heartbeat now. */
  heartbeat(): void {
    this.builder.link.lastFcHeartbeatTUs = this.clock.nowUs();
    this.publish();
  }

  /** Plays a mode change. */
  setMode(mode: FlightModeKind, inControl: boolean): void {
    this.builder.mode = mode;
    this.builder.modeName = `mock:${mode}`;
    this.builder.inControl = inControl;
    this.publish();
  }

  /** Plays a transport error. */
  fail(error: FlightLinkError): void {
    this.errorListeners.emit(error);
  }

  private publish(): void {
    this.stateListeners.emit(this.builder.publish(this.clock.nowUs()));
  }
}
