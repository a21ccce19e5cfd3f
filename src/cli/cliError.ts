/** An error meant for the person at the terminal: printed as one line, no stack, with an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Exit codes shared by the commands. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** The input is not (valid) event data, or its format is not supported. */
export const EXIT_BAD_DATA = 3;

/**
 * Turns an error met while opening or decoding an event file into a one-line CliError: format problems
 * (`RawFormatError`, recognised by name so this file stays free of format imports) exit with
 * EXIT_BAD_DATA, file-system errors with EXIT_FAILURE and a plain reason.
 */
export function fileError(file: string, err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof Error && err.name === 'RawFormatError') return new CliError(`${file}: ${err.message}`, EXIT_BAD_DATA);
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new CliError(`${file}: no such file`);
  if (code === 'EISDIR') return new CliError(`${file}: is a directory`);
  if (code === 'EACCES') return new CliError(`${file}: permission denied`);
  return new CliError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
}
