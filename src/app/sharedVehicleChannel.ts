/**
 * The one place where the simulated world and the flight-controller emulator meet: a SharedArrayBuffer
 * holding the sim vehicle's latest state (written by the simulator after every control period) and the
 * velocity setpoint the emulator last commanded (written by the emulator's vehicle adapter).
 *
 * Why shared memory: the simulator runs in its own worker thread (its rendering must not steal the
 * runtime's event loop, just as the camera driver is a separate process on the drone), while the
 * emulator must stay on the main thread with the runtime (@serialport/bindings-cpp aborts the process
 * when ports are used from two threads). The same channel also works inside one thread.
 *
 * Consistency: each half is a seqlock (writer makes the sequence odd, writes, makes it even; a reader
 * retries while the sequence is odd or changed under it), so a reader never sees a torn snapshot.
 * One writer per half. No allocation on write; reads fill caller-owned objects.
 */

/** The sim vehicle as a flight controller would see it, plus the flight's running figures. */
export interface SharedVehicleState {
  /** Simulation time of the snapshot, µs. */
  simTUs: number;
  /** True position (the emulator reports it as LOCAL_POSITION_NED), m. */
  northM: number;
  eastM: number;
  downM: number;
  /** Velocity as the FC's estimator reports it (local NED), m/s. */
  velNorthMS: number;
  velEastMS: number;
  velDownMS: number;
  /** Attitude as the FC's estimator reports it (ZYX Euler), rad. */
  rollRad: number;
  pitchRad: number;
  yawRad: number;
  /** Body rates as the FC reports them (body FRD), rad/s. */
  rollRateRadS: number;
  pitchRateRadS: number;
  yawRateRadS: number;
  batteryV: number;
  /** Distance from the vehicle's sphere to the nearest obstacle now, m (truth). */
  clearanceM: number;
  /** Flight figures since the run started (see FlightTracker). */
  distanceM: number;
  progressM: number;
  minClearanceM: number;
  collisions: number;
  respawns: number;
  coursesCompleted: number;
  /** Events and control periods simulated so far. */
  events: number;
  windows: number;
  /** Worst lag of the simulator behind the wall clock so far, µs (0 while it keeps up). */
  maxLagUs: number;
}

/** What the emulator last told the vehicle to do (body FRD levelled about the heading). */
export interface SharedVehicleCommand {
  velForwardMS: number;
  velRightMS: number;
  velDownMS: number;
  yawRateRadS: number;
  /** Commands written so far (0: the emulator has not commanded anything yet → hover). */
  count: number;
}

const STATE_FIELDS = [
  'simTUs',
  'northM',
  'eastM',
  'downM',
  'velNorthMS',
  'velEastMS',
  'velDownMS',
  'rollRad',
  'pitchRad',
  'yawRad',
  'rollRateRadS',
  'pitchRateRadS',
  'yawRateRadS',
  'batteryV',
  'clearanceM',
  'distanceM',
  'progressM',
  'minClearanceM',
  'collisions',
  'respawns',
  'coursesCompleted',
  'events',
  'windows',
  'maxLagUs',
] as const satisfies readonly (keyof SharedVehicleState)[];

const COMMAND_FIELDS = ['velForwardMS', 'velRightMS', 'velDownMS', 'yawRateRadS', 'count'] as const satisfies readonly (keyof SharedVehicleCommand)[];

/** Int32 slots: the two sequence counters. */
const STATE_SEQ = 0;
const COMMAND_SEQ = 1;
const SEQ_BYTES = 8;
const COMMAND_OFFSET = STATE_FIELDS.length;
const TOTAL_FIELDS = STATE_FIELDS.length + COMMAND_FIELDS.length;

/**
 * Reads retry this often at most (a few ms of spinning) before giving up on a consistent copy: the writer
 * died mid-write, or writes back to back faster than a copy takes (the simulator writes every 5 ms).
 */
const MAX_READ_TRIES = 10_000;

export function emptyVehicleState(): SharedVehicleState {
  const s = {} as SharedVehicleState;
  for (const f of STATE_FIELDS) s[f] = 0;
  s.minClearanceM = Number.POSITIVE_INFINITY;
  return s;
}

