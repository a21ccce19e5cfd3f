/**
 * Dense ground truth for one instant, at network geometry: depth, inverse time-to-contact and optical
 * flow of the (static) scene as seen by the moving camera.
 *
 * Definitions (camera frame: x right, y down, z optical axis; normalised image coordinates
 * x = (c − cx)/fx, y = (r − cy)/fy; v and ω the camera's linear and angular velocity in the camera
 * frame, Z the depth along the optical axis):
 * - depth `depthM` = Z, metres; +∞ where the pixel sees sky.
 * - inverse time-to-contact `invTtcPerS` ν = v_z / Z, 1/s: the camera's velocity component along its
 *   optical axis (positive towards the scene) over the depth; 0 for sky. A surface at ν = 2 is reached in
 *   0.5 s at the current speed; negative when receding.
 * - optical flow `flowXPxS`, `flowYPxS`, network pixels per second, the time derivative of the
 *   projection of the static point under the pixel (Longuet-Higgins & Prazdny 1980):
 *     ẋ = (x·v_z − v_x)/Z + x·y·ω_x − (1 + x²)·ω_y + y·ω_z
 *     ẏ = (y·v_z − v_y)/Z + (1 + y²)·ω_x − x·y·ω_y − x·ω_z
 *   times fx (fy). The translational part is ν·(x − x_foe), the design's flow model.
 * Buffers are owned and reused: copy what you keep past the next `compute`.
 */
import type { SensorGeometry } from '../../src/contracts/sensorGeometry.js';
import type { CameraPose, PinholeCamera } from '../camera/pinhole.js';
import { Renderer } from '../camera/renderer.js';
import type { World } from '../world/world.js';

export interface TruthFrame {
  /** Simulation time the truth is sampled at, µs. */
  readonly tUs: number;
  readonly geometry: SensorGeometry;
  readonly depthM: Float32Array;
  readonly invTtcPerS: Float32Array;
  readonly flowXPxS: Float32Array;
  readonly flowYPxS: Float32Array;
  /** The camera's velocity (m/s) and angular velocity (rad/s) in the camera frame used. */
  readonly velCamMS: Float64Array;
  readonly omegaCamRadS: Float64Array;
}

export class GroundTruthRenderer {
  readonly camera: PinholeCamera;
  private readonly renderer: Renderer;
  private readonly frame: {
    tUs: number;
    geometry: SensorGeometry;
    depthM: Float32Array;
    invTtcPerS: Float32Array;
    flowXPxS: Float32Array;
    flowYPxS: Float32Array;
    velCamMS: Float64Array;
    omegaCamRadS: Float64Array;
  };

  constructor(networkCam: PinholeCamera) {
    this.camera = networkCam;
    this.renderer = new Renderer(networkCam, { shade: false });
    const n = networkCam.widthPx * networkCam.heightPx;
    this.frame = {
      tUs: 0,
      geometry: { widthPx: networkCam.widthPx, heightPx: networkCam.heightPx },
      depthM: this.renderer.depthM,
      invTtcPerS: new Float32Array(n),
      flowXPxS: new Float32Array(n),
      flowYPxS: new Float32Array(n),
      velCamMS: new Float64Array(3),
      omegaCamRadS: new Float64Array(3),
    };
  }

  /** Renders depth at `pose` and derives ν and flow for camera-frame velocity v and rate ω. */
  compute(world: World, pose: CameraPose, velCamMS: ArrayLike<number>, omegaCamRadS: ArrayLike<number>, tUs: number): TruthFrame {
    this.renderer.render(world, pose);
    const f = this.frame;
    f.tUs = tUs;
    for (let k = 0; k < 3; k++) {
      f.velCamMS[k] = velCamMS[k]!;
      f.omegaCamRadS[k] = omegaCamRadS[k]!;
    }
    computeFlowAndInvTtc(this.camera, f.depthM, f.velCamMS, f.omegaCamRadS, f.invTtcPerS, f.flowXPxS, f.flowYPxS);
    return f;
  }
}

/** Fills ν and flow from a depth map (see the file comment for the formulas). */
export function computeFlowAndInvTtc(
  cam: PinholeCamera,
  depthM: Float32Array,
  v: ArrayLike<number>,
  w: ArrayLike<number>,
  invTtc: Float32Array,
  flowX: Float32Array,
  flowY: Float32Array,
): void {
  const W = cam.widthPx;
  const H = cam.heightPx;
  const vx = v[0]!;
  const vy = v[1]!;
  const vz = v[2]!;
  const wx = w[0]!;
  const wy = w[1]!;
  const wz = w[2]!;
  for (let r = 0; r < H; r++) {
    const y = (r - cam.cyPx) / cam.fyPx;
    for (let c = 0; c < W; c++) {
      const i = r * W + c;
      const x = (c - cam.cxPx) / cam.fxPx;
      const Z = depthM[i]!;
      const invZ = Z === Number.POSITIVE_INFINITY ? 0 : 1 / Z;
      invTtc[i] = vz * invZ;
      const dx = (x * vz - vx) * invZ + x * y * wx - (1 + x * x) * wy + y * wz;
      const dy = (y * vz - vy) * invZ + (1 + y * y) * wx - x * y * wy - x * wz;
      flowX[i] = dx * cam.fxPx;
      flowY[i] = dy * cam.fyPx;
    }
  }
}
