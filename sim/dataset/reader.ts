/**
 * Reads an `.evsim` dataset (format.ts) record by record without loading the file: open, look at the
 * header, iterate the records. CRCs are checked; a file cut short (no `end` record, or a partial last
 * record) is read up to the last whole record and flagged `truncated`; unknown record types are
 * skipped and counted (newer writers may add some).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { EventBuffer } from '../../src/formats/evt/eventBuffer.js';
import { DatasetFormatError, decodeEvents, decodeFileHeaderFixed, decodePayload, decodeRecordHeader, decodeTruth, decodeVehicle, type TruthPlanes } from './codec.js';
import { FILE_HEADER_FIXED_BYTES, RECORD_HEADER_BYTES, RecordType, type DatasetHeader } from './format.js';

export type DatasetRecord =
  | { readonly kind: 'events'; readonly tStartUs: number; readonly tEndUs: number; readonly events: EventBuffer }
  | { readonly kind: 'truth'; readonly tUs: number; readonly truth: TruthPlanes }
  | { readonly kind: 'vehicle'; readonly tUs: number; readonly values: Readonly<Record<string, number>> }
  | { readonly kind: 'reset'; readonly tUs: number; readonly info: unknown }
  | { readonly kind: 'end'; readonly tUs: number; readonly summary: unknown };

export class DatasetReader {
  readonly header: DatasetHeader;
  /** Set once iteration has met the end of a file that lacks a whole `end` record. */
  truncated = false;
  skippedRecords = 0;
  private fd: number | undefined;
  private readonly size: number;
  private readonly firstRecordOffset: number;
  private readonly events = new EventBuffer(1 << 14);

  private constructor(fd: number) {
    this.fd = fd;
    this.size = fstatSync(fd).size;
    const fixed = this.readAt(0, FILE_HEADER_FIXED_BYTES);
    const { headerLen } = decodeFileHeaderFixed(fixed);
    if (FILE_HEADER_FIXED_BYTES + headerLen > this.size) throw new DatasetFormatError('file ends inside the JSON header');
    const json = this.readAt(FILE_HEADER_FIXED_BYTES, headerLen).toString('utf8');
    let header: DatasetHeader;
    try {
      header = JSON.parse(json) as DatasetHeader;
    } catch {
      throw new DatasetFormatError('the JSON header does not parse');
    }
    if (header.format !== 'evpilot-sim-dataset') throw new DatasetFormatError(`header format '${String(header.format)}' is not evpilot-sim-dataset`);
    this.header = header;
    this.firstRecordOffset = FILE_HEADER_FIXED_BYTES + headerLen;
  }

  static open(path: string): DatasetReader {
    const fd = openSync(path, 'r');
    try {
      return new DatasetReader(fd);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /**
   * The records in file order. An `events` record's buffer is reused for the next one: copy what you
   * keep. Throws DatasetFormatError on corruption (bad CRC, impossible lengths).
   */
  *records(): Generator<DatasetRecord> {
    let off = this.firstRecordOffset;
    let sawEnd = false;
    while (off < this.size) {
      if (off + RECORD_HEADER_BYTES > this.size) break;
      const head = decodeRecordHeader(this.readAt(off, RECORD_HEADER_BYTES));
      const payloadOff = off + RECORD_HEADER_BYTES;
      if (payloadOff + head.storedLen > this.size) break;
      const raw = decodePayload(head, this.readAt(payloadOff, head.storedLen));
      off = payloadOff + head.storedLen;
      switch (head.type) {
        case RecordType.events: {
          const { tStartUs } = decodeEvents(raw, this.events);
          yield { kind: 'events', tStartUs, tEndUs: head.tUs, events: this.events };
          break;
        }
        case RecordType.truth:
          yield { kind: 'truth', tUs: head.tUs, truth: decodeTruth(raw) };
          break;
        case RecordType.vehicle:
          yield { kind: 'vehicle', tUs: head.tUs, values: decodeVehicle(raw, this.header.vehicleFields) };
          break;
        case RecordType.reset:
          yield { kind: 'reset', tUs: head.tUs, info: JSON.parse(raw.toString('utf8')) as unknown };
          break;
        case RecordType.end:
          sawEnd = true;
          yield { kind: 'end', tUs: head.tUs, summary: JSON.parse(raw.toString('utf8')) as unknown };
          break;
        default:
          this.skippedRecords++;
      }
    }
    this.truncated = !sawEnd;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private readAt(position: number, length: number): Buffer {
    if (this.fd === undefined) throw new Error('dataset reader is closed');
    const buf = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const n = readSync(this.fd, buf, got, length - got, position + got);
      if (n === 0) throw new DatasetFormatError('unexpected end of file');
      got += n;
    }
    return buf;
  }
}
