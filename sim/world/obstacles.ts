/**
 * Vertical obstacles standing on the ground plane: poles (trees, posts), boxes and walls.
 *
 * All are *vertical prisms*: a horizontal footprint (circle or oriented rectangle) extruded from the
 * ground (altitude 0) up to `heightM`. That is what lets the camera cast one horizontal ray per image
 * column: where a ray hits the footprint does not depend on its elevation.
 *
 * Positions are world NED metres (north, east); heights are altitudes above the ground plane, metres.
 * Surfaces carry a texture (index into the world's textures) addressed in metres: `u` runs around the
 * footprint's perimeter, `v` is altitude; per-obstacle offsets make shared textures look different.
 */

/** Fields every obstacle's surface has. */
export interface SurfaceSpec {
  /** Index into `World.textures`. */
  readonly textureIndex: number;
  /** Offsets (metres) added to the texture coordinates so obstacles sharing a texture differ. */
  readonly textureOffsetUM: number;
  readonly textureOffsetVM: number;
  /** Added to the texture's log albedo: brighter (> 0) or darker (< 0) than the texture's mean. */
  readonly albedoOffsetLog: number;
}

/** A vertical cylinder: tree trunk, pole, post. */
export interface PoleSpec extends SurfaceSpec {
  readonly kind: 'pole';
  readonly centerNorthM: number;
  readonly centerEastM: number;
  readonly radiusM: number;
  readonly heightM: number;
}

/** A box with a rectangular footprint rotated by `yawRad` (its local x axis at heading `yawRad`). */
export interface BoxSpec extends SurfaceSpec {
  readonly kind: 'box';
  readonly centerNorthM: number;
  readonly centerEastM: number;
  /** Half extents along the box's local x (heading `yawRad`) and y axes, metres. */
  readonly halfLengthM: number;
  readonly halfWidthM: number;
  readonly yawRad: number;
  readonly heightM: number;
}

/** A wall segment from `start` to `end` (NED metres) with a thickness; stored as a thin box. */
export interface WallSpec extends SurfaceSpec {
  readonly kind: 'wall';
  readonly startNorthM: number;
  readonly startEastM: number;
  readonly endNorthM: number;
  readonly endEastM: number;
  readonly thicknessM: number;
  readonly heightM: number;
}

export type ObstacleSpec = PoleSpec | BoxSpec | WallSpec;

export const SHAPE_CYLINDER = 0;
export const SHAPE_BOX = 1;

/** Result slot for a 2-D ray/footprint intersection (reused: no allocation per ray). */
export interface FootprintHit {
  /** Ray parameter of the entry point (the ray is o + t·d; d need not be unit). */
  t: number;
  /** Texture coordinate around the perimeter at the hit, metres. */
  uM: number;
  /** Outward unit normal of the footprint at the hit (north, east). */
  normalNorth: number;
  normalEast: number;
}

/**
 * The obstacles of a world compiled into struct-of-arrays form, the layout the per-column ray caster
 * and the collision checker iterate over.
 */
export class ObstacleSet {
  readonly count: number;
  readonly shape: Uint8Array;
  readonly centerNorthM: Float64Array;
  readonly centerEastM: Float64Array;
  /** Cylinder radius, or the box's bounding-circle radius (for culling). */
  readonly boundRadiusM: Float64Array;
  readonly radiusM: Float64Array;
  readonly halfLengthM: Float64Array;
  readonly halfWidthM: Float64Array;
  readonly cosYaw: Float64Array;
  readonly sinYaw: Float64Array;
  readonly heightM: Float64Array;
  readonly textureIndex: Int32Array;
  readonly textureOffsetUM: Float64Array;
  readonly textureOffsetVM: Float64Array;
  readonly albedoOffsetLog: Float64Array;
  /** The specs this set was built from, for reports and serialisation. */
  readonly specs: readonly ObstacleSpec[];

  constructor(specs: readonly ObstacleSpec[]) {
    const n = specs.length;
    this.count = n;
    this.specs = specs;
    this.shape = new Uint8Array(n);
    this.centerNorthM = new Float64Array(n);
    this.centerEastM = new Float64Array(n);
    this.boundRadiusM = new Float64Array(n);
    this.radiusM = new Float64Array(n);
    this.halfLengthM = new Float64Array(n);
    this.halfWidthM = new Float64Array(n);
    this.cosYaw = new Float64Array(n);
    this.sinYaw = new Float64Array(n);
    this.heightM = new Float64Array(n);
    this.textureIndex = new Int32Array(n);
    this.textureOffsetUM = new Float64Array(n);
    this.textureOffsetVM = new Float64Array(n);
    this.albedoOffsetLog = new Float64Array(n);
    specs.forEach((s, i) => {
      this.heightM[i] = s.heightM;
      this.textureIndex[i] = s.textureIndex;
      this.textureOffsetUM[i] = s.textureOffsetUM;
      this.textureOffsetVM[i] = s.textureOffsetVM;
      this.albedoOffsetLog[i] = s.albedoOffsetLog;
      if (s.kind === 'pole') {
        this.shape[i] = SHAPE_CYLINDER;
        this.centerNorthM[i] = s.centerNorthM;
        this.centerEastM[i] = s.centerEastM;
        this.radiusM[i] = s.radiusM;
        this.boundRadiusM[i] = s.radiusM;
        this.cosYaw[i] = 1;
        return;
      }
      let cn: number, ce: number, hl: number, hw: number, yaw: number;
      if (s.kind === 'box') {
        cn = s.centerNorthM;
        ce = s.centerEastM;
        hl = s.halfLengthM;
        hw = s.halfWidthM;
        yaw = s.yawRad;
      } else {
        const dn = s.endNorthM - s.startNorthM;
        const de = s.endEastM - s.startEastM;
        cn = (s.startNorthM + s.endNorthM) / 2;
        ce = (s.startEastM + s.endEastM) / 2;
        hl = Math.hypot(dn, de) / 2;
        hw = s.thicknessM / 2;
        yaw = Math.atan2(de, dn);
      }
      this.shape[i] = SHAPE_BOX;
      this.centerNorthM[i] = cn;
      this.centerEastM[i] = ce;
      this.halfLengthM[i] = hl;
      this.halfWidthM[i] = hw;
      this.cosYaw[i] = Math.cos(yaw);
      this.sinYaw[i] = Math.sin(yaw);
      this.boundRadiusM[i] = Math.hypot(hl, hw);
    });
  }

