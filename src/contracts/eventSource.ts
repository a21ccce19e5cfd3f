import type { EventBatch } from './eventBatch.js';
import type { SensorGeometry } from './sensorGeometry.js';

/**
 * Anything that delivers decoded events: a file reader, a ZeroMQ subscriber (live camera driver or
 * simulator), a test double. Batches arrive in sensor-time order per sensor.
 */
export interface EventSource {
  /** Sensor geometry, known once the first packet/header has been read. */
  readonly geometry: SensorGeometry | undefined;
  /**
   * Start delivering; `onBatch` is called with batches valid only during the call. `onSensorTime`, when
   * given, is called after each packet/chunk with the sensor time (µs) up to which the source has
   * delivered everything, events or not: a live camera driver sends event-less heartbeat packets in a
   * quiet scene, and this is how they reach the window cutter so windows keep their rate.
   */
  start(onBatch: (batch: EventBatch) => void, onSensorTime?: (tUs: number) => void): Promise<void>;
  /** Stop and release sockets/files. Idempotent. */
  close(): Promise<void>;
}
