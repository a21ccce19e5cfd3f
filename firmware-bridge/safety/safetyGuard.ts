/**
 * The safety guard: the one layer every setpoint passes on its way to a flight link. Pure logic on
 * an injected Clock (no I/O, no timers): `submit` filters a setpoint from the avoidance stage,
 * `tick` runs the watchdogs. `GuardedFlightLink` wires it to a link and a scheduler.
 *
 * What it enforces, in order:
 * 1. validity — non-finite numbers are dropped (the setpoint does not count as fresh);
 * 2. speed clamps — horizontal norm (direction kept), vertical, yaw rate;
 * 3. acceleration clamps — change of the commanded velocity / yaw rate per second, relative to the
 *    last setpoint sent (braking to hover is exempt: stopping sooner is the safe direction);
 * 4. rate limiting — at most `maxSetpointRateHz`; faster setpoints are coalesced, newest wins;
 * 5. staleness watchdog — no fresh setpoint (by its own tUs) for `staleBrakeUs` → hover setpoints;
 *    for `staleHoldUs` → also ask the autopilot to hold;
 * 6. flight-controller loss — no heartbeat for `fcHeartbeatTimeoutUs` → setpoints stop passing,
 *    hover setpoints are sent so that whatever reaches a recovering link is harmless.
 *
 * Every intervention is counted per reason and kept as `last`; the log callback receives state
 * changes always and clamp/rate-limit interventions when they start (not for each of a run of
 * clamped setpoints at 200 Hz, which the counters show).
 */
import type { Clock } from '../../src/contracts/clock.js';
import type {
  GuardIntervention,
  GuardReason,
  GuardState,
  SafetyGuardStatus,
} from '../../src/contracts/safetyGuardStatus.js';
import { hoverSetpoint, type SteeringSetpoint } from '../../src/contracts/steeringSetpoint.js';
import type { GuardConfig } from './guardConfig.js';

/** What a tick asks the caller to do. */
export interface GuardTickResult {
  /** A setpoint to write now, or null. */
  readonly send: SteeringSetpoint | null;
  /** Ask the autopilot to hold now (once per entry into `holding`). */
  readonly requestHold: boolean;
}

const ALL_REASONS: readonly GuardReason[] = [
  'invalid-setpoint',
  'horizontal-speed-clamp',
  'vertical-speed-clamp',
  'yaw-rate-clamp',
  'horizontal-accel-clamp',
  'vertical-accel-clamp',
  'yaw-accel-clamp',
  'rate-limited',
  'stale-brake',
  'stale-hold',
  'hold-not-sent',
  'fc-link-lost',
  'fc-link-restored',
  'resumed',
];

/** Reasons that may repeat for every setpoint of a run: logged on the first of the run only. */
const PER_SETPOINT_REASONS = new Set<GuardReason>([
  'invalid-setpoint',
  'horizontal-speed-clamp',
  'vertical-speed-clamp',
  'yaw-rate-clamp',
  'horizontal-accel-clamp',
  'vertical-accel-clamp',
  'yaw-accel-clamp',
  'rate-limited',
]);

export class SafetyGuard {
  private guardState: GuardState = 'braking';
  /** Newest valid setpoint after the speed clamps (the target), null before the first one. */
  private target: SteeringSetpoint | null = null;
  /** Target that arrived faster than the rate limit, waiting for the next slot. */
  private pending = false;
  private lastOut: SteeringSetpoint = hoverSetpoint(0);
  private lastOutTUs: number | null = null;
  private readonly startTUs: number;
  private holdRequested = false;
  /** Whether the guard has ever been nominal (to tell a recovery from the start). */
  private wasNominal = false;
  private setpointsIn = 0;
  private setpointsOut = 0;
  private readonly counters: Record<GuardReason, number>;
  private last: GuardIntervention | null = null;
  /** Per-setpoint reasons seen on the previous setpoint, for edge-triggered logging. */
  private activeReasons = new Set<GuardReason>();
  private readonly minIntervalUs: number;

  constructor(
    readonly config: GuardConfig,
    private readonly clock: Clock,
    private readonly log: (intervention: GuardIntervention) => void = () => {},
  ) {
    this.startTUs = clock.nowUs();
    this.counters = Object.fromEntries(ALL_REASONS.map((r) => [r, 0])) as Record<GuardReason, number>;
    this.minIntervalUs = 1e6 / config.maxSetpointRateHz;
  }

