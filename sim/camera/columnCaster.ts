/**
 * Per-column ray casting against vertical obstacles.
 *
 * Because every obstacle is a vertical prism, whether and where a camera ray hits one depends only on
 * the ray's *horizontal* direction. The caster therefore works on a "virtual level strip": columns
 * indexed by the tangent `a` of the horizontal angle from the camera's heading (direction
 * (1, a) in the heading frame forward/right). For each column it keeps the K nearest footprint hits,
 * sorted by forward distance (`cast`), and on request everything the renderer needs to shade one of
 * them (`shadeHit`: texture coordinate, lighting, level of detail, fog — the depth-only renderer never
 * asks, and the transcendental functions run for the hits kept only). The renderer then maps
 * each pixel — whatever the camera's pitch and roll — to a column by its own `a`, and picks the first
 * layer whose hit altitude lies below the obstacle's top (rays can pass over short obstacles).
 *
 * Cost per cast is O(obstacles in range) to cull plus O(sum of the column spans of visible obstacles)
 * to intersect: a few thousand footprint tests per frame, independent of the pixel count. Cylinders
 * (most obstacles) are intersected with their terms hoisted out of the column loop.
 *
 * "Forward distance" `zf` is the ray parameter along (1, a) in the heading frame, i.e. the hit's
 * distance along the heading axis; a pixel ray with forward component f reaches it at camera-ray
 * parameter zf / f.
 */
import type { World } from '../world/world.js';
import { SHAPE_CYLINDER, type FootprintHit, type ObstacleSet } from '../world/obstacles.js';

export class ColumnCaster {
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
  /** The hit's ray parameter before rounding to float32 (what `shadeHit` works from). */
  private readonly tHit: Float64Array;
  readonly obstacle: Int32Array;
  /** Obstacle top altitude, metres. */
  readonly top: Float32Array;
  /** The shading fields below are filled by `shadeHit`, per slot. */
  /** Texture coordinate around the perimeter, level-0 texels of the obstacle's texture (offset included). */
  readonly uTx: Float32Array;
  /** Texture v = altitude · invTexel + vOffTx (level-0 texels). */
  readonly invTexel: Float32Array;
  readonly vOffTx: Float32Array;
  /** Offset of the obstacle's texture in the world's atlas. */
  readonly texBase: Int32Array;
  /** Log illumination of the hit face plus the obstacle's albedo offset. */
  readonly shadeLog: Float32Array;
  /** Mip level of detail for the hit (log2 texels per pixel footprint). */
  readonly lod: Float32Array;
  /** Fog weight in [0, 1] at the hit's distance. */
  readonly fogW: Float32Array;

  private readonly hit: FootprintHit = { t: 0.5, uM: 0.5, normalNorth: 0.5, normalEast: 0.5 };
  /**
   * The current cast's camera position, heading and pixel angle: [north, east, cos, sin, pixelAngle].
   * Passed through a typed array rather than as arguments, because doubles passed to a call V8 does
   * not inline are boxed (allocated) on every call.
   */
  private readonly castArgs = new Float64Array(5);
  /** A hit's ray parameter handed to `insert` (a typed array, for the reason above). */
  private readonly insertT = new Float64Array(1);

