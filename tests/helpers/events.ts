import type { EventBatch } from '../../src/contracts/eventBatch.js';
import { mulberry32 } from './random.js';

/**
 * A random but realistic event stream, time-sorted: bursts of events on rows (edges sweeping across the
 * sensor give runs of neighbouring x with the same time and polarity, which EVT 3.0 packs into vectors),
 * isolated noise events, mixed polarities, and time gaps long enough to wrap the EVT 3.0 24-bit counter.
 */
export function randomStream(
  count: number,
  seed: number,
  widthPx: number,
  heightPx: number,
  startUs = 0,
  shape: { edgeShare?: number; maxRun?: number } = {},
): EventBatch {
  const edgeShare = shape.edgeShare ?? 0.6;
  const maxRun = shape.maxRun ?? 40;
  const rnd = mulberry32(seed);
  const x = new Uint16Array(count);
  const y = new Uint16Array(count);
  const p = new Uint8Array(count);
  const t = new Float64Array(count);
  let tUs = startUs;
  let i = 0;
  while (i < count) {
    const r = rnd();
    if (r < 0.0005) tUs += Math.floor(rnd() * 9_000_000); // long quiet gap (wraps the counter now and then)
    else if (r < 0.5) tUs += Math.floor(rnd() * 3);
    const row = Math.floor(rnd() * heightPx);
    const pol = rnd() < 0.5 ? 1 : 0;
    if (rnd() < edgeShare) {
      // an edge: a run of columns with the same time/row/polarity, some columns missing
      let col = Math.floor(rnd() * widthPx);
      const run = 1 + Math.floor(rnd() * maxRun);
      for (let k = 0; k < run && i < count && col < widthPx; k++) {
        x[i] = col;
        y[i] = row;
        p[i] = pol;
        t[i] = tUs;
        i++;
        col += 1 + (rnd() < 0.2 ? Math.floor(rnd() * 4) : 0);
      }
    } else {
      x[i] = Math.floor(rnd() * widthPx);
      y[i] = row;
      p[i] = pol;
      t[i] = tUs;
      i++;
    }
  }
  return { length: count, x, y, p, tUs: t };
}

export function expectSameEvents(actual: EventBatch, expected: EventBatch): string | undefined {
  if (actual.length !== expected.length) return `length ${actual.length} != ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    if (
      actual.x[i] !== expected.x[i] ||
      actual.y[i] !== expected.y[i] ||
      actual.p[i] !== expected.p[i] ||
      actual.tUs[i] !== expected.tUs[i]
    ) {
      return `event ${i}: got (${actual.x[i]},${actual.y[i]},${actual.p[i]},${actual.tUs[i]}) expected (${expected.x[i]},${expected.y[i]},${expected.p[i]},${expected.tUs[i]})`;
    }
  }
  return undefined;
}
