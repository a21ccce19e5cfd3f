/**
 * Procedural, tileable textures (natural-log albedo) with edges at several scales.
 *
 * The main generator is a *dead-leaves* model: opaque shapes with a power-law size distribution
 * (p(r) ∝ r⁻³ between a minimum and a maximum size) painted over each other. Its images are
 * scale-invariant with sharp occlusion edges at every scale, the statistic of natural images that
 * makes an event camera fire (Lee, Mumford & Huang 2001). A few octaves of smooth value noise add
 * fine shading so no region is perfectly flat. Bricks give the regular, man-made look of domain B.
 *
 * All generators take a `Prng` and are deterministic for a given seed.
 */
import type { Prng } from './prng.js';
import { MipTexture } from './texture.js';

/** Parameters of a dead-leaves texture. Sizes are in texels of the `size`×`size` tile. */
export interface DeadLeavesSpec {
  readonly kind: 'deadLeaves';
  /** `disc`: round blotches (leaves, lichen); `rect`: axis-aligned rectangles (bark, planks, gravel). */
  readonly shape: 'disc' | 'rect';
  /** Smallest and largest shape radius (half-width for rectangles), texels. */
  readonly minRadiusTx: number;
  readonly maxRadiusTx: number;
  /** Height / width of rectangles, drawn uniformly in [min, max] (≥ 1: tall, e.g. bark). */
  readonly aspectMin: number;
  readonly aspectMax: number;
  /** Mean and standard deviation of the shapes' log albedo (natural log). */
  readonly meanLog: number;
  readonly sigmaLog: number;
  /** Amplitude (log units) of the fine value-noise shading added on top. */
  readonly fineSigmaLog: number;
  /** Number of shapes painted; enough to cover the tile several times over. */
  readonly count: number;
}

/** Parameters of a brick / tile texture (domain B walls and pavements). Sizes in texels. */
export interface BricksSpec {
  readonly kind: 'bricks';
  readonly brickWidthTx: number;
  readonly brickHeightTx: number;
  readonly mortarTx: number;
  readonly meanLog: number;
  /** Brick-to-brick spread of log albedo. */
  readonly sigmaLog: number;
  /** Log albedo of the mortar relative to the mean (negative: darker joints). */
  readonly mortarOffsetLog: number;
  readonly fineSigmaLog: number;
}

export type TextureSpec = DeadLeavesSpec | BricksSpec;

/** Builds a `size`×`size` tile (size a power of two) with its mip pyramid. */
export function generateTexture(spec: TextureSpec, size: number, prng: Prng): MipTexture {
  const img = new Float32Array(size * size);
  if (spec.kind === 'deadLeaves') paintDeadLeaves(img, size, spec, prng);
  else paintBricks(img, size, spec, prng);
  addValueNoise(img, size, spec.fineSigmaLog, prng);
  return new MipTexture(img, size);
}

function paintDeadLeaves(img: Float32Array, size: number, spec: DeadLeavesSpec, prng: Prng): void {
  img.fill(spec.meanLog);
  const mask = size - 1;
  const rMin2 = spec.minRadiusTx ** -2;
  const rMax2 = spec.maxRadiusTx ** -2;
  for (let i = 0; i < spec.count; i++) {
    // Inverse CDF of p(r) ∝ r⁻³ on [rMin, rMax].
    const r = (rMin2 - prng.next() * (rMin2 - rMax2)) ** -0.5;
    const cx = prng.next() * size;
    const cy = prng.next() * size;
    const value = spec.meanLog + spec.sigmaLog * prng.normal();
    if (spec.shape === 'disc') {
      const r2 = r * r;
      const y0 = Math.floor(cy - r);
      const y1 = Math.ceil(cy + r);
      const x0 = Math.floor(cx - r);
      const x1 = Math.ceil(cx + r);
      for (let y = y0; y <= y1; y++) {
        const dy = y + 0.5 - cy;
        const row = (y & mask) * size;
        for (let x = x0; x <= x1; x++) {
          const dx = x + 0.5 - cx;
          if (dx * dx + dy * dy <= r2) img[row + (x & mask)] = value;
        }
      }
    } else {
      const aspect = prng.uniform(spec.aspectMin, spec.aspectMax);
      const hw = r;
      const hh = r * aspect;
      const y0 = Math.round(cy - hh);
      const y1 = Math.round(cy + hh);
      const x0 = Math.round(cx - hw);
      const x1 = Math.round(cx + hw);
      for (let y = y0; y < y1; y++) {
        const row = (y & mask) * size;
        for (let x = x0; x < x1; x++) img[row + (x & mask)] = value;
      }
    }
  }
}

function paintBricks(img: Float32Array, size: number, spec: BricksSpec, prng: Prng): void {
  const mask = size - 1;
  // Bricks must tile: round their size so a whole number fits the tile.
  const nx = Math.max(1, Math.round(size / spec.brickWidthTx));
  const ny = Math.max(1, Math.round(size / spec.brickHeightTx));
  const bw = size / nx;
  const bh = size / ny;
  const values = new Float32Array(nx * ny);
  for (let i = 0; i < values.length; i++) values[i] = spec.meanLog + spec.sigmaLog * prng.normal();
  const mortar = spec.meanLog + spec.mortarOffsetLog;
  for (let y = 0; y < size; y++) {
    const row = Math.floor(y / bh);
    const inRowY = y - row * bh;
    // Every other row is offset by half a brick (running bond).
    const shift = row % 2 === 0 ? 0 : bw / 2;
    for (let x = 0; x < size; x++) {
      const xs = (x + shift) % size;
      const col = Math.floor(xs / bw);
      const inColX = xs - col * bw;
      const isMortar = inRowY < spec.mortarTx || inColX < spec.mortarTx;
      img[y * size + (x & mask)] = isMortar ? mortar : values[(row % ny) * nx + (col % nx)]!;
    }
  }
}

/** Adds three octaves (periods 4, 8, 16 texels) of smooth, tileable value noise. */
function addValueNoise(img: Float32Array, size: number, sigmaLog: number, prng: Prng): void {
  if (sigmaLog <= 0) return;
  for (const period of [4, 8, 16]) {
    if (period > size) continue;
    const n = size / period;
    const lattice = new Float32Array(n * n);
    for (let i = 0; i < lattice.length; i++) lattice[i] = prng.normal();
    const amp = sigmaLog * Math.sqrt(period / 16);
    for (let y = 0; y < size; y++) {
      const gy = y / period;
      const iy = Math.floor(gy);
      const ty = smooth(gy - iy);
      const y0 = (iy % n) * n;
      const y1 = ((iy + 1) % n) * n;
      for (let x = 0; x < size; x++) {
        const gx = x / period;
        const ix = Math.floor(gx);
        const tx = smooth(gx - ix);
        const x0 = ix % n;
        const x1 = (ix + 1) % n;
        const top = lattice[y0 + x0]! + (lattice[y0 + x1]! - lattice[y0 + x0]!) * tx;
        const bot = lattice[y1 + x0]! + (lattice[y1 + x1]! - lattice[y1 + x0]!) * tx;
        img[y * size + x] = img[y * size + x]! + amp * (top + (bot - top) * ty);
      }
    }
  }
}

function smooth(t: number): number {
  return t * t * (3 - 2 * t);
}
