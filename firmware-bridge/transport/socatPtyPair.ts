/**
 * A pair of connected pseudo-terminals made by socat, so that two processes (or two ends in one
 * process) talk through the real serial code: `socat pty,raw,echo=0,link=A pty,raw,echo=0,link=B`.
 * Stopping socat makes both devices vanish, which is how tests "unplug" a flight controller;
 * starting it again with the same link names "replugs" it.
 *
 * Needs the `socat` binary (Debian: `apt-get install -y socat`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';

export interface SocatPtyPairOptions {
  /** How long `start()` waits for both device links, ms (default 5000). */
  startTimeoutMs?: number;
}

export class SocatPtyPair {
  private proc: ChildProcess | null = null;

  constructor(
    /** Symlink to the first pty (e.g. the flight controller's side). */
    readonly pathA: string,
    /** Symlink to the second pty (e.g. the companion's side). */
    readonly pathB: string,
    private readonly opts: SocatPtyPairOptions = {},
  ) {}

  /** True when a socat binary is on the PATH. */
  static available(): boolean {
    return spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
  }

  get running(): boolean {
    return this.proc !== null;
  }

  /** Starts socat and waits until both links exist. */
  async start(): Promise<void> {
    if (this.proc) return;
    for (const p of [this.pathA, this.pathB]) rmSync(p, { force: true });
    const proc = spawn('socat', [`pty,raw,echo=0,link=${this.pathA}`, `pty,raw,echo=0,link=${this.pathB}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    let exited = false;
    proc.once('exit', () => {
      exited = true;
      if (this.proc === proc) this.proc = null;
    });
    proc.once('error', () => {
      exited = true;
    });
    this.proc = proc;
    const deadline = performance.now() + (this.opts.startTimeoutMs ?? 5000);
    while (!(existsSync(this.pathA) && existsSync(this.pathB))) {
      if (exited) throw new Error(`socat exited before creating ${this.pathA}/${this.pathB}: ${stderr.trim() || 'is socat installed?'}`);
      if (performance.now() > deadline) {
        await this.stop();
        throw new Error(`socat did not create ${this.pathA} and ${this.pathB} in time`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Kills socat (both ptys vanish) and waits for it to exit. */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.proc = null;
    if (proc.exitCode === null && proc.signalCode === null) {
      await new Promise<void>((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      });
    }
  }
}
