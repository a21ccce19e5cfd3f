/**
 * A `FlightLink` decorator between the safety guard and the real link. It changes nothing that is sent;
 * it counts the setpoints the guard hands over (so a run can show that every setpoint on the wire came
 * through the guard) and reports each one that reached the transport with the clock time its write
 * returned, for the window → bytes-written latency.
 */
import type { ObstacleDistances } from '../contracts/obstacleDistances.js';
import type { SteeringSetpoint } from '../contracts/steeringSetpoint.js';
import type { VehicleState } from '../contracts/vehicleState.js';
import type { FlightLinkError } from '../../firmware-bridge/link/errors.js';
import type { FlightLink } from '../../firmware-bridge/link/flightLink.js';
import type { Unsubscribe } from '../../firmware-bridge/link/listeners.js';
import type { TimedTransport } from './timedTransport.js';

export class MeasuredFlightLink implements FlightLink {
  /** `sendSetpoint` calls (all from the guard) and those whose bytes were written. */
  setpointCalls = 0;
  setpointsWritten = 0;

  constructor(
    private readonly inner: FlightLink,
    /** The transport under `inner` (decorated), read right after each setpoint write. */
    private readonly transport: TimedTransport,
    /** Called for every setpoint whose bytes were written, with the clock time the write returned (µs). */
    private readonly onWritten: (setpoint: SteeringSetpoint, writtenUs: number) => void,
  ) {}

  get protocol(): FlightLink['protocol'] {
    return this.inner.protocol;
  }

  connect(): Promise<void> {
    return this.inner.connect();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  sendSetpoint(setpoint: SteeringSetpoint): boolean {
    this.setpointCalls++;
    const before = this.transport.writes;
    const ok = this.inner.sendSetpoint(setpoint);
    if (ok && this.transport.writes > before) {
      this.setpointsWritten++;
      this.onWritten(setpoint, this.transport.lastWriteReturnedUs);
    }
    return ok;
  }

  requestControl(): Promise<void> {
    return this.inner.requestControl();
  }

  requestHold(reason: string): boolean {
    return this.inner.requestHold(reason);
  }

  sendObstacleDistances(distances: ObstacleDistances): boolean {
    return this.inner.sendObstacleDistances(distances);
  }

  state(): VehicleState {
    return this.inner.state();
  }

  onState(listener: (state: VehicleState) => void): Unsubscribe {
    return this.inner.onState(listener);
  }

  onError(listener: (error: FlightLinkError) => void): Unsubscribe {
    return this.inner.onError(listener);
  }
}