  /**
   * Filters a setpoint from the avoidance stage. Returns what to write now, or null when nothing
   * should be written (invalid, rate-limited, or the guard is braking / holding / link-lost).
   * `lastFcHeartbeatTUs` is the link's last autopilot heartbeat (null: none yet).
   */
  submit(setpoint: SteeringSetpoint, lastFcHeartbeatTUs: number | null): SteeringSetpoint | null {
    const now = this.clock.nowUs();
    this.setpointsIn++;
    const reasons = new Set<GuardReason>();
    if (!isValid(setpoint)) {
      this.intervene(now, 'invalid-setpoint', `non-finite field in ${JSON.stringify(setpoint)}`, reasons);
      this.activeReasons = reasons;
      return null;
    }
    this.target = this.clampSpeed(setpoint, now, reasons);
    this.evaluate(now, lastFcHeartbeatTUs);
    if (this.guardState !== 'nominal') {
      this.activeReasons = reasons;
      return null;
    }
    if (this.lastOutTUs !== null && now - this.lastOutTUs < this.minIntervalUs) {
      this.pending = true;
      this.intervene(now, 'rate-limited', `${(now - this.lastOutTUs).toFixed(0)} µs after the previous setpoint`, reasons);
      this.activeReasons = reasons;
      return null;
    }
    const out = this.emit(this.target, now, reasons);
    this.activeReasons = reasons;
    return out;
  }

  /**
   * The guard's periodic work (call at `tickRateHz`): watchdogs, hover setpoints while not
   * nominal, the coalesced setpoint or a keep-alive re-send while nominal.
   */
  tick(lastFcHeartbeatTUs: number | null): GuardTickResult {
    const now = this.clock.nowUs();
    const requestHold = this.evaluate(now, lastFcHeartbeatTUs);
    if (this.guardState !== 'nominal') {
      this.pending = false;
      return { send: this.emitHover(now), requestHold };
    }
    const target = this.target;
    if (!target) return { send: null, requestHold };
    const sinceOut = this.lastOutTUs === null ? Infinity : now - this.lastOutTUs;
    const keepAliveUs = 1e6 / this.config.tickRateHz;
    if ((this.pending && sinceOut >= this.minIntervalUs) || sinceOut >= keepAliveUs) {
      const reasons = new Set<GuardReason>();
      const out = this.emit(target, now, reasons);
      this.activeReasons = reasons;
      return { send: out, requestHold };
    }
    return { send: null, requestHold };
  }

  /** Records that a hold request could not be sent (the link refused: not in control, or not permitted). */
  noteHoldNotSent(detail: string): void {
    this.intervene(this.clock.nowUs(), 'hold-not-sent', detail);
  }

  get state(): GuardState {
    return this.guardState;
  }

  status(): SafetyGuardStatus {
    return {
      tUs: this.clock.nowUs(),
      state: this.guardState,
      setpointsIn: this.setpointsIn,
      setpointsOut: this.setpointsOut,
      counters: { ...this.counters },
      last: this.last,
    };
  }

  /** Moves the state machine; returns true when a hold request is due. */
  private evaluate(now: number, lastFcHeartbeatTUs: number | null): boolean {
    const c = this.config;
    const hbAge = now - (lastFcHeartbeatTUs ?? this.startTUs);
    const age = this.target ? now - this.target.tUs : Infinity;
    let next: GuardState;
    if (hbAge > c.fcHeartbeatTimeoutUs) next = 'link-lost';
    else if (this.target && age > c.staleHoldUs) next = 'holding';
    else if (age > c.staleBrakeUs) next = 'braking';
    else next = 'nominal';

    const prev = this.guardState;
    if (next === prev) return false;
    this.guardState = next;
    if (prev === 'link-lost') {
      this.intervene(now, 'fc-link-restored', `heartbeat ${(hbAge / 1000).toFixed(0)} ms old`);
    }
    let requestHold = false;
    switch (next) {
      case 'link-lost':
        this.intervene(now, 'fc-link-lost', lastFcHeartbeatTUs === null
          ? `no heartbeat since start, ${(hbAge / 1000).toFixed(0)} ms`
          : `last heartbeat ${(hbAge / 1000).toFixed(0)} ms ago`);
        break;
      case 'holding':
        this.intervene(now, 'stale-hold', `newest setpoint ${(age / 1000).toFixed(1)} ms old`);
        requestHold = !this.holdRequested;
        this.holdRequested = true;
        break;
      case 'braking':
        this.intervene(now, 'stale-brake', this.target
          ? `newest setpoint ${(age / 1000).toFixed(1)} ms old`
          : 'no setpoint yet');
        break;
      case 'nominal':
        this.holdRequested = false;
        // The very first fresh setpoint is the start of control, not a recovery.
        if (prev !== 'link-lost' && this.wasNominal) this.intervene(now, 'resumed', `fresh setpoint after ${prev}`);
        this.wasNominal = true;
        break;
    }
    return requestHold;
  }

