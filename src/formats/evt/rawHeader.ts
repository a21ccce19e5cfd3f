import type { EventEncoding } from '../../contracts/eventEncoding.js';
import { sameGeometry, type SensorGeometry } from '../../contracts/sensorGeometry.js';
import { inferSensor } from './sensors.js';

/**
 * The text header of a Prophesee RAW file: lines starting with `%` at the very start of the file, such as
 *
 *     % camera_integrator_name Prophesee
 *     % format EVT3;height=720;width=1280
 *     % geometry 1280x720
 *     % sensor_generation 4.2
 *     % system_ID 49
 *     % end
 *
 * `% end` is optional (older files); without it the header ends at the first line that does not start
 * with `%`. Older recordings write `% evt 3.0` instead of `format`, and some carry no geometry at all.
 */
export interface RawHeader {
  /** Bytes taken by the header; event data starts here. 0 when the file has no header. */
  readonly headerBytes: number;
  /** Header lines without the leading `%` and surrounding blanks. */
  readonly lines: readonly string[];
  /** `key value` pairs, keys lower-cased (a key seen twice keeps its last value). */
  readonly fields: ReadonlyMap<string, string>;
  readonly hasEndMarker: boolean;
}

/** What a header (plus the user's fallbacks) says about how to decode the data. */
export interface RawFormat {
  readonly encoding: EventEncoding;
  /** As written in the header (`EVT3`, `EVT2`) or given by the user. */
  readonly formatName: string;
  readonly geometry: SensorGeometry;
  readonly geometrySource: 'format' | 'geometry field' | 'sensor' | 'user';
  /** The sensor inferred from the header, when any. */
  readonly sensorName: string | undefined;
}

/** Fallbacks from the command line; used only where the header is silent. */
export interface RawFormatOverrides {
  readonly encoding?: EventEncoding;
  readonly widthPx?: number;
  readonly heightPx?: number;
}

/** The header or its data cannot be decoded: the message says what is wrong and what to do. */
export class RawFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RawFormatError';
  }
}

const PERCENT = 0x25;
const NEWLINE = 0x0a;
const MAX_LINE_BYTES = 4096;

/**
 * Parses the header at the start of `bytes` (pass at least the first 64 KiB of the file). A line with
 * non-text bytes is taken as the start of binary data, so a file without `% end` whose first data byte
 * happens to be `%` is still split where the text ends.
 */
export function parseRawHeader(bytes: Uint8Array): RawHeader {
  const lines: string[] = [];
  const fields = new Map<string, string>();
  let pos = 0;
  let hasEndMarker = false;
  while (pos < bytes.length && bytes[pos] === PERCENT) {
    let end = pos;
    let isText = true;
    while (end < bytes.length && bytes[end] !== NEWLINE && end - pos < MAX_LINE_BYTES) {
      const b = bytes[end]!;
      if ((b < 0x20 && b !== 0x09 && b !== 0x0d) || b >= 0x7f) isText = false;
      end++;
    }
    if (!isText || end >= bytes.length || bytes[end] !== NEWLINE) break;
    const text = Buffer.from(bytes.buffer, bytes.byteOffset + pos + 1, end - pos - 1)
      .toString('latin1')
      .trim();
    pos = end + 1;
    if (text.toLowerCase() === 'end') {
      hasEndMarker = true;
      break;
    }
    lines.push(text);
    const space = text.search(/\s/);
    const key = (space < 0 ? text : text.slice(0, space)).toLowerCase();
    const value = space < 0 ? '' : text.slice(space + 1).trim();
    if (key.length > 0) fields.set(key, value);
  }
  return { headerBytes: pos, lines, fields, hasEndMarker };
}

function formatToEncoding(name: string): EventEncoding | undefined {
  const upper = name.toUpperCase();
  if (upper === 'EVT3' || upper === 'EVT3.0') return 'evt3';
  if (upper === 'EVT2' || upper === 'EVT2.0') return 'evt2';
  return undefined;
}

function parsePositiveInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
  const v = Number.parseInt(text, 10);
  return v > 0 && v <= 2048 ? v : undefined;
}

/**
 * Decides encoding and geometry. Geometry comes from the `format` options, else the `geometry` field,
 * else the sensor named by the header (generation, plugin or system ID), else the user's width/height;
 * otherwise it is an error that says so.
 */
