/**
 * Pinhole camera model: intrinsics from a sensor geometry and a horizontal field of view, and the
 * camera's mounting on the vehicle body.
 *
 * Conventions (see sim/world/frames.ts): camera frame x right, y down, z along the optical axis.
 * Pixel (c, r) (column, row, origin top-left) has its centre at normalised coordinates
 * ((c − cx)/fx, (r − cy)/fy) with cx = (W − 1)/2, cy = (H − 1)/2: the optical axis passes through
 * the middle of the sensor. Square pixels (fx = fy). No lens distortion.
 *
 * Mounting: the camera sits at the vehicle's centre of mass, looking along the body's forward axis
 * tilted *up* by `mountPitchRad` (the "uptilt" FPV pilots use so the camera looks ahead while the
 * vehicle pitches forward). Set-up only (mathjs), never called per pixel.
 */
import { matrix, multiply, rotationMatrix, type Matrix } from 'mathjs';
import type { SensorGeometry } from '../../src/contracts/sensorGeometry.js';
import { mat3, mulMat3, type Mat3 } from '../world/frames.js';

export interface CameraSpec {
  readonly geometry: SensorGeometry;
  /** Horizontal field of view, radians (default 90°). */
  readonly horizontalFovRad: number;
  /** Optical axis elevation above the body's forward axis, radians (positive looks up). */
  readonly mountPitchRad: number;
  /**
   * Explicit intrinsics (pixels), overriding those derived from the field of view: used for the
   * ground-truth camera at network geometry, which must match the sensor → network pixel mapping.
   */
  readonly intrinsics?: { readonly fxPx: number; readonly fyPx: number; readonly cxPx: number; readonly cyPx: number };
}

export const DEFAULT_CAMERA_SPEC: CameraSpec = {
  geometry: { widthPx: 160, heightPx: 120 },
  horizontalFovRad: (90 * Math.PI) / 180,
  mountPitchRad: 0,
};

/** Where a camera is and how it is turned, in the world frame, at one instant. */
export interface CameraPose {
  readonly northM: number;
  readonly eastM: number;
  /** Altitude above the ground plane (−down), metres. */
  readonly altitudeM: number;
  /** R_wc: camera-frame vectors → world NED. Row-major 3×3. */
  readonly worldFromCamera: Mat3;
}

/** A CameraPose the simulator overwrites in place every sample (no allocation per render). */
export interface MutableCameraPose {
  northM: number;
  eastM: number;
  altitudeM: number;
  readonly worldFromCamera: Mat3;
}

export class PinholeCamera {
  readonly widthPx: number;
  readonly heightPx: number;
  readonly fxPx: number;
  readonly fyPx: number;
  readonly cxPx: number;
  readonly cyPx: number;
  /** Angle subtended by one pixel at the image centre, radians (1 / fx). */
  readonly pixelAngleRad: number;
  /** R_bc: camera-frame vectors → body FRD. */
  readonly bodyFromCamera: Mat3;
  readonly spec: CameraSpec;

  constructor(spec: CameraSpec) {
    const { widthPx, heightPx } = spec.geometry;
    if (!(widthPx >= 2 && heightPx >= 2)) throw new Error(`camera geometry ${widthPx}×${heightPx} too small`);
    if (!(spec.horizontalFovRad > 0 && spec.horizontalFovRad < Math.PI * 0.95)) {
      throw new Error('horizontal field of view must lie in (0°, 171°)');
    }
    this.spec = spec;
    this.widthPx = widthPx;
    this.heightPx = heightPx;
    this.fxPx = spec.intrinsics?.fxPx ?? widthPx / 2 / Math.tan(spec.horizontalFovRad / 2);
    this.fyPx = spec.intrinsics?.fyPx ?? this.fxPx;
    this.cxPx = spec.intrinsics?.cxPx ?? (widthPx - 1) / 2;
    this.cyPx = spec.intrinsics?.cyPx ?? (heightPx - 1) / 2;
    this.pixelAngleRad = 1 / this.fxPx;
    this.bodyFromCamera = bodyFromCameraMatrix(spec.mountPitchRad);
  }

  /**
   * The camera's pose given the vehicle's position (NED) and attitude R_wb. Writes R_wc into `out`'s
   * matrix (caller-owned, reused) and returns a pose referencing it.
   */
  poseFromBody(northM: number, eastM: number, downM: number, worldFromBody: Mat3, outWorldFromCamera: Mat3): CameraPose {
    mulMat3(worldFromBody, this.bodyFromCamera, outWorldFromCamera);
    return { northM, eastM, altitudeM: -downM, worldFromCamera: outWorldFromCamera };
  }

  /** Like `poseFromBody`, overwriting `out` (its matrix included) instead of allocating. */
  writePose(northM: number, eastM: number, downM: number, worldFromBody: Mat3, out: MutableCameraPose): CameraPose {
    mulMat3(worldFromBody, this.bodyFromCamera, out.worldFromCamera);
    out.northM = northM;
    out.eastM = eastM;
    out.altitudeM = -downM;
    return out;
  }
}

/**
 * R_bc for a camera pitched up by `mountPitchRad`: the axis permutation camera (right, down, forward)
 * → body (forward, right, down), then a rotation about the body's right (y) axis.
 */
function bodyFromCameraMatrix(mountPitchRad: number): Mat3 {
  const permutation = matrix([
    [0, 0, 1],
    [1, 0, 0],
    [0, 1, 0],
  ]);
  const tilt: Matrix = rotationMatrix(mountPitchRad, matrix([0, 1, 0]));
  const r = multiply(tilt, permutation).toArray() as number[][];
  const out = mat3();
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out[i * 3 + j] = r[i]![j]!;
  return out;
}

/** Identity helper for tests: R_wc of a level camera looking along heading `yawRad`. */
export function levelCameraRotation(yawRad: number, out: Mat3 = mat3()): Mat3 {
  const c = Math.cos(yawRad);
  const s = Math.sin(yawRad);
  // Columns: camera x (right) = (−sin, cos, 0); camera y (down) = (0, 0, 1); camera z = (cos, sin, 0).
  out[0] = -s;
  out[1] = 0;
  out[2] = c;
  out[3] = c;
  out[4] = 0;
  out[5] = s;
  out[6] = 0;
  out[7] = 1;
  out[8] = 0;
  return out;
}
