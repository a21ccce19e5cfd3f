/**
 * `evpilot fc-emulator`: runs a flight-controller emulator (PX4 over MAVLink 2, or Betaflight over
 * MSP v2) on a serial port, driving a vehicle model, so the companion runtime's real serial code
 * can fly against it. With `--create-pty` it makes the socat pseudo-terminal pair itself.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { BetaflightEmulator } from '../../../firmware-bridge/emulator/betaflightEmulator.js';
import { FirstOrderVehicle } from '../../../firmware-bridge/emulator/emulatedVehicle.js';
import { Px4Emulator } from '../../../firmware-bridge/emulator/px4Emulator.js';
import { realClock, realScheduler } from '../../platform/time.js';
import { ReconnectingTransport } from '../../../firmware-bridge/transport/reconnectingTransport.js';
import { DEFAULT_SERIAL_BAUD, SerialTransport } from '../../../firmware-bridge/transport/serialTransport.js';
import { SocatPtyPair } from '../../../firmware-bridge/transport/socatPtyPair.js';
import { CliError } from '../cliError.js';
import { parsePositiveInt, parsePositiveNumber } from '../options.js';

interface FcEmulatorOptions {
  port: string;
  firmware: 'px4' | 'betaflight';
  baud: number;
  createPty?: string;
  systemId: number;
  attitudeHz: number;
  localPositionHz: number;
  offboardLossS: number;
  armed: boolean;
  signingKey?: Uint8Array;
  duration?: number;
  statusEvery: number;
}

function parseRate(lo: number, hi: number) {
  return (value: string): number => {
    const v = Number(value);
    if (!Number.isFinite(v) || v < lo || v > hi) throw new InvalidArgumentError(`expected a number from ${lo} to ${hi}`);
    return v;
  };
}

function parseKey(value: string): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(value)) throw new InvalidArgumentError('expected 64 hex digits (a 32-byte key)');
  return Uint8Array.from(Buffer.from(value, 'hex'));
}

function parseNonNegative(value: string): number {
  const v = Number(value);
  if (!Number.isFinite(v) || v < 0) throw new InvalidArgumentError('expected a number ≥ 0');
  return v;
}

export function registerFcEmulator(program: Command): void {
  program
    .command('fc-emulator')
    .summary('emulate a flight controller (PX4/MAVLink or Betaflight/MSP) on a serial port')
    .description(
      [
        'Runs a flight-controller emulator on a serial port and flies a vehicle model from what it receives, so the companion runtime can be tested through its real serial code.',
        'PX4 (MAVLink 2): HEARTBEAT 1 Hz with PX4 custom modes, ATTITUDE 100–200 Hz, LOCAL_POSITION_NED 50 Hz, SYS_STATUS 1 Hz; accepts OFFBOARD only after more than 1 s of SET_POSITION_TARGET_LOCAL_NED at more than 2 Hz; falls back to AUTO.LOITER when setpoints stop for COM_OF_LOSS_T (1.0 s).',
        'Betaflight (MSP v2): answers MSP_STATUS, MSP_ATTITUDE, MSP_RAW_IMU, MSP_ANALOG; flies ANGLE mode from MSP_SET_RAW_RC; centres the sticks 0.5 s after RC frames stop.',
        'Example (the emulator makes the pty pair; point the runtime at /tmp/evpilot-cc):\n  evpilot fc-emulator --port /tmp/evpilot-fc --create-pty /tmp/evpilot-cc',
      ].join('\n\n'),
    )
    .requiredOption('--port <path>', 'serial device the emulator owns (one end of a pty pair, or a real UART)')
    .addOption(new Option('--firmware <name>', 'autopilot to emulate').choices(['px4', 'betaflight']).default('px4'))
    .option('--baud <n>', 'baud rate (ptys ignore it)', parsePositiveInt, DEFAULT_SERIAL_BAUD)
    .option('--create-pty <path>', 'start socat with a pty pair: the emulator takes --port, the companion uses <path>')
    .option('--system-id <n>', 'MAVLink system id', parseRate(1, 255), 1)
    .option('--attitude-hz <n>', 'ATTITUDE rate before the companion asks for one (100–200)', parseRate(100, 200), 100)
    .option('--local-position-hz <n>', 'LOCAL_POSITION_NED rate (1–50)', parseRate(1, 50), 50)
    .option('--offboard-loss-s <s>', 'COM_OF_LOSS_T: seconds without setpoints before hold', parsePositiveNumber, 1.0)
    .option('--armed', 'start armed (Betaflight: the pilot’s arm switch; PX4: as if armed by the pilot)', false)
    .option('--signing-key <hex>', 'require MAVLink 2 signatures made with this 32-byte key (64 hex digits)', parseKey)
    .option('--duration <s>', 'stop after this many seconds (default: until Ctrl-C)', parsePositiveNumber)
    .option('--status-every <s>', 'print a status line every s seconds (0: only at the end)', parseNonNegative, 5)
    .action(async (opts: FcEmulatorOptions) => {
      await runFcEmulator(opts);
    });
}

async function runFcEmulator(opts: FcEmulatorOptions): Promise<void> {
  let pty: SocatPtyPair | null = null;
  if (opts.createPty) {
    if (!SocatPtyPair.available()) throw new CliError('--create-pty needs socat (Debian: apt-get install -y socat)');
    pty = new SocatPtyPair(opts.port, opts.createPty);
    try {
      await pty.start();
    } catch (err) {
      throw new CliError(`cannot create the pty pair: ${(err as Error).message}`);
    }
  }
  const clock = realClock;
  const scheduler = realScheduler;
  // Reconnecting, so that a companion-side restart of socat (or a USB adapter replug) is survived.
  const transport = new ReconnectingTransport(
    () => new SerialTransport({ path: opts.port, baudRate: opts.baud }),
    { clock, scheduler, openTimeoutUs: 2_000_000 },
    `serial:${opts.port}@${opts.baud}`,
  );
  const vehicle = new FirstOrderVehicle();
  const emulator =
    opts.firmware === 'px4'
      ? new Px4Emulator({
          transport,
          vehicle,
          clock,
          scheduler,
          systemId: opts.systemId,
          attitudeRateHz: opts.attitudeHz,
          localPositionRateHz: opts.localPositionHz,
          offboardLossTimeoutUs: Math.round(opts.offboardLossS * 1e6),
          armed: opts.armed,
          ...(opts.signingKey ? { signing: { key: opts.signingKey, requireSigned: true } } : {}),
        })
      : new BetaflightEmulator({ transport, vehicle, clock, scheduler, armed: opts.armed });
  try {
    await emulator.start();
  } catch (err) {
    await pty?.stop();
    throw new CliError(`cannot open ${opts.port}: ${(err as Error).message}`);
  }
  const name = opts.firmware === 'px4' ? 'PX4 (MAVLink 2)' : 'Betaflight (MSP v2)';
  process.stdout.write(`fc-emulator: ${name} on ${opts.port}${opts.createPty ? `, companion end ${opts.createPty}` : ''}\n`);
  const t0 = clock.nowUs();
  const status = (): string => {
    const p = vehicle.state().positionNedM;
    const pos = `pos N${p.northM.toFixed(2)} E${p.eastM.toFixed(2)} D${p.downM.toFixed(2)} m`;
    const t = `t=${((clock.nowUs() - t0) / 1e6).toFixed(1)}s`;
    if (emulator instanceof Px4Emulator) {
      const s = emulator.stats();
      return `${t} mode=${s.modeName} armed=${s.armed} setpoints=${s.setpointsReceived} offboard-entries=${s.offboardEntries} failovers=${s.failovers} attitude=${s.attitudeRateHz}Hz ${pos} skipped=${s.link.bytesSkipped}B`;
    }
    const s = emulator.stats();
    return `${t} armed=${s.armed} rc-frames=${s.rcFrames} rc-timeouts=${s.rcTimeouts} requests=${s.requests} ${pos} skipped=${s.link.bytesSkipped}B`;
  };
  const cancelStatus = opts.statusEvery > 0 ? scheduler.every(opts.statusEvery * 1e6, () => process.stdout.write(`${status()}\n`)) : () => {};
  await new Promise<void>((resolve) => {
    const timer = opts.duration !== undefined ? setTimeout(() => done(), opts.duration * 1000) : null;
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      if (timer) clearTimeout(timer);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  cancelStatus();
  process.stdout.write(`${status()}\nfc-emulator: stopped\n`);
  await emulator.stop();
  await pty?.stop();
}