export function resolveRawFormat(header: RawHeader, overrides: RawFormatOverrides = {}): RawFormat {
  const f = header.fields;
  let formatName: string | undefined;
  const options = new Map<string, string>();
  const formatField = f.get('format');
  if (formatField !== undefined) {
    const [name, ...opts] = formatField.split(';');
    formatName = name!.trim();
    for (const opt of opts) {
      const eq = opt.indexOf('=');
      if (eq > 0) options.set(opt.slice(0, eq).trim().toLowerCase(), opt.slice(eq + 1).trim());
    }
  } else if (f.has('evt')) {
    const legacy = f.get('evt')!.trim();
    formatName = legacy === '3.0' ? 'EVT3' : legacy === '2.0' ? 'EVT2' : legacy === '2.1' ? 'EVT21' : `evt ${legacy}`;
  }
  const sensor = inferSensor(f);

  let encoding: EventEncoding | undefined;
  if (formatName !== undefined) {
    encoding = formatToEncoding(formatName);
    if (encoding === undefined) {
      throw new RawFormatError(
        `unsupported event format "${formatName}" in the RAW header (supported: EVT3, EVT2)`,
      );
    }
  } else if (overrides.encoding !== undefined) {
    encoding = overrides.encoding;
    formatName = overrides.encoding.toUpperCase();
  } else if (sensor !== undefined && header.headerBytes > 0) {
    encoding = sensor.defaultEncoding;
    formatName = encoding.toUpperCase();
  } else if (header.headerBytes === 0) {
    throw new RawFormatError(
      'no Prophesee RAW header (lines starting with "%") at the start of the file: not an event recording, ' +
        'or a headerless dump (then give --format evt2|evt3 with --width and --height)',
    );
  } else {
    throw new RawFormatError(
      'the RAW header names no event format (no "% format" or "% evt" line) and no known sensor; give --format evt2|evt3',
    );
  }

  const fromFormat = geometryOf(parsePositiveInt(options.get('width')), parsePositiveInt(options.get('height')));
  const geometryField = f.get('geometry');
  let fromField: SensorGeometry | undefined;
  if (geometryField !== undefined) {
    const m = /^\s*(\d+)\s*x\s*(\d+)\s*$/i.exec(geometryField);
    fromField = m ? geometryOf(parsePositiveInt(m[1]), parsePositiveInt(m[2])) : undefined;
    if (fromField === undefined) {
      throw new RawFormatError(`malformed "% geometry ${geometryField}" in the RAW header (expected WIDTHxHEIGHT)`);
    }
  }
  if (fromFormat && fromField && !sameGeometry(fromFormat, fromField)) {
    throw new RawFormatError(
      `the RAW header contradicts itself: format says ${fromFormat.widthPx}x${fromFormat.heightPx}, ` +
        `geometry says ${fromField.widthPx}x${fromField.heightPx}`,
    );
  }
  const fromUser = geometryOf(overrides.widthPx, overrides.heightPx);
  const headerGeometry = fromFormat ?? fromField ?? sensor?.geometry;
  if (headerGeometry && fromUser && !sameGeometry(headerGeometry, fromUser)) {
    throw new RawFormatError(
      `--width/--height ${fromUser.widthPx}x${fromUser.heightPx} contradict the header's ` +
        `${headerGeometry.widthPx}x${headerGeometry.heightPx}; leave them out`,
    );
  }
  const geometry = headerGeometry ?? fromUser;
  if (geometry === undefined) {
    if ((overrides.widthPx === undefined) !== (overrides.heightPx === undefined)) {
      throw new RawFormatError('give both --width and --height');
    }
    throw new RawFormatError(
      'the RAW header has no geometry and names no known sensor; give the sensor size with --width and --height',
    );
  }
  const geometrySource = fromFormat ? 'format' : fromField ? 'geometry field' : sensor ? 'sensor' : 'user';
  return { encoding, formatName, geometry, geometrySource, sensorName: sensor?.name };
}

function geometryOf(widthPx: number | undefined, heightPx: number | undefined): SensorGeometry | undefined {
  return widthPx !== undefined && heightPx !== undefined && widthPx > 0 && heightPx > 0 ? { widthPx, heightPx } : undefined;
}

/** Writes a header as Metavision does: format with geometry, the geometry field, extra fields, `% end`. */
export function formatRawHeader(
  encoding: EventEncoding,
  geometry: SensorGeometry,
  extraFields: Readonly<Record<string, string>> = {},
): Uint8Array {
  const name = encoding === 'evt3' ? 'EVT3' : 'EVT2';
  const lines = [`% format ${name};height=${geometry.heightPx};width=${geometry.widthPx}`, `% geometry ${geometry.widthPx}x${geometry.heightPx}`];
  for (const [k, v] of Object.entries(extraFields)) {
    if (/[\n\r]/.test(k + v)) throw new RangeError('header fields must be single lines');
    lines.push(`% ${k} ${v}`);
  }
  lines.push('% end');
  return new TextEncoder().encode(lines.join('\n') + '\n');
}