  constructor(maxColumns: number, layers = 3) {
    this.layers = layers;
    this.maxColumns = maxColumns;
    const n = maxColumns * layers;
    this.zf = new Float32Array(n);
    this.tHit = new Float64Array(n);
    this.obstacle = new Int32Array(n);
    this.uTx = new Float32Array(n);
    this.invTexel = new Float32Array(n);
    this.vOffTx = new Float32Array(n);
    this.texBase = new Int32Array(n);
    this.top = new Float32Array(n);
    this.shadeLog = new Float32Array(n);
    this.lod = new Float32Array(n);
    this.fogW = new Float32Array(n);
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
      if (obs.shape[i] === SHAPE_CYLINDER) this.castCylinder(obs, i, j0, j1);
      else for (let j = j0; j <= j1; j++) this.castOne(obs, i, j);
    }
    const top = this.top;
    const obstacle = this.obstacle;
    const heightM = obs.heightM;
    for (let slot = 0; slot < cols * K; slot++) {
      const i = obstacle[slot]!;
      if (i >= 0) top[slot] = heightM[i]!;
    }
  }

  /**
   * Columns j0..j1 against cylinder i, with the obstacle's terms hoisted out of the column loop. The
   * arithmetic is `ObstacleSet.intersect`'s, term by term (same hits, bit for bit).
   */
  private castCylinder(obs: ObstacleSet, i: number, j0: number, j1: number): void {
    const K = this.layers;
    const args = this.castArgs;
    const cosHeading = args[2]!;
    const sinHeading = args[3]!;
    const aMin = this.strip[0]!;
    const da = this.strip[1]!;
    const zf = this.zf;
    const rn = args[0]! - obs.centerNorthM[i]!;
    const re = args[1]! - obs.centerEastM[i]!;
    const r = obs.radiusM[i]!;
    const c = rn * rn + re * re - r * r;
    if (c <= 0) return; // inside the footprint
    for (let j = j0; j <= j1; j++) {
      const a = aMin + (j + 0.5) * da;
      const dN = cosHeading - a * sinHeading;
      const dE = sinHeading + a * cosHeading;
      const b = rn * dN + re * dE;
      if (b >= 0) continue;
      const aa = dN * dN + dE * dE;
      const disc = b * b - aa * c;
      if (disc < 0) continue;
      const t = (-b - Math.sqrt(disc)) / aa;
      if (t < zf[j * K + K - 1]!) {
        this.insertT[0] = t;
        this.insert(j, i);
      }
    }
  }

  private castOne(obs: ObstacleSet, i: number, j: number): void {
    const args = this.castArgs;
    const a = this.strip[0]! + (j + 0.5) * this.strip[1]!;
    const dirN = args[2]! - a * args[3]!;
    const dirE = args[3]! + a * args[2]!;
    const hit = this.hit;
    if (!obs.intersect(i, args[0]!, args[1]!, dirN, dirE, hit)) return;
    const t = hit.t;
    if (t < this.zf[j * this.layers + this.layers - 1]!) {
      this.insertT[0] = t;
      this.insert(j, i);
    }
  }

  /** Inserts hit (insertT[0], obstacle i) into column j's sorted layers (t below the last layer's). */
  private insert(j: number, i: number): void {
    const t = this.insertT[0]!;
    const K = this.layers;
    const base = j * K;
    const zf = this.zf;
    const tHit = this.tHit;
    const obstacle = this.obstacle;
    let k = K - 1;
    while (k > 0 && zf[base + k - 1]! > t) {
      zf[base + k] = zf[base + k - 1]!;
      tHit[base + k] = tHit[base + k - 1]!;
      obstacle[base + k] = obstacle[base + k - 1]!;
      k--;
    }
    zf[base + k] = t;
    tHit[base + k] = t;
    obstacle[base + k] = i;
  }

  /**
   * Fills the shading fields (uTx … fogW) of one slot (column · layers + layer) of the last cast, which
   * must hold a hit; the depth-only renderer never needs them. The hit's texture coordinate, normal,
   * footprint and fog come from its ray and distance, computed for the hits a pixel shows rather than
   * for every hit found.
   */
  shadeHit(world: World, slot: number): void {
    const obs = world.obstacles;
    const i = this.obstacle[slot]!;
    const args = this.castArgs;
    const cosHeading = args[2]!;
    const sinHeading = args[3]!;
    const pixelAngleRad = args[4]!;
    const j = (slot / this.layers) | 0;
    const a = this.strip[0]! + (j + 0.5) * this.strip[1]!;
    const dirN = cosHeading - a * sinHeading;
    const dirE = sinHeading + a * cosHeading;
    const t = this.tHit[slot]!;
    let normalNorth: number;
    let normalEast: number;
    let uM: number;
    if (obs.shape[i] === SHAPE_CYLINDER) {
      // ObstacleSet.intersect's cylinder terms, from the same t (no call: doubles passed to a call V8
      // does not inline are allocated).
      const r = obs.radiusM[i]!;
      normalNorth = (args[0]! - obs.centerNorthM[i]! + t * dirN) / r;
      normalEast = (args[1]! - obs.centerEastM[i]! + t * dirE) / r;
      // Arc length from the north point, clockwise seen from above (towards east).
      uM = r * (Math.atan2(normalEast, normalNorth) + Math.PI);
    } else {
      const hit = this.hit;
      obs.intersect(i, args[0]!, args[1]!, dirN, dirE, hit);
      normalNorth = hit.normalNorth;
      normalEast = hit.normalEast;
      uM = hit.uM;
    }
    const texIndex = obs.textureIndex[i]!;
    const wt = world.textures[texIndex]!;
    const invTexel = 1 / wt.texelM;
    const dirLen = Math.sqrt(dirN * dirN + dirE * dirE);
    const rangeM = t * dirLen;
    // Footprint grows as the surface turns away from the ray (grazing walls in a corridor).
    const cosInc = Math.abs(normalNorth * dirN + normalEast * dirE) / dirLen;
    const footprintM = (pixelAngleRad * rangeM) / Math.max(cosInc, 0.25);
    // World.verticalShadeLog, inlined.
    const sun = world.sunHorizontal;
    const cosSun = normalNorth * sun[0]! + normalEast * sun[1]!;
    const shade = Math.log(world.lighting.ambient + sun[2]! * Math.max(0, cosSun));
    this.uTx[slot] = (uM + obs.textureOffsetUM[i]!) * invTexel;
    this.invTexel[slot] = invTexel;
    this.vOffTx[slot] = obs.textureOffsetVM[i]! * invTexel;
    this.texBase[slot] = world.atlas.base[texIndex]!;
    this.shadeLog[slot] = shade + obs.albedoOffsetLog[i]!;
    this.lod[slot] = Math.log2(Math.max(footprintM * invTexel, 1e-6));
    this.fogW[slot] = 1 - Math.exp(-rangeM / world.lighting.fogDistanceM);
  }
}
