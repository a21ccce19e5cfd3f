/**
 * Test helpers: seeded random events and naive per-event reference implementations, written
 * independently of the lookup-table code under test (they evaluate the documented formulas directly).
 */
import type { EventBatch } from '../../src/contracts/eventBatch.js';
import type { InputMapping } from '../../src/contracts/eventWindow.js';
import type { SensorGeometry } from '../../src/contracts/sensorGeometry.js';
import { mulberry32 } from '../helpers/random.js';

/** Seeded uniform PRNG in [0, 1) (the project's mulberry32). */
export const rng = mulberry32;

export interface PlainEvent {
  x: number;
  y: number;
  p: number;
  tUs: number;
}

/** `n` uniform random events over the sensor, integer times in [t0Us, t1Us), sorted by time. */
export function randomEvents(
  n: number,
  sensor: SensorGeometry,
  t0Us: number,
  t1Us: number,
  rand: () => number,
): PlainEvent[] {
  const out: PlainEvent[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      x: Math.floor(rand() * sensor.widthPx),
      y: Math.floor(rand() * sensor.heightPx),
      p: rand() < 0.5 ? 1 : 0,
      tUs: t0Us + Math.floor(rand() * (t1Us - t0Us)),
    });
  }
  out.sort((a, b) => a.tUs - b.tUs);
  return out;
}

export function toBatch(events: readonly PlainEvent[]): EventBatch {
  const n = events.length;
  const b = {
    length: n,
    x: new Uint16Array(n),
    y: new Uint16Array(n),
    p: new Uint8Array(n),
    tUs: new Float64Array(n),
  };
  events.forEach((e, i) => {
    b.x[i] = e.x;
    b.y[i] = e.y;
    b.p[i] = e.p;
    b.tUs[i] = e.tUs;
  });
  return b;
}

/** Network pixel of a sensor pixel by the contract's formula, or undefined when outside the network. */
export function naiveNetworkPixel(
  m: InputMapping,
  network: SensorGeometry,
  x: number,
  y: number,
): { xn: number; yn: number } | undefined {
  const xn = Math.floor(m.offsetXPx + (x + 0.5) * m.scale);
  const yn = Math.floor(m.offsetYPx + (y + 0.5) * m.scale);
  if (xn < 0 || yn < 0 || xn >= network.widthPx || yn >= network.heightPx) return undefined;
  return { xn, yn };
}

/** Per-polarity counts, CHW, channel 0 = OFF, 1 = ON, one event at a time. */
export function naiveCounts(
  events: readonly PlainEvent[],
  m: InputMapping,
  network: SensorGeometry,
): Float64Array {
  const plane = network.widthPx * network.heightPx;
  const out = new Float64Array(2 * plane);
  for (const e of events) {
    const px = naiveNetworkPixel(m, network, e.x, e.y);
    if (!px) continue;
    out[(e.p === 1 ? plane : 0) + px.yn * network.widthPx + px.xn] += 1;
  }
  return out;
}

/**
 * Voxel grid by the definition: bin b sits at time tStart + b · (tEnd − tStart)/(B − 1); each event's
 * ±1 is shared by the two bins around it with weights max(0, 1 − |τ − b|) (the "tent" form of linear
 * interpolation, computed over every bin rather than by floor/frac as the code does).
 */
export function naiveVoxel(
  events: readonly PlainEvent[],
  m: InputMapping,
  network: SensorGeometry,
  tStartUs: number,
  tEndUs: number,
  bins: number,
): Float64Array {
  const plane = network.widthPx * network.heightPx;
  const out = new Float64Array(bins * plane);
  for (const e of events) {
    const px = naiveNetworkPixel(m, network, e.x, e.y);
    if (!px) continue;
    const pol = e.p === 1 ? 1 : -1;
    const tau = bins === 1 ? 0 : ((e.tUs - tStartUs) / (tEndUs - tStartUs)) * (bins - 1);
    for (let b = 0; b < bins; b++) {
      const w = Math.max(0, 1 - Math.abs(tau - b));
      if (w > 0) out[b * plane + px.yn * network.widthPx + px.xn] += pol * w;
    }
  }
  return out;
}

/** Largest absolute difference between two equal-length arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

export const GEOMETRIES: readonly SensorGeometry[] = [
  { widthPx: 1280, heightPx: 720 },
  { widthPx: 640, heightPx: 480 },
  { widthPx: 320, heightPx: 240 },
  { widthPx: 346, heightPx: 260 },
  { widthPx: 160, heightPx: 120 },
];

export const NETWORK_160x120: SensorGeometry = { widthPx: 160, heightPx: 120 };
