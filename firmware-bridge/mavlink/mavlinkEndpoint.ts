/**
 * One MAVLink participant on a byte transport: encodes and writes outgoing messages, decodes
 * incoming bytes into checked frames and typed messages. Shared by the companion link and the
 * flight-controller emulator; holds no session logic.
 */
import type { MavLinkData } from 'node-mavlink';
import { Listeners, type Unsubscribe } from '../link/listeners.js';
import type { ByteTransport } from '../transport/byteTransport.js';
import { MavlinkFrameDecoder, type MavlinkDecodeCounters, type MavlinkFrame } from './frameDecoder.js';
import type { MavlinkEncoder } from './frameEncoder.js';
import { decodeMessage } from './messages.js';

export interface MavlinkEndpointCounters extends MavlinkDecodeCounters {
  /** Frames handed to the transport. */
  framesOut: number;
  /** Frames not written because the transport was closed. */
  framesDropped: number;
}

export class MavlinkEndpoint {
  private framesOut = 0;
  private framesDropped = 0;
  private readonly frameListeners = new Listeners<{ frame: MavlinkFrame; message: MavLinkData | null }>((err) =>
    this.onListenerError(err),
  );
  private unsubscribe: Unsubscribe | null = null;

  constructor(
    readonly transport: ByteTransport,
    readonly encoder: MavlinkEncoder,
    readonly decoder: MavlinkFrameDecoder = new MavlinkFrameDecoder(),
    private readonly onListenerError: (err: unknown) => void = () => {},
  ) {}

  /** Starts decoding what the transport receives. Idempotent. */
  attach(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.transport.onData((chunk) => {
      for (const frame of this.decoder.push(chunk)) this.frameListeners.emit({ frame, message: decodeMessage(frame) });
    });
  }

  detach(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** Encodes and writes one message; false (counted) when the transport is closed. */
  send(message: MavLinkData, onWritten?: (err: Error | null) => void): boolean {
    if (!this.transport.isOpen) {
      this.framesDropped++;
      return false;
    }
    const ok = this.transport.write(this.encoder.encode(message), onWritten);
    if (ok) this.framesOut++;
    else this.framesDropped++;
    return ok;
  }

  /** Every checked frame with its decoded message (null for messages the bridge does not decode). */
  onFrame(listener: (frame: MavlinkFrame, message: MavLinkData | null) => void): Unsubscribe {
    return this.frameListeners.add(({ frame, message }) => listener(frame, message));
  }

  counters(): MavlinkEndpointCounters {
    return { ...this.decoder.counters(), framesOut: this.framesOut, framesDropped: this.framesDropped };
  }
}
