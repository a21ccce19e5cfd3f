/**
 * End to end over a real pseudo-terminal pair (socat) with the real serial transport, real clock
 * and timers: a PX4-like offboard session, the port unplugged and replugged, and the
 * `evpilot fc-emulator` command. Assertions are about behaviour, never about speed; waits are
 * bounded only so that a hang fails instead of blocking CI.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GuardIntervention } from '../../src/contracts/safetyGuardStatus.js';
import { FirstOrderVehicle } from '../../firmware-bridge/emulator/emulatedVehicle.js';
import { Px4Emulator } from '../../firmware-bridge/emulator/px4Emulator.js';
import type { FlightLinkError } from '../../firmware-bridge/link/errors.js';
import { realClock, realScheduler } from '../../src/platform/time.js';
import { MavlinkFlightLink } from '../../firmware-bridge/mavlink/mavlinkFlightLink.js';
import { GuardedFlightLink } from '../../firmware-bridge/safety/guardedFlightLink.js';
import { ReconnectingTransport } from '../../firmware-bridge/transport/reconnectingTransport.js';
import { SerialTransport } from '../../firmware-bridge/transport/serialTransport.js';
import { SocatPtyPair } from '../../firmware-bridge/transport/socatPtyPair.js';
import { until } from './helpers.js';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function reconnecting(path: string) {
  return new ReconnectingTransport(() => new SerialTransport({ path }), {
    clock: realClock,
    scheduler: realScheduler,
    initialDelayUs: 20_000,
    maxDelayUs: 200_000,
  });
}

describe('PX4-like offboard session over a socat pty pair', () => {
  it('connects, warms up, enters offboard, flies; survives the pty being unplugged and replugged', async () => {
    expect(SocatPtyPair.available(), 'socat is required: apt-get install -y socat').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'evpilot-e2e-'));
    const pty = new SocatPtyPair(join(dir, 'fc'), join(dir, 'cc'));
    await pty.start();
    cleanups.push(() => pty.stop());

    const vehicle = new FirstOrderVehicle();
    const px4 = new Px4Emulator({ transport: reconnecting(pty.pathA), vehicle, clock: realClock, scheduler: realScheduler });
    await px4.start();
    cleanups.push(() => px4.stop());

    const errors: FlightLinkError[] = [];
    const link = new MavlinkFlightLink({
      transport: reconnecting(pty.pathB),
      clock: realClock,
      scheduler: realScheduler,
      allowModeChanges: true,
      armWhenInControl: true,
      offboardWarmupUs: 1_200_000,
    });
    link.onError((e) => errors.push(e));
    const interventions: GuardIntervention[] = [];
    const guarded = new GuardedFlightLink(link, {
      clock: realClock,
      scheduler: realScheduler,
      config: { fcHeartbeatTimeoutUs: 1_500_000 },
      log: (i) => interventions.push(i),
    });
    await link.connect();
    cleanups.push(() => link.close());
    guarded.start();
    cleanups.push(() => guarded.stop());
    const avoidance = setInterval(
      () => guarded.submit({ tUs: realClock.nowUs(), velForwardMS: 1, velRightMS: 0, velDownMS: 0, yawRateRadS: 0 }),
      10,
    );
    cleanups.push(() => clearInterval(avoidance));

    await until(() => link.autopilotKind === 'px4', 'the autopilot heartbeat');
    await until(() => px4.stats().attitudeRateHz === 200, 'the ATTITUDE interval request');
    await link.requestControl();
    expect(px4.stats()).toMatchObject({ modeName: 'PX4:OFFBOARD', armed: true, offboardRejections: 0, offboardEntries: 1 });
    const north0 = vehicle.state().positionNedM.northM;
    await until(() => vehicle.state().positionNedM.northM - north0 > 0.5, 'the vehicle to fly forward');
    expect(link.state().attitude).not.toBeNull();
    expect(link.state().velNedMS!.northMS).toBeGreaterThan(0.2);
    expect(link.state().link.crcErrors).toBe(0);

    // Unplug: socat dies, both ptys vanish. The companion notices on its next write.
    await pty.stop();
    await until(() => errors.some((e) => e.code === 'transport'), 'the link to report the loss');
    await until(() => guarded.status().state === 'link-lost', 'the guard to declare the FC lost');
    expect(interventions.map((i) => i.reason)).toContain('fc-link-lost');

    // Replug: both sides reopen by themselves; heartbeats resume; PX4 has meanwhile failed over to
    // hold (no setpoints for > 1 s) and the link does not re-request offboard on its own.
    await pty.start();
    await until(() => link.state().link.reconnects >= 1, 'the companion to reconnect', 15_000);
    await until(() => guarded.status().state === 'nominal', 'the guard to see the FC again', 15_000);
    expect(interventions.map((i) => i.reason)).toContain('fc-link-restored');
    expect(px4.stats().failovers).toBe(1);
    await until(() => link.state().modeName === 'PX4:AUTO.LOITER', 'the hold mode to be reported');
    expect(link.state().inControl).toBe(false);
    // Setpoints still flow (the guard keeps streaming) but PX4 stays in hold.
    const received = px4.stats().setpointsReceived;
    await until(() => px4.stats().setpointsReceived > received + 10, 'setpoints after the replug');
    expect(px4.stats().offboardEntries).toBe(1);
  });
});

describe('evpilot fc-emulator', () => {
  it('starts on a pty pair it creates, talks MAVLink to a companion, and stops after --duration', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evpilot-cli-'));
    const fcPath = join(dir, 'fc');
    const ccPath = join(dir, 'cc');
    const child = spawn(process.execPath, ['bin/evpilot.js', 'fc-emulator', '--port', fcPath, '--create-pty', ccPath, '--duration', '4', '--status-every', '0'], {
      cwd: join(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    cleanups.push(() => {
      if (child.exitCode === null) child.kill('SIGTERM');
    });
    await until(() => out.includes('fc-emulator: PX4'), 'the emulator to start', 15_000);
    const link = new MavlinkFlightLink({ transport: new SerialTransport({ path: ccPath }), clock: realClock, scheduler: realScheduler });
    await link.connect();
    cleanups.push(() => link.close());
    await until(() => link.state().modeName === 'PX4:AUTO.LOITER', 'heartbeats from the emulator');
    await until(() => link.state().attitude !== null, 'ATTITUDE from the emulator');
    expect(await exited).toBe(0);
    expect(out).toMatch(/mode=PX4:AUTO\.LOITER armed=false/);
    expect(out).toContain('fc-emulator: stopped');
  });

  it('fails with a one-line message and exit code 1 when the port cannot be opened', async () => {
    const child = spawn(process.execPath, ['bin/evpilot.js', 'fc-emulator', '--port', '/nonexistent/evpilot-fc'], {
      cwd: join(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(/^evpilot: cannot open \/nonexistent\/evpilot-fc/);
  });
});
