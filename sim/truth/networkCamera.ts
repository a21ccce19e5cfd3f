/**
 * The camera that sees what the network sees: the sensor camera re-sampled to network geometry with
 * the runtime's sensor → network mapping (the `InputMapping` contract: the centre of sensor pixel
 * (xs, ys) lands at network coordinates offset + (xs + 0.5)·scale, binned by floor). Ground truth
 * rendered with it lines up pixel for pixel with the network's input.
 */
import type { InputMapping } from '../../src/contracts/eventWindow.js';
import type { SensorGeometry } from '../../src/contracts/sensorGeometry.js';
import { PinholeCamera } from '../camera/pinhole.js';

/** The default mapping the windows stage uses: letterbox, centred (same formula as the contract's). */
export function letterboxMapping(sensor: SensorGeometry, network: SensorGeometry): InputMapping {
  const scale = Math.min(network.widthPx / sensor.widthPx, network.heightPx / sensor.heightPx);
  return {
    fit: 'letterbox',
    scale,
    offsetXPx: (network.widthPx - sensor.widthPx * scale) / 2,
    offsetYPx: (network.heightPx - sensor.heightPx * scale) / 2,
  };
}

/**
 * A pinhole camera at network geometry whose pixel (xn, yn) centre looks where the sensor point that
 * maps to network coordinate (xn + 0.5, yn + 0.5) looks: fx_n = scale·fx_s,
 * cx_n = offsetX + (cx_s + 0.5)·scale − 0.5 (and likewise for y).
 */
export function networkCamera(sensorCamera: PinholeCamera, network: SensorGeometry, mapping?: InputMapping): PinholeCamera {
  const m = mapping ?? letterboxMapping(sensorCamera.spec.geometry, network);
  return new PinholeCamera({
    ...sensorCamera.spec,
    geometry: network,
    intrinsics: {
      fxPx: sensorCamera.fxPx * m.scale,
      fyPx: sensorCamera.fyPx * m.scale,
      cxPx: m.offsetXPx + (sensorCamera.cxPx + 0.5) * m.scale - 0.5,
      cyPx: m.offsetYPx + (sensorCamera.cyPx + 0.5) * m.scale - 0.5,
    },
  });
}
