/**
 * The simulator's dataset format (`.evsim`), version 1: events, ground truth and vehicle state of a
 * simulated flight, for pretraining. Compact (columnar, delta-coded, deflated), self-describing (a JSON
 * header names every field and scale), checked (CRC-32 per record), streamable (records in time order,
 * each readable on its own), and reproducible (no wall-clock times: the same seed gives the same bytes).
 *
 * All integers little-endian.
 *
 *   File header
 *     magic        8 bytes   "EVSIMDS\0"
 *     version      u16       1
 *     flags        u16       0 (reserved)
 *     headerLen    u32       byte length of the JSON metadata that follows
 *     header       UTF-8 JSON (DatasetHeader)
 *   Records, until the end of the file (the last one is `end`; a file without it was cut short)
 *     type         u8        RecordType
 *     codec        u8        0 = stored, 1 = raw deflate (RFC 1951)
 *     reserved     u16       0
 *     tUs          f64       the record's simulation time, µs (see each type)
 *     storedLen    u32       payload bytes in the file
 *     rawLen       u32       payload bytes after decompression
 *     crc32        u32       CRC-32 (IEEE) of the stored payload bytes
 *     payload      storedLen bytes
 *
 *   Payloads (after decompression)
 *   - events (1), tUs = window end: the events with time in (tStartUs, tUs], time-ordered
 *       count u32 | tStartUs f64 | time deltas: LEB128 unsigned varints, the first from tStartUs, then
 *       each from the previous event | x u16[count] | y u16[count] | polarity bits, LSB first, 1 = ON
 *   - truth (2), tUs = sampling instant, at network geometry, row-major
 *       widthPx u16 | heightPx u16 | depth u16[n] (millimetres; 65535 = sky or ≥ 65.534 m)
 *       | ν i16[n] (× header.truthEncoding.invTtcScale 1/s, saturated) | flow x i16[n] | flow y i16[n]
 *       (× header.truthEncoding.flowScale px/s, saturated); each of the four planes delta-coded: every
 *       16-bit code after the first is stored as its difference (mod 2^16) from the previous pixel in
 *       the row, or, for the first pixel of a row, from the first pixel of the row above
 *   - vehicle (3), tUs = sampling instant: f64 per name in header.vehicleFields, in that order
 *   - reset (4), tUs = when: UTF-8 JSON {reason, pose}; the vehicle jumped (respawn), events restart
 *   - end (254), tUs = end of recording: UTF-8 JSON summary (counts, collisions)
 */
export const DATASET_MAGIC = 'EVSIMDS\0';
export const DATASET_VERSION = 1;
export const FILE_HEADER_FIXED_BYTES = 16;
export const RECORD_HEADER_BYTES = 24;

export const RecordType = {
  events: 1,
  truth: 2,
  vehicle: 3,
  reset: 4,
  end: 254,
} as const;
export type RecordTypeName = keyof typeof RecordType;

export const Codec = { stored: 0, deflate: 1 } as const;

/** Depth code for sky / out of range. */
export const DEPTH_SKY_CODE = 65535;

/** Truth quantisation of version 1. */
export const TRUTH_ENCODING = {
  depth: 'uint16 millimetres, 65535 = sky or beyond 65.534 m',
  invTtcScale: 0.001,
  flowScale: 0.1,
} as const;

/** Vehicle record fields of version 1 (f64 each, in this order). */
export const VEHICLE_FIELDS = [
  // Truth
  'positionNorthM',
  'positionEastM',
  'positionDownM',
  'velocityNorthMS',
  'velocityEastMS',
  'velocityDownMS',
  'rollRad',
  'pitchRad',
  'yawRad',
  'rollRateRadS',
  'pitchRateRadS',
  'yawRateRadS',
  'accelNorthMS2',
  'accelEastMS2',
  'accelDownMS2',
  // As the flight controller reports it (ATTITUDE, LOCAL_POSITION_NED)
  'reportedRollRad',
  'reportedPitchRad',
  'reportedYawRad',
  'reportedRollRateRadS',
  'reportedPitchRateRadS',
  'reportedYawRateRadS',
  'reportedVelocityNorthMS',
  'reportedVelocityEastMS',
  'reportedVelocityDownMS',
  // Safety
  'clearanceM',
  'collisionCount',
  // The setpoint in force (body FRD levelled, m/s; rad/s)
  'setpointForwardMS',
  'setpointRightMS',
  'setpointDownMS',
  'setpointYawRateRadS',
] as const;
export type VehicleField = (typeof VEHICLE_FIELDS)[number];

/** Intrinsics of a camera as stored in the header. */
export interface CameraHeader {
  readonly widthPx: number;
  readonly heightPx: number;
  readonly fxPx: number;
  readonly fyPx: number;
  readonly cxPx: number;
  readonly cyPx: number;
  readonly mountPitchRad: number;
}

/** The JSON header. Everything needed to interpret the records, and to reproduce the run. */
export interface DatasetHeader {
  readonly format: 'evpilot-sim-dataset';
  readonly version: number;
  readonly generator: string;
  readonly scenario: {
    readonly name: string;
    readonly seed: number;
    readonly params: Readonly<Record<string, number>>;
    readonly goalYawRad: number;
    readonly courseLengthM: number;
  };
  readonly domain: string;
  readonly seed: number;
  readonly durationS: number;
  readonly windowRateHz: number;
  readonly truthEveryWindows: number;
  readonly sensor: CameraHeader;
  readonly network: CameraHeader;
  readonly dvs: Readonly<Record<string, number>>;
  readonly pilot: Readonly<Record<string, number>>;
  /** The camera sampling policy used (SamplingPolicy fields). */
  readonly sampling: Readonly<Record<string, number>>;
  readonly truthEncoding: typeof TRUTH_ENCODING;
  readonly vehicleFields: readonly string[];
  readonly compression: { readonly codec: 'deflate-raw' | 'none'; readonly level: number };
}