  /**
   * Intersects the horizontal ray (originNorth, originEast) + t·(dirNorth, dirEast), t > 0, with
   * obstacle `i`'s footprint. Returns false when it misses or when the origin is inside the
   * footprint (a camera inside an obstacle sees nothing of it; the vehicle has crashed by then).
   */
  intersect(i: number, oN: number, oE: number, dN: number, dE: number, hit: FootprintHit): boolean {
    const rn = oN - this.centerNorthM[i]!;
    const re = oE - this.centerEastM[i]!;
    if (this.shape[i] === SHAPE_CYLINDER) {
      const r = this.radiusM[i]!;
      const a = dN * dN + dE * dE;
      const b = rn * dN + re * dE;
      const c = rn * rn + re * re - r * r;
      if (c <= 0) return false;
      const disc = b * b - a * c;
      if (disc < 0 || b >= 0) return false;
      const t = (-b - Math.sqrt(disc)) / a;
      const hn = (rn + t * dN) / r;
      const he = (re + t * dE) / r;
      hit.t = t;
      hit.normalNorth = hn;
      hit.normalEast = he;
      // Arc length from the north point, clockwise seen from above (towards east).
      hit.uM = r * (Math.atan2(he, hn) + Math.PI);
      return true;
    }
    const cy = this.cosYaw[i]!;
    const sy = this.sinYaw[i]!;
    const hl = this.halfLengthM[i]!;
    const hw = this.halfWidthM[i]!;
    // Into the box's frame: x along its heading, y to its right.
    const lx = cy * rn + sy * re;
    const ly = -sy * rn + cy * re;
    let dx = cy * dN + sy * dE;
    let dy = -sy * dN + cy * dE;
    if (dx === 0) dx = 1e-12;
    if (dy === 0) dy = 1e-12;
    const tx1 = (-hl - lx) / dx;
    const tx2 = (hl - lx) / dx;
    const ty1 = (-hw - ly) / dy;
    const ty2 = (hw - ly) / dy;
    const txNear = Math.min(tx1, tx2);
    const tyNear = Math.min(ty1, ty2);
    const tFar = Math.min(Math.max(tx1, tx2), Math.max(ty1, ty2));
    const tNear = Math.max(txNear, tyNear);
    if (tNear > tFar || tNear <= 0) return false;
    const px = lx + tNear * dx;
    const py = ly + tNear * dy;
    let nx: number, ny: number, u: number;
    // Perimeter coordinate: +x face, then +y, −x, −y, each measured counter-clockwise in the local frame.
    if (txNear >= tyNear) {
      if (dx < 0) {
        nx = 1;
        ny = 0;
        u = py + hw;
      } else {
        nx = -1;
        ny = 0;
        u = 2 * hw + 2 * hl + (hw - py);
      }
    } else if (dy < 0) {
      nx = 0;
      ny = 1;
      u = 2 * hw + (hl - px);
    } else {
      nx = 0;
      ny = -1;
      u = 4 * hw + 2 * hl + (px + hl);
    }
    hit.t = tNear;
    hit.uM = u;
    hit.normalNorth = cy * nx - sy * ny;
    hit.normalEast = sy * nx + cy * ny;
    return true;
  }

  /**
   * Signed 3-D distance (metres) from the point (north, east, altitude) to obstacle `i`'s solid:
   * positive outside, negative inside. Exact for boxes and for cylinders (SDF of an extruded
   * footprint).
   */
  signedDistance(i: number, northM: number, eastM: number, altitudeM: number): number {
    const rn = northM - this.centerNorthM[i]!;
    const re = eastM - this.centerEastM[i]!;
    const h = this.heightM[i]!;
    const qz = Math.abs(altitudeM - h / 2) - h / 2;
    let qh: number;
    if (this.shape[i] === SHAPE_CYLINDER) {
      qh = Math.hypot(rn, re) - this.radiusM[i]!;
    } else {
      const cy = this.cosYaw[i]!;
      const sy = this.sinYaw[i]!;
      const qx = Math.abs(cy * rn + sy * re) - this.halfLengthM[i]!;
      const qy = Math.abs(-sy * rn + cy * re) - this.halfWidthM[i]!;
      // 2-D box SDF of the footprint.
      const ox = Math.max(qx, 0);
      const oy = Math.max(qy, 0);
      qh = Math.hypot(ox, oy) + Math.min(Math.max(qx, qy), 0);
    }
    const oh = Math.max(qh, 0);
    const oz = Math.max(qz, 0);
    return Math.hypot(oh, oz) + Math.min(Math.max(qh, qz), 0);
  }
}
