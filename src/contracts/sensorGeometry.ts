/** Pixel geometry of an event sensor (or of the network input). Width × height in pixels. */
export interface SensorGeometry {
  readonly widthPx: number;
  readonly heightPx: number;
}

/** True when both have the same width and height. */
export function sameGeometry(a: SensorGeometry, b: SensorGeometry): boolean {
  return a.widthPx === b.widthPx && a.heightPx === b.heightPx;
}
