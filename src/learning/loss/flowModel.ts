/**
 * Optical flow of a static scene seen by a moving pinhole camera, parametrised by the inverse
 * time-to-contact ν = V_z / Z (DESIGN.md, "Perception: inverse time-to-contact").
 *
 * Frames and units: camera frame x right, y down, z forward (optical axis); normalised image coordinates
 * x = X / Z, y = Y / Z (dimensionless); flow in normalised units per second (1/s); ν in 1/s; ω in rad/s.
 *
 * A static point P (camera frame) seen by a camera translating at V and rotating at ω (both camera frame)
 * moves relative to the camera as dP/dt = −V − ω × P. Differentiating x = X/Z, y = Y/Z
 * (Longuet-Higgins & Prazdny 1980, "The interpretation of a moving retinal image"):
 *
 *     u = (V_z / Z) · (x − x_foe) + u_rot(x, ω),   x_foe = V_x / V_z, y_foe = V_y / V_z
 *     u_rot,x =  ω_x · x·y − ω_y · (1 + x²) + ω_z · y
 *     u_rot,y =  ω_x · (1 + y²) − ω_y · x·y − ω_z · x
 *
 * The translational part depends on depth only through ν = V_z / Z, so ν alone (with the focus of
 * expansion and the gyro) determines the flow. The flow is affine in ν: ∂u/∂ν = (x − x_foe, y − y_foe),
 * which is all the loss's gradient needs from this file (forward and gradient side by side below).
 */

/** Angular velocity of the camera, camera frame (x right, y down, z forward), rad/s. */
export interface BodyRatesCam {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

/** A point in normalised image coordinates (camera frame, dimensionless). */
export interface NormPoint {
  readonly x: number;
  readonly y: number;
}

/** x component of the rotational flow at normalised (x, y) for camera rates ω (rad/s): 1/s. */
export function rotationalFlowXPerS(x: number, y: number, w: BodyRatesCam): number {
  return w.x * x * y - w.y * (1 + x * x) + w.z * y;
}

/** y component of the rotational flow at normalised (x, y) for camera rates ω (rad/s): 1/s. */
export function rotationalFlowYPerS(x: number, y: number, w: BodyRatesCam): number {
  return w.x * (1 + y * y) - w.y * x * y - w.z * x;
}

/** Forward: x component of the full flow, 1/s, for ν (1/s) at normalised (x, y). */
export function flowXPerS(invTtcPerS: number, x: number, y: number, foe: NormPoint, w: BodyRatesCam): number {
  return invTtcPerS * (x - foe.x) + rotationalFlowXPerS(x, y, w);
}

/** Gradient: ∂flowX/∂ν (dimensionless · s · 1/s = normalised units); constant in ν because the flow is affine in ν. */
export function flowXPerSDInvTtc(x: number, foe: NormPoint): number {
  return x - foe.x;
}

/** Forward: y component of the full flow, 1/s. */
export function flowYPerS(invTtcPerS: number, x: number, y: number, foe: NormPoint, w: BodyRatesCam): number {
  return invTtcPerS * (y - foe.y) + rotationalFlowYPerS(x, y, w);
}

/** Gradient: ∂flowY/∂ν. */
export function flowYPerSDInvTtc(y: number, foe: NormPoint): number {
  return y - foe.y;
}
