/**
 * Writes an `.evsim` dataset file (format.ts) record by record, synchronously (the recorder runs in
 * lock-step; ordered, simple, and a crash leaves a readable prefix without the `end` record).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { EventBatch } from '../../src/contracts/eventBatch.js';
import { encodeEvents, encodeFileHeader, encodeRecord, encodeTruth, encodeVehicle, type TruthPlanes } from './codec.js';
import { RecordType, type DatasetHeader } from './format.js';

export class DatasetWriter {
  private fd: number | undefined;
  bytesWritten = 0;
  readonly recordCounts = { events: 0, truth: 0, vehicle: 0, reset: 0 };

  private constructor(
    fd: number,
    private readonly level: number,
  ) {
    this.fd = fd;
  }

  /** Creates (or truncates) `path` and writes the file header. `level`: deflate level 0–9 (0 = none). */
  static create(path: string, header: DatasetHeader): DatasetWriter {
    const fd = openSync(path, 'w');
    const w = new DatasetWriter(fd, header.compression.codec === 'none' ? 0 : header.compression.level);
    w.write(encodeFileHeader(header));
    return w;
  }

  writeEvents(tStartUs: number, tEndUs: number, batch: EventBatch): void {
    this.write(encodeRecord(RecordType.events, tEndUs, encodeEvents(batch, tStartUs), this.level));
    this.recordCounts.events++;
  }

  writeTruth(tUs: number, truth: TruthPlanes): void {
    this.write(encodeRecord(RecordType.truth, tUs, encodeTruth(truth), this.level));
    this.recordCounts.truth++;
  }

  writeVehicle(tUs: number, values: ArrayLike<number>): void {
    this.write(encodeRecord(RecordType.vehicle, tUs, encodeVehicle(values), this.level));
    this.recordCounts.vehicle++;
  }

  writeReset(tUs: number, info: object): void {
    this.write(encodeRecord(RecordType.reset, tUs, Buffer.from(JSON.stringify(info), 'utf8'), 0));
    this.recordCounts.reset++;
  }

  /** Writes the `end` record with a summary and closes the file. */
  close(tUs: number, summary: object): void {
    this.write(encodeRecord(RecordType.end, tUs, Buffer.from(JSON.stringify(summary), 'utf8'), 0));
    this.abort();
  }

  /** Closes without the `end` record (readers will report the file as truncated). */
  abort(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private write(buf: Buffer): void {
    if (this.fd === undefined) throw new Error('dataset writer is closed');
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    this.bytesWritten += buf.length;
  }
}
