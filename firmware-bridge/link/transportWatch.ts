/**
 * How a flight link follows its transport: a loss becomes a `FlightLinkError('transport')`, a
 * reopen after a loss lets the link reset its parser (and re-request what a rebooted autopilot
 * forgot). Works for a `ReconnectingTransport` (events) and for a plain transport (close only).
 */
import type { ByteTransport } from '../transport/byteTransport.js';
import { ReconnectingTransport } from '../transport/reconnectingTransport.js';
import { FlightLinkError } from './errors.js';
import type { Unsubscribe } from './listeners.js';

export interface TransportWatchHandlers {
  /** The transport came back after a loss. */
  onReopened(): void;
  /** The transport was lost (a reconnecting transport keeps retrying). */
  onLost(error: FlightLinkError): void;
  /** Any change of the transport's state (for publishing link health). */
  onChange?(): void;
}

export function watchTransport(t: ByteTransport, h: TransportWatchHandlers): Unsubscribe {
  if (t instanceof ReconnectingTransport) {
    return t.onEvent((e) => {
      if (e.kind === 'open' && e.reconnect) h.onReopened();
      else if (e.kind === 'lost') h.onLost(new FlightLinkError('transport', `transport lost: ${e.error?.message ?? 'closed'}`, { cause: e.error }));
      h.onChange?.();
    });
  }
  return t.onClose((err) => {
    h.onLost(new FlightLinkError('transport', `transport closed: ${err?.message ?? 'closed'}`, { cause: err }));
    h.onChange?.();
  });
}

/** Reopens after losses so far (0 for a transport that does not reconnect). */
export function reconnectCount(t: ByteTransport): number {
  return t instanceof ReconnectingTransport ? t.reconnects : 0;
}
