/**
 * Wires the safety guard between the avoidance stage and a flight link: `submit` is the only way a
 * setpoint reaches the link, and the guard's tick runs on the injected scheduler at `tickRateHz`.
 */
import type { Clock } from '../../src/contracts/clock.js';
import type { GuardIntervention, SafetyGuardStatus } from '../../src/contracts/safetyGuardStatus.js';
import type { SteeringSetpoint } from '../../src/contracts/steeringSetpoint.js';
import type { FlightLink } from '../link/flightLink.js';
import type { Cancel, Scheduler } from '../../src/contracts/scheduler.js';
import { parseGuardConfig, type GuardConfigInput } from './guardConfig.js';
import { SafetyGuard } from './safetyGuard.js';

export interface GuardedFlightLinkOptions {
  clock: Clock;
  scheduler: Scheduler;
  /** Guard parameters; defaults in guardConfig.ts. */
  config?: GuardConfigInput;
  /**
   * Receives interventions (state changes always, clamp runs on their first setpoint). Required:
   * safety interventions must not vanish because a caller forgot a logger; pass the recorder or
   * telemetry sink, or `() => {}` where counters alone suffice (tests).
   */
  log: (intervention: GuardIntervention) => void;
}

export class GuardedFlightLink {
  readonly guard: SafetyGuard;
  private cancelTick: Cancel | null = null;

  constructor(
    readonly link: FlightLink,
    private readonly opts: GuardedFlightLinkOptions,
  ) {
    this.guard = new SafetyGuard(parseGuardConfig(opts.config), opts.clock, opts.log);
  }

  /** Starts the guard's loop. Idempotent. */
  start(): void {
    if (this.cancelTick) return;
    this.cancelTick = this.opts.scheduler.every(1e6 / this.guard.config.tickRateHz, () => this.tick());
  }

  /** Stops the guard's loop (the link stays open). Idempotent. */
  stop(): void {
    this.cancelTick?.();
    this.cancelTick = null;
  }

  /** Submits a setpoint from the avoidance stage; whatever the guard lets through is written at once. */
  submit(setpoint: SteeringSetpoint): void {
    const out = this.guard.submit(setpoint, this.lastHeartbeat());
    if (out) this.link.sendSetpoint(out);
  }

  /** One pass of the guard's loop; public so lock-step runs can drive it without a scheduler. */
  tick(): void {
    const result = this.guard.tick(this.lastHeartbeat());
    if (result.send) this.link.sendSetpoint(result.send);
    if (result.requestHold && !this.link.requestHold('perception stale')) {
      this.guard.noteHoldNotSent('link did not send it (not in control, or mode changes disabled)');
    }
  }

  status(): SafetyGuardStatus {
    return this.guard.status();
  }

  private lastHeartbeat(): number | null {
    return this.link.state().link.lastFcHeartbeatTUs;
  }
}
