import type { Command } from 'commander';
import type { EventBatch } from '../../contracts/eventBatch.js';
import type { EventEncoding } from '../../contracts/eventEncoding.js';
import { readRawFile } from '../../ingest/file/rawFileReader.js';
import { CliError, EXIT_BAD_DATA, fileError } from '../cliError.js';
import { parseEncoding, parsePositiveInt } from '../options.js';

/** Real cameras emit no reserved word types; above this share of the words the file is not EVT data. */
const MAX_INVALID_WORD_SHARE = 0.01;

/** The figures `evpilot inspect --json` prints (one JSON object). Times in µs of sensor time. */
export interface InspectReport {
  file: string;
  format: string;
  encoding: EventEncoding;
  width: number;
  height: number;
  geometrySource: string;
  sensor: string | null;
  headerBytes: number;
  dataBytes: number;
  events: number;
  onEvents: number;
  offEvents: number;
  tFirstUs: number | null;
  tLastUs: number | null;
  durationS: number;
  eventRateMeps: number;
  sumX: number;
  sumY: number;
  droppedEvents: number;
  droppedOutOfGeometry: number;
  droppedNoTimeBase: number;
  invalidWords: number;
  triggers: number;
  otherWords: number;
  timeWraps: number;
  backwardsTimestamps: number;
  trailingBytes: number;
  warnings: string[];
}

interface InspectOptions {
  json?: boolean;
  format?: EventEncoding;
  width?: number;
  height?: number;
  shiftTime?: boolean;
}

export async function inspectFile(path: string, opts: InspectOptions = {}): Promise<InspectReport> {
  let events = 0;
  let sumX = 0;
  let sumY = 0;
  let tFirst = Number.NaN;
  let tLast = Number.NaN;
  let backwards = 0;
  const onBatch = (b: EventBatch) => {
    const n = b.length;
    if (n === 0) return;
    if (events === 0) tFirst = b.tUs[0]!;
    let sx = 0;
    let sy = 0;
    let prev = events === 0 ? b.tUs[0]! : tLast;
    const X = b.x;
    const Y = b.y;
    const T = b.tUs;
    for (let i = 0; i < n; i++) {
      sx += X[i]!;
      sy += Y[i]!;
      const t = T[i]!;
      if (t < prev) backwards++;
      prev = t;
    }
    sumX += sx;
    sumY += sy;
    tLast = prev;
    events += n;
  };
  const { info, counters: c } = await readRawFile(path, onBatch, {
    encoding: opts.format,
    widthPx: opts.width,
    heightPx: opts.height,
    timeShift: opts.shiftTime ? 'prophesee' : 'none',
  });
  const dataBytes = info.fileBytes - info.header.headerBytes;
  const wordBytes = info.format.encoding === 'evt3' ? 2 : 4;
  const words = Math.floor(dataBytes / wordBytes);
  const warnings: string[] = [];
  if (dataBytes === 0) warnings.push('no event data after the header');
  if (words > 0 && c.invalidWords / words > MAX_INVALID_WORD_SHARE) {
    warnings.push(
      `${c.invalidWords} of ${words} words (${((100 * c.invalidWords) / words).toFixed(1)} %) have reserved types: ` +
        `this does not look like ${info.format.formatName} data`,
    );
  }
  if (c.trailingBytes > 0) warnings.push(`the data ends inside a word (${c.trailingBytes} trailing bytes): truncated file?`);
  const durationS = events > 1 ? (tLast - tFirst) / 1e6 : 0;
  return {
    file: path,
    format: info.format.formatName,
    encoding: info.format.encoding,
    width: info.format.geometry.widthPx,
    height: info.format.geometry.heightPx,
    geometrySource: info.format.geometrySource,
    sensor: info.format.sensorName ?? null,
    headerBytes: info.header.headerBytes,
    dataBytes,
    events,
    onEvents: c.onEvents,
    offEvents: c.offEvents,
    tFirstUs: events > 0 ? tFirst : null,
    tLastUs: events > 0 ? tLast : null,
    durationS,
    eventRateMeps: durationS > 0 ? events / durationS / 1e6 : 0,
    sumX,
    sumY,
    droppedEvents: c.droppedOutOfGeometry + c.droppedNoTimeBase,
    droppedOutOfGeometry: c.droppedOutOfGeometry,
    droppedNoTimeBase: c.droppedNoTimeBase,
    invalidWords: c.invalidWords,
    triggers: c.triggers,
    otherWords: c.otherWords,
    timeWraps: c.timeWraps,
    backwardsTimestamps: backwards,
    trailingBytes: c.trailingBytes,
    warnings,
  };
}

function humanReport(r: InspectReport): string {
  const fmt = (n: number) => n.toLocaleString('en-US');
  const lines = [
    `${r.file}`,
    `  format        ${r.format} (${r.encoding}), ${r.width} x ${r.height} px (geometry from ${r.geometrySource}${r.sensor ? `, sensor ${r.sensor}` : ''})`,
    `  data          ${fmt(r.dataBytes)} bytes after a ${fmt(r.headerBytes)}-byte header`,
    `  events        ${fmt(r.events)} (ON ${fmt(r.onEvents)}, OFF ${fmt(r.offEvents)})`,
    `  time          ${r.tFirstUs ?? '-'} .. ${r.tLastUs ?? '-'} µs (${r.durationS.toFixed(3)} s, ${r.eventRateMeps.toFixed(3)} M events/s)`,
    `  mean x, y     ${r.events ? (r.sumX / r.events).toFixed(1) : '-'}, ${r.events ? (r.sumY / r.events).toFixed(1) : '-'}`,
    `  dropped       ${fmt(r.droppedEvents)} (outside geometry ${fmt(r.droppedOutOfGeometry)}, before time base ${fmt(r.droppedNoTimeBase)})`,
    `  other words   triggers ${fmt(r.triggers)}, system ${fmt(r.otherWords)}, invalid ${fmt(r.invalidWords)}`,
    `  time          ${r.timeWraps} counter wraps, ${fmt(r.backwardsTimestamps)} backwards steps`,
  ];
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('Decode a Prophesee RAW recording (EVT 2.0 / EVT 3.0) and summarise it')
    .argument('<file>', 'RAW file to read')
    .option('--json', 'print one JSON object instead of the readable summary')
    .option('--format <encoding>', 'encoding for files without a header: evt2 or evt3', parseEncoding)
    .option('--width <px>', 'sensor width, for headers without geometry', parsePositiveInt)
    .option('--height <px>', 'sensor height, for headers without geometry', parsePositiveInt)
    .option('--shift-time', 'shift timestamps as Metavision does by default (first time base → 0)')
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 file cannot be read, 2 usage error, 3 not event data / unsupported format.\n' +
        'JSON fields: format, encoding, width, height, events, onEvents, offEvents, tFirstUs, tLastUs, sumX, sumY,\n' +
        'droppedEvents, invalidWords, triggers, timeWraps, backwardsTimestamps, trailingBytes, warnings, …',
    )
    .action(async (file: string, opts: InspectOptions) => {
      let report: InspectReport;
      try {
        report = await inspectFile(file, opts);
      } catch (err) {
        throw fileError(file, err);
      }
      process.stdout.write((opts.json ? JSON.stringify(report) : humanReport(report)) + '\n');
      const notEventData = report.warnings.some((w) => w.includes('does not look like'));
      if (notEventData) throw new CliError(`${file}: not valid ${report.format} event data (see warnings)`, EXIT_BAD_DATA);
    });
}
