import type { EventBatch } from './eventBatch.js';
import type { SensorGeometry } from './sensorGeometry.js';

/**
 * Anything that delivers decoded events: a file reader, a ZeroMQ subscriber (live camera driver or
 * simulator), a test double. Batches arrive in sensor-time order per sensor.
 */
export interface EventSource {
  /** Sensor geometry, known once the first packet/header has been read. */
  readonly geometry: SensorGeometry | undefined;
  /** Start delivering; `onBatch` is called with batches valid only during the call. */
  start(onBatch: (batch: EventBatch) => void): Promise<void>;
  /** Stop and release sockets/files. Idempotent. */
  close(): Promise<void>;
}
