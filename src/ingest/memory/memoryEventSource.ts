import type { EventBatch } from '../../contracts/eventBatch.js';
import type { EventSource } from '../../contracts/eventSource.js';
import type { SensorGeometry } from '../../contracts/sensorGeometry.js';

/**
 * The EventSource test double: events and sensor-time reports are pushed in by the test (or by an
 * in-process producer), synchronously, in the order given. Nothing is queued before `start`.
 */
export class MemoryEventSource implements EventSource {
  private onBatch: ((batch: EventBatch) => void) | undefined;
  private onTime: ((tUs: number) => void) | undefined;
  private closed = false;

  constructor(public geometry: SensorGeometry | undefined) {}

  async start(onBatch: (batch: EventBatch) => void, onSensorTime?: (tUs: number) => void): Promise<void> {
    if (this.onBatch !== undefined) throw new Error('MemoryEventSource.start called twice');
    this.onBatch = onBatch;
    this.onTime = onSensorTime;
  }

  /** Delivers a batch (and then its last timestamp as delivered sensor time), as a live source would. */
  deliver(batch: EventBatch, sensorTimeUs = batch.length > 0 ? batch.tUs[batch.length - 1]! : undefined): void {
    if (this.onBatch === undefined || this.closed) throw new Error('MemoryEventSource: not started, or closed');
    if (batch.length > 0) this.onBatch(batch);
    if (sensorTimeUs !== undefined) this.onTime?.(sensorTimeUs);
  }

  /** Reports sensor time with no events (a heartbeat). */
  heartbeat(tUs: number): void {
    this.deliver({ length: 0, x: new Uint16Array(0), y: new Uint16Array(0), p: new Uint8Array(0), tUs: new Float64Array(0) }, tUs);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
