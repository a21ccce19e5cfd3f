/**
 * Prophesee EVT 2.0 / 3.0 codecs: pure functions over bytes and typed arrays, no I/O. Used by ingest
 * (files, live packets), by the simulator (its camera speaks EVT 3.0) and by the tools.
 */
import type { EventEncoding } from '../../contracts/eventEncoding.js';
import type { SensorGeometry } from '../../contracts/sensorGeometry.js';
import type { DecoderOptions, EventDecoder } from './decoder.js';
import type { EventEncoder } from './encoder.js';
import { Evt2Decoder } from './evt2Decoder.js';
import { Evt2Encoder } from './evt2Encoder.js';
import { Evt3Decoder } from './evt3Decoder.js';
import { Evt3Encoder } from './evt3Encoder.js';

export type { BatchSink, DecoderOptions, EventDecoder } from './decoder.js';
export type { EventEncoder } from './encoder.js';
export { EventBuffer, copyBatch } from './eventBuffer.js';
export { Evt2Decoder, Evt2Encoder, Evt3Decoder, Evt3Encoder };
export {
  parseRawHeader,
  resolveRawFormat,
  formatRawHeader,
  RawFormatError,
  type RawHeader,
  type RawFormat,
  type RawFormatOverrides,
} from './rawHeader.js';
export { inferSensor, type KnownSensor } from './sensors.js';

export function createDecoder(encoding: EventEncoding, geometry: SensorGeometry, options?: DecoderOptions): EventDecoder {
  return encoding === 'evt3' ? new Evt3Decoder(geometry, options) : new Evt2Decoder(geometry, options);
}

export function createEncoder(encoding: EventEncoding): EventEncoder {
  return encoding === 'evt3' ? new Evt3Encoder() : new Evt2Encoder();
}
