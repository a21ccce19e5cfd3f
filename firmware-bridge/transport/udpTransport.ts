/**
 * UDP transport (dgram), for simulators and network links.
 *
 * SITL conventions: PX4 SITL's onboard/offboard MAVLink instance sends from UDP 14580 to 14540
 * (`udpPx4Sitl()`: bind 14540, answer the sender). ArduPilot SITL through MAVProxy or
 * `sim_vehicle.py --out udp:127.0.0.1:14550` sends to 14550 (`udpArduPilotSitl()`). Without a fixed
 * remote, replies go to the most recent sender, the usual MAVLink "udpin" behaviour; with
 * `remoteHost`/`remotePort` it is "udpout".
 */
import { createSocket, type Socket } from 'node:dgram';
import { Listeners, type Unsubscribe } from '../link/listeners.js';
import type { ByteTransport } from './byteTransport.js';

export interface UdpTransportOptions {
  localPort: number;
  localHost?: string;
  remoteHost?: string;
  remotePort?: number;
}

export const udpPx4Sitl = (): UdpTransportOptions => ({ localHost: '0.0.0.0', localPort: 14540 });
export const udpArduPilotSitl = (): UdpTransportOptions => ({ localHost: '0.0.0.0', localPort: 14550 });

export class UdpTransport implements ByteTransport {
  readonly description: string;
  private socket: Socket | null = null;
  private remote: { host: string; port: number } | null;
  /** Datagrams that could not be sent because no peer is known yet. */
  droppedNoPeer = 0;
  private readonly dataListeners = new Listeners<Uint8Array>();
  private readonly closeListeners = new Listeners<Error | null>();

  constructor(private readonly opts: UdpTransportOptions) {
    this.remote = opts.remoteHost && opts.remotePort ? { host: opts.remoteHost, port: opts.remotePort } : null;
    this.description = `udp:${opts.localHost ?? '0.0.0.0'}:${opts.localPort}${this.remote ? `→${this.remote.host}:${this.remote.port}` : ''}`;
  }

  get isOpen(): boolean {
    return this.socket !== null;
  }

  /** The peer replies go to (fixed, or learnt from the last datagram). */
  get peer(): { host: string; port: number } | null {
    return this.remote;
  }

  async open(): Promise<void> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.opts.localPort, this.opts.localHost ?? '0.0.0.0', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('message', (msg, rinfo) => {
      if (!this.opts.remoteHost) this.remote = { host: rinfo.address, port: rinfo.port };
      this.dataListeners.emit(msg);
    });
    socket.on('error', (err) => this.lost(socket, err));
    this.socket = socket;
  }

  async close(): Promise<void> {
    const s = this.socket;
    this.socket = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  write(bytes: Uint8Array, onWritten?: (err: Error | null) => void): boolean {
    const s = this.socket;
    if (!s) return false;
    if (!this.remote) {
      this.droppedNoPeer++;
      return false;
    }
    s.send(bytes, this.remote.port, this.remote.host, (err) => onWritten?.(err ?? null));
    return true;
  }

  onData(listener: (chunk: Uint8Array) => void): Unsubscribe {
    return this.dataListeners.add(listener);
  }

  onClose(listener: (err: Error | null) => void): Unsubscribe {
    return this.closeListeners.add(listener);
  }

  private lost(socket: Socket, err: Error): void {
    if (this.socket !== socket) return;
    this.socket = null;
    socket.close();
    this.closeListeners.emit(err);
  }
}
