/** Test worker: writes `count` vehicle states whose every field equals the snapshot's number, then exits. */
import { workerData } from 'node:worker_threads';
import { SharedVehicleChannel, emptyVehicleState, type SharedVehicleState } from '../../../src/app/sharedVehicleChannel.js';

const { buffer, count } = workerData as { buffer: SharedArrayBuffer; count: number };
const channel = SharedVehicleChannel.attach(buffer);
const s = emptyVehicleState();
const keys = Object.keys(s) as (keyof SharedVehicleState)[];
for (let k = 1; k <= count; k++) {
  for (const key of keys) s[key] = k;
  channel.writeState(s);
}