export function emptyVehicleCommand(): SharedVehicleCommand {
  return { velForwardMS: 0, velRightMS: 0, velDownMS: 0, yawRateRadS: 0, count: 0 };
}

export class SharedVehicleChannel {
  /** Reads that found no consistent copy and kept the previous values (see readState). */
  staleReads = 0;
  private readonly seq: Int32Array;
  private readonly data: Float64Array;
  /** Each reader copies here first, so a torn copy never reaches the caller's object. */
  private readonly scratch = new Float64Array(Math.max(STATE_FIELDS.length, COMMAND_FIELDS.length));

  private constructor(readonly buffer: SharedArrayBuffer) {
    this.seq = new Int32Array(buffer, 0, 2);
    this.data = new Float64Array(buffer, SEQ_BYTES, TOTAL_FIELDS);
  }

  /** A fresh channel: state all zero (min clearance +∞), no command yet. */
  static create(): SharedVehicleChannel {
    const ch = new SharedVehicleChannel(new SharedArrayBuffer(SEQ_BYTES + TOTAL_FIELDS * 8));
    ch.writeState(emptyVehicleState());
    return ch;
  }

  /** The same channel over a buffer received from another thread. */
  static attach(buffer: SharedArrayBuffer): SharedVehicleChannel {
    if (buffer.byteLength !== SEQ_BYTES + TOTAL_FIELDS * 8) throw new Error(`vehicle channel: buffer of ${buffer.byteLength} bytes, expected ${SEQ_BYTES + TOTAL_FIELDS * 8}`);
    return new SharedVehicleChannel(buffer);
  }

  /** Simulator side. */
  writeState(s: Readonly<SharedVehicleState>): void {
    Atomics.add(this.seq, STATE_SEQ, 1);
    for (let i = 0; i < STATE_FIELDS.length; i++) this.data[i] = s[STATE_FIELDS[i]!];
    Atomics.add(this.seq, STATE_SEQ, 1);
  }

  /**
   * Emulator side: fills `out` with a consistent snapshot and returns it. If no consistent copy could be
   * taken (the writer kept writing, or died mid-write), `out` keeps its previous values and
   * `staleReads` counts it: stale but never torn.
   */
  readState(out: SharedVehicleState = emptyVehicleState()): SharedVehicleState {
    if (this.read(STATE_SEQ, 0, STATE_FIELDS.length)) {
      for (let i = 0; i < STATE_FIELDS.length; i++) out[STATE_FIELDS[i]!] = this.scratch[i]!;
    }
    return out;
  }

  /** Emulator side: the setpoint it commands now (counted). */
  writeCommand(velForwardMS: number, velRightMS: number, velDownMS: number, yawRateRadS: number): void {
    const d = this.data;
    const o = COMMAND_OFFSET;
    Atomics.add(this.seq, COMMAND_SEQ, 1);
    d[o] = velForwardMS;
    d[o + 1] = velRightMS;
    d[o + 2] = velDownMS;
    d[o + 3] = yawRateRadS;
    d[o + 4] = d[o + 4]! + 1;
    Atomics.add(this.seq, COMMAND_SEQ, 1);
  }

  /** Simulator side: fills `out` with the latest command and returns it (stale, never torn, as readState). */
  readCommand(out: SharedVehicleCommand = emptyVehicleCommand()): SharedVehicleCommand {
    if (this.read(COMMAND_SEQ, COMMAND_OFFSET, COMMAND_FIELDS.length)) {
      for (let i = 0; i < COMMAND_FIELDS.length; i++) out[COMMAND_FIELDS[i]!] = this.scratch[i]!;
    }
    return out;
  }

  /** Copies `n` values from `offset` into the scratch under the seqlock; false if no consistent copy came. */
  private read(slot: number, offset: number, n: number): boolean {
    for (let tries = 0; tries < MAX_READ_TRIES; tries++) {
      const before = Atomics.load(this.seq, slot);
      if ((before & 1) !== 0) continue;
      for (let i = 0; i < n; i++) this.scratch[i] = this.data[offset + i]!;
      if (Atomics.load(this.seq, slot) === before) return true;
    }
    this.staleReads++;
    return false;
  }
}
