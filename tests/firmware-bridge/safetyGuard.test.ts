import { describe, expect, it } from 'vitest';
import type { GuardIntervention } from '../../src/contracts/safetyGuardStatus.js';
import type { SteeringSetpoint } from '../../src/contracts/steeringSetpoint.js';
import { MockFlightLink } from '../../firmware-bridge/link/mockFlightLink.js';
import { ManualClock, ManualScheduler } from '../../src/platform/time.js';
import { parseGuardConfig, type GuardConfigInput } from '../../firmware-bridge/safety/guardConfig.js';
import { GuardedFlightLink } from '../../firmware-bridge/safety/guardedFlightLink.js';
import { SafetyGuard } from '../../firmware-bridge/safety/safetyGuard.js';

const T0 = 10_000_000;
/** Accelerations so large that the accel clamp never acts, to test other rules alone. */
const NO_ACCEL_LIMIT: GuardConfigInput = { maxHorizontalAccelMS2: 1e9, maxVerticalAccelMS2: 1e9, maxYawAccelRadS2: 1e9 };

function sp(tUs: number, f = 0, r = 0, d = 0, y = 0): SteeringSetpoint {
  return { tUs, velForwardMS: f, velRightMS: r, velDownMS: d, yawRateRadS: y };
}

function setup(config: GuardConfigInput = {}) {
  const clock = new ManualClock(T0);
  const log: GuardIntervention[] = [];
  const guard = new SafetyGuard(parseGuardConfig(config), clock, (i) => log.push(i));
  return { clock, guard, log };
}

