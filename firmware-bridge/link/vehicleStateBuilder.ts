/**
 * Assembles `VehicleState` snapshots from pieces that arrive in separate messages. Each protocol
 * session updates the parts it decoded and calls `publish`, which freezes a new snapshot.
 */
import type { BodyRatesRadS, EulerAnglesRad, FlightModeKind, LinkHealth, VehicleState, VelocityNedMS } from '../../src/contracts/vehicleState.js';

/** Mutable counters behind `LinkHealth`; the session and transport increment them. */
export interface LinkCounters {
  connected: boolean;
  lastFcHeartbeatTUs: number | null;
  framesIn: number;
  framesOut: number;
  framesDropped: number;
  bytesSkipped: number;
  crcErrors: number;
  reconnects: number;
}

export function newLinkCounters(): LinkCounters {
  return {
    connected: false,
    lastFcHeartbeatTUs: null,
    framesIn: 0,
    framesOut: 0,
    framesDropped: 0,
    bytesSkipped: 0,
    crcErrors: 0,
    reconnects: 0,
  };
}

export class VehicleStateBuilder {
  armed = false;
  mode: FlightModeKind = 'unknown';
  modeName = 'unknown';
  inControl = false;
  attitude: EulerAnglesRad | null = null;
  attitudeTUs: number | null = null;
  bodyRatesRadS: BodyRatesRadS | null = null;
  velNedMS: VelocityNedMS | null = null;
  velTUs: number | null = null;
  heightAboveHomeM: number | null = null;
  batteryV: number | null = null;
  private latest: VehicleState;

  constructor(readonly link: LinkCounters) {
    this.latest = this.snapshot(0);
  }

  /** Freezes the current pieces into a new snapshot stamped `tUs` and returns it. */
  publish(tUs: number): VehicleState {
    this.latest = this.snapshot(tUs);
    return this.latest;
  }

  /** The last published snapshot, with link health refreshed (counters move between publishes). */
  current(): VehicleState {
    return { ...this.latest, link: linkHealth(this.link) };
  }

  private snapshot(tUs: number): VehicleState {
    return Object.freeze({
      tUs,
      armed: this.armed,
      mode: this.mode,
      modeName: this.modeName,
      inControl: this.inControl,
      attitude: this.attitude,
      attitudeTUs: this.attitudeTUs,
      bodyRatesRadS: this.bodyRatesRadS,
      velNedMS: this.velNedMS,
      velTUs: this.velTUs,
      heightAboveHomeM: this.heightAboveHomeM,
      batteryV: this.batteryV,
      link: linkHealth(this.link),
    });
  }
}

function linkHealth(c: LinkCounters): LinkHealth {
  return Object.freeze({ ...c });
}
