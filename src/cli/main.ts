/**
 * The `evpilot` command line. Each sub-command lives in its own file under `commands/` and registers
 * itself on the program; this file only assembles them and turns errors into exit codes.
 */
import { Command, CommanderError } from 'commander';
import { registerInspect } from './commands/inspect.js';
import { registerReplay } from './commands/replay.js';
import { registerStart } from './commands/start.js';
import { registerFcEmulator } from './commands/fcEmulator.js';
import { registerSim } from './commands/sim.js';
import { CliError } from './cliError.js';

export function buildProgram(): Command {
  const program = new Command('evpilot')
    .description(
      'Onboard runtime for event-camera drones: ingest events, predict inverse time-to-contact,\n' +
        'learn it in flight, steer, and stream setpoints to the flight controller.',
    )
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerInspect(program);
  registerStart(program);
  registerReplay(program);
  registerFcEmulator(program);
  registerSim(program);
  return program;
}

/** Runs the CLI; resolves to the process exit code (0 ok, 1 runtime error, 2 usage error). */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit through here with code 0; usage errors were already printed.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof CliError) {
      process.stderr.write(`evpilot: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`evpilot: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
