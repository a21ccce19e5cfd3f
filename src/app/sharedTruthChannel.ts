/**
 * The simulator's true ν map (1/s, network geometry, row-major), shared from the simulator's thread with the
 * runtime for one diagnostic: steering on the truth instead of the network's prediction (`evpilot start
 * --steer-on-truth`). It tells what a perfect ν map would give the avoidance law in the same world, so a flight
 * figure (distance between collisions, say) can be read as perception's or as the steering law's.
 *
 * Timing: the simulator writes the truth of each control period's end once it has published that period's packets,
 * so a window is steered on the latest map written: the one at its end, or one period earlier (5 ms at 200 Hz) when
 * the runtime is quicker than the write. A diagnostic, not a sensor.
 *
 * Consistency as in sharedVehicleChannel.ts: a seqlock (the writer makes the sequence odd, writes, makes it even;
 * a reader retries while it is odd or changed under it). One writer; readers copy into their own array.
 */
import type { SensorGeometry } from '../contracts/sensorGeometry.js';

/** Bytes before the map: sequence, width, height (Int32), then the map's time (Float64 at byte 16). */
const HEADER_BYTES = 32;

export class SharedTruthChannel {
  private readonly ints: Int32Array;
  private readonly time: Float64Array;
  private readonly nu: Float32Array;
  readonly geometry: SensorGeometry;

  private constructor(readonly buffer: SharedArrayBuffer) {
    this.ints = new Int32Array(buffer, 0, 3);
    this.time = new Float64Array(buffer, 16, 1);
    this.geometry = { widthPx: this.ints[1]!, heightPx: this.ints[2]! };
    this.nu = new Float32Array(buffer, HEADER_BYTES, this.geometry.widthPx * this.geometry.heightPx);
  }

  /** A channel for maps of `geometry`; nothing written yet. */
  static create(geometry: SensorGeometry): SharedTruthChannel {
    const buffer = new SharedArrayBuffer(HEADER_BYTES + 4 * geometry.widthPx * geometry.heightPx);
    const ints = new Int32Array(buffer, 0, 3);
    ints[1] = geometry.widthPx;
    ints[2] = geometry.heightPx;
    new Float64Array(buffer, 16, 1)[0] = Number.NaN;
    return new SharedTruthChannel(buffer);
  }

  /** The same channel over a buffer received from another thread. */
  static attach(buffer: SharedArrayBuffer): SharedTruthChannel {
    const ints = new Int32Array(buffer, 0, 3);
    if (buffer.byteLength !== HEADER_BYTES + 4 * ints[1]! * ints[2]!) {
      throw new Error(`truth channel: buffer of ${buffer.byteLength} bytes does not hold a ${ints[1]}×${ints[2]} map`);
    }
    return new SharedTruthChannel(buffer);
  }

  /** Writes the map at simulation time `tUs` (µs); `invTtcPerS` has the channel's geometry. */
  write(tUs: number, invTtcPerS: Float32Array): void {
    if (invTtcPerS.length !== this.nu.length) throw new RangeError(`truth channel: a map of ${invTtcPerS.length} pixels, expected ${this.nu.length}`);
    Atomics.add(this.ints, 0, 1);
    this.time[0] = tUs;
    this.nu.set(invTtcPerS);
    Atomics.add(this.ints, 0, 1);
  }

  /** Copies the latest map into `into` and returns its time (µs), or NaN (and leaves `into`) before the first write. */
  read(into: Float32Array): number {
    if (into.length !== this.nu.length) throw new RangeError(`truth channel: a map of ${into.length} pixels, expected ${this.nu.length}`);
    for (;;) {
      const before = Atomics.load(this.ints, 0);
      if ((before & 1) !== 0) continue;
      const tUs = this.time[0]!;
      if (Number.isNaN(tUs)) return tUs;
      into.set(this.nu);
      if (Atomics.load(this.ints, 0) === before) return tUs;
    }
  }
}
