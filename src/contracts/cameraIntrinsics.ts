/**
 * Pinhole intrinsics of the event sensor, in *sensor* pixels (the geometry events arrive in).
 * A pixel (xPx, yPx) has normalised image coordinates x = (xPx − cxPx) / fxPx, y = (yPx − cyPx) / fyPx
 * in the camera frame: x right, y down, z forward along the optical axis. Lens distortion is assumed
 * corrected or negligible (the small wide-angle lenses on racing drones are calibrated upstream).
 */
export interface CameraIntrinsics {
  readonly fxPx: number;
  readonly fyPx: number;
  readonly cxPx: number;
  readonly cyPx: number;
}
