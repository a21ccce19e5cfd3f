/**
 * A progress display on stderr: on a terminal, one line redrawn at most 10 times a second
 * (`label [#####.....] 42 % detail`); otherwise (a log file, CI) a plain line at every 10 % step and at the
 * end of each phase. Reads the wall clock, for the elapsed time and the redraw rate only.
 */
export interface ProgressSink {
  /** Progress of the current phase: `done` of `total` units; `detail` is appended. */
  update(phase: string, done: number, total: number, detail?: string): void;
  /** Ends the current phase's line. */
  finish(phase: string, detail?: string): void;
  /** A line of its own (between phases). */
  log(line: string): void;
}

export class StderrProgress implements ProgressSink {
  private readonly tty: boolean;
  private readonly t0 = performance.now();
  private lastDrawMs = 0;
  private lastDecile = new Map<string, number>();
  private drawn = false;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly width = 30,
  ) {
    this.tty = Boolean(out.isTTY);
  }

  private elapsed(): string {
    const s = (performance.now() - this.t0) / 1000;
    return `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
  }

  update(phase: string, done: number, total: number, detail = ''): void {
    const f = total > 0 ? Math.max(0, Math.min(1, done / total)) : 0;
    if (this.tty) {
      const now = performance.now();
      if (now - this.lastDrawMs < 100 && f < 1) return;
      this.lastDrawMs = now;
      const fill = Math.round(f * this.width);
      const line = `${this.elapsed()} ${phase} [${'#'.repeat(fill)}${'.'.repeat(this.width - fill)}] ${(f * 100).toFixed(0).padStart(3)} % ${detail}`;
      const cols = this.out.columns ?? 120;
      this.out.write(`\r${line.slice(0, cols - 1).padEnd(Math.min(cols - 1, line.length + 5))}`);
      this.drawn = true;
    } else {
      const decile = Math.floor(f * 10);
      if ((this.lastDecile.get(phase) ?? -1) < decile) {
        this.lastDecile.set(phase, decile);
        this.out.write(`${this.elapsed()} ${phase} ${(f * 100).toFixed(0)} % ${detail}\n`);
      }
    }
  }

  finish(phase: string, detail = ''): void {
    if (this.tty && this.drawn) this.out.write('\n');
    this.drawn = false;
    this.out.write(`${this.elapsed()} ${phase} done ${detail}\n`);
  }

  log(line: string): void {
    if (this.tty && this.drawn) this.out.write('\n');
    this.drawn = false;
    this.out.write(`${line}\n`);
  }
}

/** Discards everything (tests, --json without progress). */
export const SILENT_PROGRESS: ProgressSink = { update() {}, finish() {}, log() {} };
