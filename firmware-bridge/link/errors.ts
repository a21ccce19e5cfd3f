/**
 * Typed errors of the flight-controller bridge. Hot paths (sending a setpoint) never throw: they
 * return false and count; these errors come out of `connect()`, commands and listeners.
 */
export type FlightLinkErrorCode =
  /** The transport could not be opened (port missing, socket refused) within the allowed time. */
  | 'connect-failed'
  /** An operation needs an open link. */
  | 'not-connected'
  /** The link was closed while an operation was pending. */
  | 'closed'
  /** The transport failed (write error, port vanished). Reconnection is attempted. */
  | 'transport'
  /** The autopilot did not answer or did not reach the requested state in time. */
  | 'timeout'
  /** The autopilot refused a command (COMMAND_ACK result other than ACCEPTED). */
  | 'command-rejected'
  /** The configuration does not allow this (mode changes, arming). */
  | 'not-permitted'
  /** The autopilot speaks something unexpected (wrong autopilot type, unsupported feature). */
  | 'protocol';

export class FlightLinkError extends Error {
  constructor(
    readonly code: FlightLinkErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FlightLinkError';
  }
}
