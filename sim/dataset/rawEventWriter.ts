/**
 * Writes simulated events as a Prophesee RAW file in EVT 3.0 (the text header `% format EVT3;…`, then
 * one continuous stateful EVT 3.0 word stream), using the project's encoder. Such a file is read by
 * `evpilot inspect` and replayed by `evpilot replay` like a real camera's recording.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { EventBatch } from '../../src/contracts/eventBatch.js';
import type { SensorGeometry } from '../../src/contracts/sensorGeometry.js';
import { createEncoder, formatRawHeader, type EventEncoder } from '../../src/formats/evt/index.js';

export class RawEventWriter {
  private fd: number | undefined;
  private readonly encoder: EventEncoder = createEncoder('evt3');
  events = 0;
  bytesWritten = 0;

  private constructor(fd: number) {
    this.fd = fd;
  }

  /** Creates `path` with an EVT 3.0 RAW header for `geometry`; `fields` become extra `% key value` lines. */
  static create(path: string, geometry: SensorGeometry, fields: Readonly<Record<string, string>> = {}): RawEventWriter {
    const w = new RawEventWriter(openSync(path, 'w'));
    w.write(formatRawHeader('evt3', geometry, fields));
    return w;
  }

  /** Appends events (time-ordered, continuing the previous batches). */
  writeEvents(batch: EventBatch): void {
    if (batch.length === 0) return;
    this.write(this.encoder.encode(batch));
    this.events += batch.length;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private write(bytes: Uint8Array): void {
    if (this.fd === undefined) throw new Error('RAW writer is closed');
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
    this.bytesWritten += bytes.length;
  }
}
