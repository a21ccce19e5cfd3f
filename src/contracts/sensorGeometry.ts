/** Pixel geometry of an event sensor (or of the network input). Width × height in pixels. */
export interface SensorGeometry {
  readonly widthPx: number;
  readonly heightPx: number;
}
