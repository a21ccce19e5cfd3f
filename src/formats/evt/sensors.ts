import type { EventEncoding } from '../../contracts/eventEncoding.js';
import type { SensorGeometry } from '../../contracts/sensorGeometry.js';

/** What a known Prophesee sensor tells about a recording that lacks a geometry. */
export interface KnownSensor {
  readonly name: string;
  readonly geometry: SensorGeometry;
  /** The encoding the camera produced when the header does not say (legacy files). */
  readonly defaultEncoding: EventEncoding;
}

const VGA: SensorGeometry = { widthPx: 640, heightPx: 480 };
const HD: SensorGeometry = { widthPx: 1280, heightPx: 720 };
const GENX320: SensorGeometry = { widthPx: 320, heightPx: 320 };

/**
 * Prophesee system IDs (the `system_ID` header field) of the cameras whose geometry OpenEB itself infers,
 * with the same geometry and default encoding as OpenEB's table.
 */
const BY_SYSTEM_ID = new Map<number, KnownSensor>([
  [0x15, { name: 'Gen3.0 (CCAM3)', geometry: VGA, defaultEncoding: 'evt2' }],
  [0x1c, { name: 'Gen3.1 (CCAM3)', geometry: VGA, defaultEncoding: 'evt2' }],
  [0x1a, { name: 'Gen4.0 (CCAM3)', geometry: HD, defaultEncoding: 'evt2' }],
  [0x17, { name: 'Gen3.0 (CCAM4)', geometry: VGA, defaultEncoding: 'evt2' }],
  [0x97, { name: 'Gen3.0 (CCAM4 EVK)', geometry: VGA, defaultEncoding: 'evt2' }],
  [0x19, { name: 'Gen3.0 (CCAM4 rev B)', geometry: VGA, defaultEncoding: 'evt2' }],
  [0x99, { name: 'Gen3.0 (CCAM4 rev B EVK)', geometry: VGA, defaultEncoding: 'evt2' }],
  [0x1d, { name: 'Gen3.0 (CCAM4 rev B bridge)', geometry: VGA, defaultEncoding: 'evt2' }],
  [0x23, { name: 'Gen3.1 (CCAM5)', geometry: VGA, defaultEncoding: 'evt2' }],
  [0x1e, { name: 'Gen4.0 (CCAM5)', geometry: HD, defaultEncoding: 'evt3' }],
  [0x2e, { name: 'Gen4.0 (CCAM5 fixed frame)', geometry: HD, defaultEncoding: 'evt3' }],
  [0x21, { name: 'Gen3.0 (VisionCam)', geometry: VGA, defaultEncoding: 'evt2' }],
  [0xa1, { name: 'Gen3.0 (VisionCam EVK)', geometry: VGA, defaultEncoding: 'evt2' }],
  [0x22, { name: 'Gen3.1 (VisionCam)', geometry: VGA, defaultEncoding: 'evt2' }],
  [0xa2, { name: 'Gen3.1 (VisionCam EVK)', geometry: VGA, defaultEncoding: 'evt2' }],
  [0x29, { name: 'Gen3.1 (EVK2)', geometry: VGA, defaultEncoding: 'evt2' }],
  [0x1f, { name: 'Gen4.0 (EVK2)', geometry: HD, defaultEncoding: 'evt2' }],
  [0x27, { name: 'Gen4.1 (EVK2)', geometry: HD, defaultEncoding: 'evt2' }],
  [0x28, { name: 'Gen3.1 (EVK3, EVT3)', geometry: VGA, defaultEncoding: 'evt3' }],
  [0x30, { name: 'Gen4.1 (EVK3)', geometry: HD, defaultEncoding: 'evt3' }],
  [0x32, { name: 'IMX636 (EVK2)', geometry: HD, defaultEncoding: 'evt3' }],
  [0x31, { name: 'IMX636 (EVK3/EVK4)', geometry: HD, defaultEncoding: 'evt3' }],
]);

/** Sensor generations as written in `sensor_generation` / `generation` fields. */
const BY_GENERATION: ReadonlyArray<[RegExp, KnownSensor]> = [
  [/^3(\.[01])?$/, { name: 'Gen3.x', geometry: VGA, defaultEncoding: 'evt2' }],
  [/^4(\.[012])?$/, { name: 'Gen4.x / IMX636', geometry: HD, defaultEncoding: 'evt3' }],
  [/^320(\.\d)?$/, { name: 'GenX320', geometry: GENX320, defaultEncoding: 'evt3' }],
];

/** HAL plugin names (`plugin_name`), matched as substrings. */
const BY_PLUGIN: ReadonlyArray<[RegExp, KnownSensor]> = [
  [/imx636/i, { name: 'IMX636', geometry: HD, defaultEncoding: 'evt3' }],
  [/gen4/i, { name: 'Gen4.x', geometry: HD, defaultEncoding: 'evt3' }],
  [/genx320/i, { name: 'GenX320', geometry: GENX320, defaultEncoding: 'evt3' }],
  [/gen3/i, { name: 'Gen3.x', geometry: VGA, defaultEncoding: 'evt2' }],
];

/**
 * Infers the sensor from header fields (keys lower-case). Like OpenEB, the system ID is trusted only when
 * the integrator is Prophesee or unnamed (old recordings); generation and plugin names are used as given.
 */
export function inferSensor(fields: ReadonlyMap<string, string>): KnownSensor | undefined {
  const generation = fields.get('sensor_generation') ?? fields.get('generation');
  if (generation !== undefined) {
    for (const [re, sensor] of BY_GENERATION) if (re.test(generation.trim())) return sensor;
  }
  const plugin = fields.get('plugin_name');
  if (plugin !== undefined) {
    for (const [re, sensor] of BY_PLUGIN) if (re.test(plugin)) return sensor;
  }
  const integrators = ['integrator_name', 'camera_integrator_name', 'plugin_integrator_name']
    .map((k) => fields.get(k))
    .filter((v): v is string => v !== undefined);
  const trustSystemId = integrators.every((name) => name.trim().toLowerCase() === 'prophesee');
  const systemId = fields.get('system_id');
  if (trustSystemId && systemId !== undefined) {
    const id = Number.parseInt(systemId.trim(), systemId.trim().startsWith('0x') ? 16 : 10);
    return BY_SYSTEM_ID.get(id);
  }
  return undefined;
}
