/**
 * Test oracle: the per-column caster as it was before the throughput work (see reference/renderer.ts).
 */
/**
 * Per-column ray casting against vertical obstacles.
 *
 * Because every obstacle is a vertical prism, whether and where a camera ray hits one depends only on
 * the ray's *horizontal* direction. The caster therefore works on a "virtual level strip": columns
 * indexed by the tangent `a` of the horizontal angle from the camera's heading (direction
 * (1, a) in the heading frame forward/right). For each column it keeps the K nearest footprint hits,
 * sorted by forward distance, with everything the renderer needs to shade them. The renderer then maps
 * each pixel — whatever the camera's pitch and roll — to a column by its own `a`, and picks the first
 * layer whose hit altitude lies below the obstacle's top (rays can pass over short obstacles).
 *
 * Cost per cast is O(obstacles in range) to cull plus O(sum of the column spans of visible obstacles)
 * to intersect: a few thousand footprint tests per frame, independent of the pixel count.
 *
 * "Forward distance" `zf` is the ray parameter along (1, a) in the heading frame, i.e. the hit's
 * distance along the heading axis; a pixel ray with forward component f reaches it at camera-ray
 * parameter zf / f.
 */
import type { World } from '../../../sim/world/world.js';
import type { FootprintHit } from '../../../sim/world/obstacles.js';

export class ReferenceColumnCaster {
  /** Hits kept per column (nearest first). */
  readonly layers: number;
  readonly maxColumns: number;
  /** Columns used by the last cast. */
  columns = 0;
  /**
   * The strip's mapping a → column, j = floor((a − aMin)·invDa): [aMin, da, invDa]. A typed array
   * rather than number fields, whose Smi → double representation changes made V8 deoptimise the
   * render loop on every frame.
   */
  readonly strip = new Float64Array(3);
  /** Per (column · layers + layer). `zf` is +∞ and `obstacle` −1 where a layer is empty. */
  readonly zf: Float32Array;
  readonly obstacle: Int32Array;
  /** Texture coordinate around the perimeter, level-0 texels of the obstacle's texture (offset included). */
  readonly uTx: Float32Array;
  /** Texture v = altitude · invTexel + vOffTx (level-0 texels). */
  readonly invTexel: Float32Array;
  readonly vOffTx: Float32Array;
  /** Offset of the obstacle's texture in the world's atlas. */
  readonly texBase: Int32Array;
  /** Obstacle top altitude, metres. */
  readonly top: Float32Array;
  /** Log illumination of the hit face plus the obstacle's albedo offset. */
  readonly shadeLog: Float32Array;
  /** Mip level of detail for the hit (log2 texels per pixel footprint). */
  readonly lod: Float32Array;
  /** Fog weight in [0, 1] at the hit's distance. */
  readonly fogW: Float32Array;

  /**
   * Per column, for the nearest layer: a pixel ray with elevation ratio q = up / forward sees layer 0
   * iff q0Lo[j] < q ≤ q0Hi[j] (q ≤ q0Lo: the ray reaches the ground first; q > q0Hi: it passes over
   * the obstacle's top). Filled by `prepareVisibility`; q0Lo = +∞ for empty columns. Lets the renderer
   * settle the common case with two comparisons instead of a loop.
   */
  readonly q0Lo: Float64Array;
  readonly q0Hi: Float64Array;

  private readonly hit: FootprintHit = { t: 0.5, uM: 0.5, normalNorth: 0.5, normalEast: 0.5 };
  /**
   * The current cast's camera position, heading and pixel angle: [north, east, cos, sin, pixelAngle].
   * Passed through a typed array rather than as arguments, because doubles passed to a call V8 does
   * not inline are boxed (allocated) on every call.
   */
  private readonly castArgs = new Float64Array(5);

  constructor(maxColumns: number, layers = 3) {
    this.layers = layers;
    this.maxColumns = maxColumns;
    const n = maxColumns * layers;
    this.zf = new Float32Array(n);
    this.obstacle = new Int32Array(n);
    this.uTx = new Float32Array(n);
    this.invTexel = new Float32Array(n);
    this.vOffTx = new Float32Array(n);
    this.texBase = new Int32Array(n);
    this.top = new Float32Array(n);
    this.shadeLog = new Float32Array(n);
    this.lod = new Float32Array(n);
    this.fogW = new Float32Array(n);
    this.q0Lo = new Float64Array(maxColumns);
    this.q0Hi = new Float64Array(maxColumns);
  }

  /** Fills q0Lo / q0Hi for a camera at `altitudeM` (call after `cast`). */
  prepareVisibility(altitudeM: number): void {
    const K = this.layers;
    for (let j = 0; j < this.columns; j++) {
      const zf = this.zf[j * K]!;
      if (zf === Number.POSITIVE_INFINITY) {
        this.q0Lo[j] = Number.POSITIVE_INFINITY;
        this.q0Hi[j] = Number.NEGATIVE_INFINITY;
      } else {
        this.q0Lo[j] = -altitudeM / zf;
        this.q0Hi[j] = (this.top[j * K]! - altitudeM) / zf;
      }
    }
  }

