/**
 * Sensor geometry → network geometry mapping, and the lookup tables the per-event loops use.
 *
 * Pure functions, no I/O. See src/windows/README.md ("Sensor → network mapping") for the pictures.
 *
 * Definition (shared with the `InputMapping` contract): the centre of sensor pixel (xs, ys) lands at
 *     xn = offsetXPx + (xs + 0.5) · scale,   yn = offsetYPx + (ys + 0.5) · scale
 * and the event is binned into network pixel (⌊xn⌋, ⌊yn⌋) if that lies inside the network.
 *
 * - `letterbox`: scale = min(Wn/Ws, Hn/Hs); the scaled sensor is centred, so every sensor pixel is
 *   visible and the network rows (or columns) it does not reach stay zero (zero padding).
 * - `crop`: scale = max(Wn/Ws, Hn/Hs); the scaled sensor covers the whole network, centred, and the
 *   sensor borders that fall outside are not counted.
 *
 * Binning by pixel centre (nearest-neighbour area binning) is exact when 1/scale is an integer
 * (640×480 → 160×120: 4×4 sensor pixels per network pixel). When it is not (346×260 → 160×120, 1/scale
 * = 2.1667) network pixels receive 2 or 3 sensor columns/rows, a fixed spatial ripple in counts.
 */
import { INPUT_SAMPLINGS, type InputMapping, type InputSampling } from '../contracts/eventWindow.js';
import type { SensorGeometry } from '../contracts/sensorGeometry.js';

export type InputFit = InputMapping['fit'];

/**
 * Which sensor pixels count into the network input (`InputSampling`, contracts/eventWindow.ts):
 * - `bin`: every sensor pixel, into the network pixel its centre lands in (the mapping above);
 * - `decimate`: only the first sensor column and row of each network pixel, one sensor pixel per network
 *   pixel. Weights trained on a camera with the network's own resolution learned the counts of single
 *   photodiodes; read through `decimate`, a camera with an integer multiple of that resolution gives the
 *   same per-pixel statistics (binning would give k² times the counts, and a noise filter at network
 *   resolution would see k² times the neighbours). The other sensor pixels' events still reach the learner.
 */
export type { InputSampling };

/** Marker for "this sensor column/row is outside the network". Large and negative so that the sum of a
 *  column entry and a row entry is negative whenever either is outside: one test per event. */
export const OUTSIDE_NETWORK = -(2 ** 30);

/**
 * Per-sensor-pixel lookup tables. For an event at (x, y):
 *     idx = columnToNetX[x] + rowToNetOffset[y];   idx < 0 → outside the network (crop only)
 * otherwise idx is the pixel's offset within one network channel plane (row-major, y · Wn + x).
 */
export interface InputLookup {
  readonly mapping: InputMapping;
  readonly sensor: SensorGeometry;
  readonly network: SensorGeometry;
  /** Length sensor.widthPx: network column, or OUTSIDE_NETWORK. */
  readonly columnToNetX: Int32Array;
  /** Length sensor.heightPx: network row × network width, or OUTSIDE_NETWORK. */
  readonly rowToNetOffset: Int32Array;
}

/** Largest geometry side accepted: event coordinates are Uint16. */
const MAX_SIDE_PX = 65536;

/** Throws a RangeError naming `what` unless the geometry is whole, positive and representable. */
export function assertGeometry(what: string, g: SensorGeometry): void {
  for (const [name, v] of [
    ['widthPx', g.widthPx],
    ['heightPx', g.heightPx],
  ] as const) {
    if (!Number.isInteger(v) || v < 1 || v > MAX_SIDE_PX) {
      throw new RangeError(`${what}.${name} must be an integer in [1, ${MAX_SIDE_PX}], got ${String(v)}`);
    }
  }
  if (g.widthPx * g.heightPx >= 2 ** 30) {
    throw new RangeError(`${what} is too large: ${g.widthPx}×${g.heightPx} pixels`);
  }
}

/** Scale and offsets of the sensor → network mapping (see the file comment for the definition). */
export function computeInputMapping(
  sensor: SensorGeometry,
  network: SensorGeometry,
  fit: InputFit,
): InputMapping {
  assertGeometry('sensor', sensor);
  assertGeometry('network', network);
  if (fit !== 'letterbox' && fit !== 'crop') {
    throw new RangeError(`fit must be 'letterbox' or 'crop', got ${String(fit)}`);
  }
  const sx = network.widthPx / sensor.widthPx;
  const sy = network.heightPx / sensor.heightPx;
  const scale = fit === 'letterbox' ? Math.min(sx, sy) : Math.max(sx, sy);
  return {
    fit,
    scale,
    // Centre the scaled sensor: equal padding (letterbox) or equal cut (crop) on both sides.
    offsetXPx: (network.widthPx - sensor.widthPx * scale) / 2,
    offsetYPx: (network.heightPx - sensor.heightPx * scale) / 2,
  };
}

/** Network cell index of a sensor coordinate along one axis, or -1 when outside. */
function cellOf(offsetPx: number, scale: number, sensorIndex: number, networkSide: number, clamp: boolean): number {
  let cell = Math.floor(offsetPx + (sensorIndex + 0.5) * scale);
  // Letterbox keeps every sensor pixel by construction; clamping only absorbs floating-point rounding.
  if (clamp) cell = Math.min(networkSide - 1, Math.max(0, cell));
  return cell >= 0 && cell < networkSide ? cell : -1;
}

/**
 * Network cell of each sensor index along one axis (-1 outside). With `decimate`, an index whose cell is the
 * previous index's is -1 too: only the first sensor index of each cell counts.
 */
function cellsOf(offsetPx: number, scale: number, sensorSide: number, networkSide: number, clamp: boolean, sampling: InputSampling): Int32Array {
  const cells = new Int32Array(sensorSide);
  let previous = -1;
  for (let i = 0; i < sensorSide; i++) {
    const c = cellOf(offsetPx, scale, i, networkSide, clamp);
    cells[i] = sampling === 'decimate' && c === previous ? -1 : c;
    previous = c;
  }
  return cells;
}

/** Builds the mapping and its lookup tables. Allocates; call once at configuration time. */
export function buildInputLookup(sensor: SensorGeometry, network: SensorGeometry, fit: InputFit, sampling: InputSampling = 'bin'): InputLookup {
  if (!INPUT_SAMPLINGS.includes(sampling)) throw new RangeError(`sampling must be ${INPUT_SAMPLINGS.map((s) => `'${s}'`).join(' or ')}, got ${String(sampling)}`);
  const mapping = computeInputMapping(sensor, network, fit);
  const clamp = fit === 'letterbox';
  const columnToNetX = cellsOf(mapping.offsetXPx, mapping.scale, sensor.widthPx, network.widthPx, clamp, sampling).map((c) => (c < 0 ? OUTSIDE_NETWORK : c));
  const rowToNetOffset = cellsOf(mapping.offsetYPx, mapping.scale, sensor.heightPx, network.heightPx, clamp, sampling).map((r) => (r < 0 ? OUTSIDE_NETWORK : r * network.widthPx));
  return {
    mapping,
    sensor: { widthPx: sensor.widthPx, heightPx: sensor.heightPx },
    network: { widthPx: network.widthPx, heightPx: network.heightPx },
    columnToNetX,
    rowToNetOffset,
  };
}