  private clampSpeed(sp: SteeringSetpoint, now: number, reasons: Set<GuardReason>): SteeringSetpoint {
    const c = this.config;
    let { velForwardMS: f, velRightMS: r, velDownMS: d, yawRateRadS: y } = sp;
    const h = Math.hypot(f, r);
    if (h > c.maxHorizontalSpeedMS) {
      const k = c.maxHorizontalSpeedMS / h;
      f *= k;
      r *= k;
      this.intervene(now, 'horizontal-speed-clamp', `${h.toFixed(2)} → ${c.maxHorizontalSpeedMS} m/s`, reasons);
    }
    if (Math.abs(d) > c.maxVerticalSpeedMS) {
      this.intervene(now, 'vertical-speed-clamp', `${d.toFixed(2)} m/s down, limit ${c.maxVerticalSpeedMS}`, reasons);
      d = Math.sign(d) * c.maxVerticalSpeedMS;
    }
    if (Math.abs(y) > c.maxYawRateRadS) {
      this.intervene(now, 'yaw-rate-clamp', `${y.toFixed(2)} rad/s, limit ${c.maxYawRateRadS}`, reasons);
      y = Math.sign(y) * c.maxYawRateRadS;
    }
    // A setpoint stamped in the future would stay "fresh" forever: its age counts from now at most.
    return { tUs: Math.min(sp.tUs, now), velForwardMS: f, velRightMS: r, velDownMS: d, yawRateRadS: y };
  }

  /** Applies the acceleration clamps against the last output and records the output. */
  private emit(target: SteeringSetpoint, now: number, reasons: Set<GuardReason>): SteeringSetpoint {
    const c = this.config;
    const dtS = Math.min(this.lastOutTUs === null ? Infinity : now - this.lastOutTUs, c.maxAccelStepUs) / 1e6;
    const prev = this.lastOut;
    let f = target.velForwardMS;
    let r = target.velRightMS;
    let d = target.velDownMS;
    let y = target.yawRateRadS;

    const dh = Math.hypot(f - prev.velForwardMS, r - prev.velRightMS);
    const maxDh = c.maxHorizontalAccelMS2 * dtS;
    if (dh > maxDh) {
      const k = maxDh / dh;
      f = prev.velForwardMS + (f - prev.velForwardMS) * k;
      r = prev.velRightMS + (r - prev.velRightMS) * k;
      this.intervene(now, 'horizontal-accel-clamp', `Δv ${dh.toFixed(2)} m/s in ${(dtS * 1000).toFixed(1)} ms`, reasons);
    }
    const maxDd = c.maxVerticalAccelMS2 * dtS;
    if (Math.abs(d - prev.velDownMS) > maxDd) {
      this.intervene(now, 'vertical-accel-clamp', `Δv ${(d - prev.velDownMS).toFixed(2)} m/s in ${(dtS * 1000).toFixed(1)} ms`, reasons);
      d = prev.velDownMS + Math.sign(d - prev.velDownMS) * maxDd;
    }
    const maxDy = c.maxYawAccelRadS2 * dtS;
    if (Math.abs(y - prev.yawRateRadS) > maxDy) {
      this.intervene(now, 'yaw-accel-clamp', `Δω ${(y - prev.yawRateRadS).toFixed(2)} rad/s in ${(dtS * 1000).toFixed(1)} ms`, reasons);
      y = prev.yawRateRadS + Math.sign(y - prev.yawRateRadS) * maxDy;
    }
    const out: SteeringSetpoint = { tUs: target.tUs, velForwardMS: f, velRightMS: r, velDownMS: d, yawRateRadS: y };
    this.record(out, now);
    this.pending = false;
    return out;
  }

  private emitHover(now: number): SteeringSetpoint {
    const out = hoverSetpoint(now);
    this.record(out, now);
    return out;
  }

  private record(out: SteeringSetpoint, now: number): void {
    this.lastOut = out;
    this.lastOutTUs = now;
    this.setpointsOut++;
  }

  /**
   * Counts an intervention and keeps it as `last`. With `reasons` (a per-setpoint reason), it is
   * logged only if the previous setpoint did not have the same reason.
   */
  private intervene(now: number, reason: GuardReason, detail: string, reasons?: Set<GuardReason>): void {
    this.counters[reason]++;
    const entry: GuardIntervention = { tUs: now, reason, detail };
    this.last = entry;
    if (reasons) {
      reasons.add(reason);
      if (PER_SETPOINT_REASONS.has(reason) && this.activeReasons.has(reason)) return;
    }
    this.log(entry);
  }
}

function isValid(sp: SteeringSetpoint): boolean {
  return (
    Number.isFinite(sp.tUs) &&
    Number.isFinite(sp.velForwardMS) &&
    Number.isFinite(sp.velRightMS) &&
    Number.isFinite(sp.velDownMS) &&
    Number.isFinite(sp.yawRateRadS)
  );
}