  /**
   * Casts `columns` rays from (camNorthM, camEastM) spanning tangents [aMin, aMax] around the heading
   * (cosHeading, sinHeading). Obstacles farther than `maxRangeM` are ignored (fog hides them).
   */
  cast(
    world: World,
    camNorthM: number,
    camEastM: number,
    cosHeading: number,
    sinHeading: number,
    aMin: number,
    aMax: number,
    columns: number,
    pixelAngleRad: number,
    maxRangeM: number,
  ): void {
    const K = this.layers;
    const cols = Math.min(columns, this.maxColumns);
    this.columns = cols;
    const da = (aMax - aMin) / cols;
    const invDa = 1 / da;
    this.strip[0] = aMin;
    this.strip[1] = da;
    this.strip[2] = invDa;
    this.zf.fill(Number.POSITIVE_INFINITY, 0, cols * K);
    this.obstacle.fill(-1, 0, cols * K);

    const obs = world.obstacles;
    const halfPi = Math.PI / 2 - 1e-3;
    const args = this.castArgs;
    args[0] = camNorthM;
    args[1] = camEastM;
    args[2] = cosHeading;
    args[3] = sinHeading;
    args[4] = pixelAngleRad;
    for (let i = 0; i < obs.count; i++) {
      const dn = obs.centerNorthM[i]! - camNorthM;
      const de = obs.centerEastM[i]! - camEastM;
      const r = obs.boundRadiusM[i]!;
      const dist = Math.sqrt(dn * dn + de * de);
      if (dist - r > maxRangeM) continue;
      const f = cosHeading * dn + sinHeading * de;
      const s = -sinHeading * dn + cosHeading * de;
      let j0: number;
      let j1: number;
      if (f <= -r) continue; // wholly behind the camera
      if (f > 2 * r) {
        // The footprint lies in the box [f − r, f + r] × [s − r, s + r] (heading frame), so its tangents
        // a = side / forward lie between the box corners' — a slightly generous span, without trig.
        const aLo = Math.min((s - r) / (f - r), (s - r) / (f + r));
        const aHi = Math.max((s + r) / (f - r), (s + r) / (f + r));
        if (aHi < aMin || aLo > aMax) continue;
        j0 = Math.max(0, Math.floor((aLo - aMin) * invDa));
        j1 = Math.min(cols - 1, Math.floor((aHi - aMin) * invDa));
      } else if (dist <= r * 1.0001) {
        j0 = 0;
        j1 = cols - 1;
      } else {
        // Close and to the side: the exact angular span of the bounding circle, clipped to the front.
        const centre = Math.atan2(s, f);
        const half = Math.asin(r / dist);
        const lo = centre - half;
        const hi = centre + half;
        if (lo >= halfPi || hi <= -halfPi) continue;
        const aLo = Math.tan(Math.max(lo, -halfPi));
        const aHi = Math.tan(Math.min(hi, halfPi));
        if (aHi < aMin || aLo > aMax) continue;
        j0 = Math.max(0, Math.floor((aLo - aMin) * invDa));
        j1 = Math.min(cols - 1, Math.floor((aHi - aMin) * invDa));
      }
      for (let j = j0; j <= j1; j++) this.castOne(world, i, j);
    }
  }

  private castOne(world: World, i: number, j: number): void {
    const K = this.layers;
    const args = this.castArgs;
    const camNorthM = args[0]!;
    const camEastM = args[1]!;
    const cosHeading = args[2]!;
    const sinHeading = args[3]!;
    const pixelAngleRad = args[4]!;
    const a = this.strip[0]! + (j + 0.5) * this.strip[1]!;
    const dirN = cosHeading - a * sinHeading;
    const dirE = sinHeading + a * cosHeading;
    const hit = this.hit;
    if (!world.obstacles.intersect(i, camNorthM, camEastM, dirN, dirE, hit)) return;
    const base = j * K;
    const t = hit.t;
    if (!(t < this.zf[base + K - 1]!)) return;
    // Insertion into the sorted layer list.
    let k = K - 1;
    while (k > 0 && this.zf[base + k - 1]! > t) {
      const dst = base + k;
      const src = dst - 1;
      this.zf[dst] = this.zf[src]!;
      this.obstacle[dst] = this.obstacle[src]!;
      this.uTx[dst] = this.uTx[src]!;
      this.invTexel[dst] = this.invTexel[src]!;
      this.vOffTx[dst] = this.vOffTx[src]!;
      this.texBase[dst] = this.texBase[src]!;
      this.top[dst] = this.top[src]!;
      this.shadeLog[dst] = this.shadeLog[src]!;
      this.lod[dst] = this.lod[src]!;
      this.fogW[dst] = this.fogW[src]!;
      k--;
    }
    const obs = world.obstacles;
    const texIndex = obs.textureIndex[i]!;
    const wt = world.textures[texIndex]!;
    const invTexel = 1 / wt.texelM;
    const dirLen = Math.sqrt(dirN * dirN + dirE * dirE);
    const rangeM = t * dirLen;
    // Footprint grows as the surface turns away from the ray (grazing walls in a corridor).
    const cosInc = Math.abs(hit.normalNorth * dirN + hit.normalEast * dirE) / dirLen;
    const footprintM = (pixelAngleRad * rangeM) / Math.max(cosInc, 0.25);
    const dst = base + k;
    this.zf[dst] = t;
    this.obstacle[dst] = i;
    this.uTx[dst] = (hit.uM + obs.textureOffsetUM[i]!) * invTexel;
    this.invTexel[dst] = invTexel;
    this.vOffTx[dst] = obs.textureOffsetVM[i]! * invTexel;
    this.texBase[dst] = world.atlas.base[texIndex]!;
    this.top[dst] = obs.heightM[i]!;
    this.shadeLog[dst] = world.verticalShadeLog(hit.normalNorth, hit.normalEast) + obs.albedoOffsetLog[i]!;
    this.lod[dst] = Math.log2(Math.max(footprintM * invTexel, 1e-6));
    this.fogW[dst] = 1 - Math.exp(-rangeM / world.lighting.fogDistanceM);
  }
}
