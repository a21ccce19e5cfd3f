/**
 * The MAVLink link over UDP with the PX4 SITL convention: the autopilot sends from its port to the
 * companion's well-known port (PX4: 14580 → 14540), the companion answers whoever spoke last.
 * Real sockets on loopback, random high ports, real clock; assertions on behaviour only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FirstOrderVehicle } from '../../firmware-bridge/emulator/emulatedVehicle.js';
import { Px4Emulator } from '../../firmware-bridge/emulator/px4Emulator.js';
import { realClock, realScheduler } from '../../src/platform/time.js';
import { MavlinkFlightLink } from '../../firmware-bridge/mavlink/mavlinkFlightLink.js';
import { GuardedFlightLink } from '../../firmware-bridge/safety/guardedFlightLink.js';
import { UdpTransport, udpPx4Sitl } from '../../firmware-bridge/transport/udpTransport.js';
import { until } from './helpers.js';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('MAVLink over UDP (PX4 SITL convention)', () => {
  it('learns the autopilot’s address from its first datagram and streams setpoints back', async () => {
    expect(udpPx4Sitl()).toEqual({ localHost: '0.0.0.0', localPort: 14540 });
    const port = 40_000 + Math.floor(Math.random() * 5000);
    const px4 = new Px4Emulator({
      transport: new UdpTransport({ localHost: '127.0.0.1', localPort: port + 40, remoteHost: '127.0.0.1', remotePort: port }),
      vehicle: new FirstOrderVehicle(),
      clock: realClock,
      scheduler: realScheduler,
    });
    const companionSide = new UdpTransport({ localHost: '127.0.0.1', localPort: port });
    const link = new MavlinkFlightLink({ transport: companionSide, clock: realClock, scheduler: realScheduler });
    const guarded = new GuardedFlightLink(link, { clock: realClock, scheduler: realScheduler, log: () => {} });
    await link.connect();
    cleanups.push(() => link.close());
    await px4.start();
    cleanups.push(() => px4.stop());
    guarded.start();
    cleanups.push(() => guarded.stop());
    await until(() => link.autopilotKind === 'px4', 'the autopilot heartbeat');
    expect(companionSide.peer).toEqual({ host: '127.0.0.1', port: port + 40 });
    await until(() => px4.stats().attitudeRateHz === 200, 'the interval request to reach the emulator');
    await until(() => px4.stats().setpointsReceived > 5, 'setpoints at the emulator');
    expect(link.state().attitude).not.toBeNull();
  });
});