describe('SafetyGuard clamps', () => {
  it('scales horizontal speed down keeping direction, clamps vertical speed and yaw rate', () => {
    const { guard } = setup(NO_ACCEL_LIMIT);
    const out = guard.submit(sp(T0, 3, 4, -5, -2.5), T0);
    expect(out).not.toBeNull();
    expect(out!.velForwardMS).toBeCloseTo(1.2, 12); // 3/5 · 2
    expect(out!.velRightMS).toBeCloseTo(1.6, 12); // 4/5 · 2
    expect(out!.velDownMS).toBe(-1);
    expect(out!.yawRateRadS).toBe(-1);
    const s = guard.status();
    expect(s.counters['horizontal-speed-clamp']).toBe(1);
    expect(s.counters['vertical-speed-clamp']).toBe(1);
    expect(s.counters['yaw-rate-clamp']).toBe(1);
    expect(s.state).toBe('nominal');
  });

  it('passes setpoints inside the limits unchanged', () => {
    const { guard } = setup(NO_ACCEL_LIMIT);
    expect(guard.submit(sp(T0, 1, -0.5, 0.2, 0.3), T0)).toEqual(sp(T0, 1, -0.5, 0.2, 0.3));
    const c = guard.status().counters;
    expect(Object.values(c).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('limits the change of commanded velocity to accel · dt against the last setpoint sent', () => {
    const { clock, guard } = setup({ maxHorizontalAccelMS2: 3, maxVerticalAccelMS2: 2, maxYawAccelRadS2: 6 });
    // First output: dt is capped at maxAccelStepUs (100 ms) → Δv ≤ 0.3 m/s from rest.
    const a = guard.submit(sp(T0, 2, 0, 0.5, 1), T0)!;
    expect(a.velForwardMS).toBeCloseTo(0.3, 12);
    expect(a.velDownMS).toBeCloseTo(0.2, 12);
    expect(a.yawRateRadS).toBeCloseTo(0.6, 12);
    clock.set(T0 + 10_000);
    const b = guard.submit(sp(T0 + 10_000, 2, 0, 0.5, 1), T0)!;
    expect(b.velForwardMS).toBeCloseTo(0.33, 12);
    expect(b.velDownMS).toBeCloseTo(0.22, 12);
    expect(b.yawRateRadS).toBeCloseTo(0.66, 12);
    // Diagonal request: the clamp acts on the vector change, direction of the change kept.
    clock.set(T0 + 20_000);
    const c = guard.submit(sp(T0 + 20_000, 0.33, 1.33, 0.22, 0.66), T0)!;
    expect(c.velForwardMS).toBeCloseTo(0.33, 12);
    expect(c.velRightMS).toBeCloseTo(0.03, 12);
    expect(guard.status().counters['horizontal-accel-clamp']).toBe(3);
  });

  it('drops non-finite setpoints and does not count them as fresh', () => {
    const { clock, guard } = setup();
    expect(guard.submit(sp(T0, Number.NaN), T0)).toBeNull();
    expect(guard.submit(sp(T0, 0, Infinity), T0)).toBeNull();
    expect(guard.status().counters['invalid-setpoint']).toBe(2);
    clock.set(T0 + 1_000);
    expect(guard.tick(T0).send).toEqual(sp(T0 + 1_000)); // still braking: hover
    expect(guard.state).toBe('braking');
  });

  it('does not let a setpoint stamped in the future stay fresh', () => {
    const { clock, guard } = setup(NO_ACCEL_LIMIT);
    expect(guard.submit(sp(T0 + 60_000_000, 1), T0)?.tUs).toBe(T0);
    clock.set(T0 + 50_001);
    guard.tick(T0);
    expect(guard.state).toBe('braking');
  });

  it('logs a run of clamped setpoints once but counts each', () => {
    const { clock, guard, log } = setup(NO_ACCEL_LIMIT);
    for (let i = 0; i < 10; i++) {
      clock.set(T0 + i * 5_000);
      guard.submit(sp(T0 + i * 5_000, 0, 0, 0, 5), T0);
    }
    expect(guard.status().counters['yaw-rate-clamp']).toBe(10);
    expect(log.filter((l) => l.reason === 'yaw-rate-clamp')).toHaveLength(1);
    expect(guard.status().last?.reason).toBe('yaw-rate-clamp');
  });
});

describe('SafetyGuard rate limiting', () => {
  it('coalesces setpoints faster than maxSetpointRateHz; the newest goes out at the next slot', () => {
    const { clock, guard } = setup({ ...NO_ACCEL_LIMIT, maxSetpointRateHz: 100 });
    expect(guard.submit(sp(T0, 0.1), T0)).not.toBeNull();
    clock.set(T0 + 2_000);
    expect(guard.submit(sp(T0 + 2_000, 0.2), T0)).toBeNull();
    clock.set(T0 + 4_000);
    expect(guard.submit(sp(T0 + 4_000, 0.3), T0)).toBeNull();
    expect(guard.status().counters['rate-limited']).toBe(2);
    clock.set(T0 + 9_999);
    expect(guard.tick(T0).send).toBeNull(); // slot not open yet
    clock.set(T0 + 10_000);
    expect(guard.tick(T0).send).toEqual(sp(T0 + 4_000, 0.3));
    expect(guard.status().setpointsIn).toBe(3);
    expect(guard.status().setpointsOut).toBe(2);
  });
});

describe('SafetyGuard staleness watchdog (fake clock)', () => {
  it('brakes after staleBrakeUs, requests hold once after staleHoldUs, resumes on a fresh setpoint', () => {
    const { clock, guard, log } = setup({ ...NO_ACCEL_LIMIT, staleBrakeUs: 50_000, staleHoldUs: 500_000 });
    guard.submit(sp(T0, 1), T0);
    clock.set(T0 + 50_000);
    let r = guard.tick(T0 + 50_000);
    expect(guard.state).toBe('nominal'); // exactly the timeout: still fresh
    expect(r.send).toEqual(sp(T0, 1)); // nothing went out for ≥ one tick period: keep-alive re-send
    clock.set(T0 + 50_001);
    r = guard.tick(T0 + 50_000);
    expect(guard.state).toBe('braking');
    expect(r.send).toEqual(sp(T0 + 50_001));
    expect(r.requestHold).toBe(false);
    clock.set(T0 + 500_000);
    expect(guard.tick(T0 + 500_000).requestHold).toBe(false);
    clock.set(T0 + 500_001);
    r = guard.tick(T0 + 500_000);
    expect(guard.state).toBe('holding');
    expect(r.requestHold).toBe(true);
    expect(r.send).toEqual(sp(T0 + 500_001));
    clock.set(T0 + 520_001);
    expect(guard.tick(T0 + 500_000).requestHold).toBe(false); // once per entry
    clock.set(T0 + 600_000);
    const resumed = guard.submit(sp(T0 + 600_000, 1), T0 + 500_000);
    expect(guard.state).toBe('nominal');
    expect(resumed?.velForwardMS).toBe(1);
    expect(log.map((l) => l.reason)).toEqual(['stale-brake', 'stale-hold', 'resumed']);
    const c = guard.status().counters;
    expect([c['stale-brake'], c['stale-hold'], c.resumed]).toEqual([1, 1, 1]);
  });

  it('treats the flight controller as lost after fcHeartbeatTimeoutUs and stops passing setpoints', () => {
    const { clock, guard } = setup({ ...NO_ACCEL_LIMIT, fcHeartbeatTimeoutUs: 2_000_000 });
    clock.set(T0 + 2_000_000);
    expect(guard.submit(sp(T0 + 2_000_000, 1), T0)).not.toBeNull();
    clock.set(T0 + 2_000_001);
    expect(guard.submit(sp(T0 + 2_000_001, 1), T0)).toBeNull();
    expect(guard.state).toBe('link-lost');
    expect(guard.tick(T0).send).toEqual(sp(T0 + 2_000_001));
    expect(guard.status().last?.reason).toBe('fc-link-lost');
    clock.set(T0 + 2_100_000);
    expect(guard.submit(sp(T0 + 2_100_000, 1), T0 + 2_100_000)).not.toBeNull();
    expect(guard.state).toBe('nominal');
    expect(guard.status().counters['fc-link-restored']).toBe(1);
  });

  it('counts the flight controller lost when no heartbeat ever came', () => {
    const { clock, guard } = setup({ fcHeartbeatTimeoutUs: 1_000_000 });
    clock.set(T0 + 1_000_001);
    guard.tick(null);
    expect(guard.state).toBe('link-lost');
  });
});

describe('GuardedFlightLink on a manual scheduler', () => {
  function rig(config: GuardConfigInput = {}) {
    const clock = new ManualClock(T0);
    const scheduler = new ManualScheduler(clock);
    const link = new MockFlightLink(clock);
    const guarded = new GuardedFlightLink(link, { clock, scheduler, config, log: () => {} });
    return { clock, scheduler, link, guarded };
  }

  it('streams hover setpoints at tickRateHz before any setpoint arrives', async () => {
    const { scheduler, link, guarded } = rig({ tickRateHz: 50 });
    await link.connect();
    link.heartbeat();
    guarded.start();
    scheduler.advance(1_000_000);
    expect(link.setpoints).toHaveLength(50);
    expect(link.setpoints.every((s) => s.velForwardMS === 0 && s.yawRateRadS === 0)).toBe(true);
    guarded.stop();
    expect(scheduler.pending).toBe(0);
  });

  it('re-sends the target when the producer is slower than the tick (keep-alive)', async () => {
    const { clock, scheduler, link, guarded } = rig({ ...NO_ACCEL_LIMIT, tickRateHz: 50, staleBrakeUs: 200_000, staleHoldUs: 400_000 });
    await link.connect();
    link.heartbeat();
    guarded.start();
    guarded.submit(sp(clock.nowUs(), 0.5));
    scheduler.advance(100_000); // ticks at 20, 40, 60, 80, 100 ms
    expect(link.setpoints).toHaveLength(6);
    expect(link.setpoints.every((s) => s.velForwardMS === 0.5)).toBe(true);
  });

  it('asks the link to hold when stale past staleHoldUs, only if the link is in control', async () => {
    const { clock, scheduler, link, guarded } = rig({ tickRateHz: 50, staleBrakeUs: 50_000, staleHoldUs: 500_000 });
    await link.connect();
    await link.requestControl(); // mock: offboard, in control
    guarded.start();
    for (let i = 0; i < 10; i++) {
      link.heartbeat();
      guarded.submit(sp(clock.nowUs(), 0.2));
      scheduler.advance(10_000);
    }
    const lastFresh = clock.nowUs() - 10_000;
    // Keep the FC alive but stop the setpoints.
    while (link.holdRequests.length === 0 && clock.nowUs() < lastFresh + 2_000_000) {
      link.heartbeat();
      scheduler.advance(10_000);
    }
    expect(link.holdRequests).toEqual(['perception stale']);
    // Detected on the first tick after the timeout: the tick period bounds the delay.
    const holdAt = clock.nowUs();
    expect(holdAt - lastFresh).toBeGreaterThan(500_000);
    expect(holdAt - lastFresh).toBeLessThanOrEqual(500_000 + 20_000 + 10_000);
    expect(link.state().mode).toBe('hold');
    expect(guarded.status().state).toBe('holding');
  });

  it('records hold-not-sent when the link is not in control', async () => {
    const { clock, scheduler, link, guarded } = rig({ staleBrakeUs: 50_000, staleHoldUs: 100_000 });
    await link.connect();
    link.heartbeat();
    guarded.start();
    guarded.submit(sp(clock.nowUs(), 0.1));
    scheduler.advance(200_000);
    expect(link.holdRequests).toEqual([]);
    expect(guarded.status().counters['hold-not-sent']).toBe(1);
  });
});
