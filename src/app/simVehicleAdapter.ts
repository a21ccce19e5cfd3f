/**
 * The flight-controller emulator's vehicle (`EmulatedVehicle`) backed by the simulator's vehicle, seen
 * through the shared vehicle channel.
 *
 * - `setVelocitySetpoint` records what the emulator commands (its offboard setpoint, or zero velocity
 *   while it holds); the simulator's closed-loop controller reads it every control period.
 * - `step` does nothing: the Simulation integrates the dynamics itself, in lock with its camera and
 *   events; stepping here too would move the vehicle twice.
 * - `state` is the sim vehicle's latest snapshot: position, attitude, body rates and velocity as the
 *   simulated FC estimator reports them (what PX4 would put in ATTITUDE / LOCAL_POSITION_NED).
 */
import type { EmulatedVehicle, EmulatedVehicleState, Vector3 } from '../../firmware-bridge/emulator/emulatedVehicle.js';
import { emptyVehicleState, type SharedVehicleChannel } from './sharedVehicleChannel.js';

export class SimVehicleAdapter implements EmulatedVehicle {
  private readonly snapshot = emptyVehicleState();

  constructor(private readonly channel: SharedVehicleChannel) {}

  setVelocitySetpoint(velBodyMS: Vector3, yawRateRadS: number): void {
    this.channel.writeCommand(velBodyMS.x, velBodyMS.y, velBodyMS.z, yawRateRadS);
  }

  step(_dtS: number): void {
    // Deliberately empty: the Simulation steps the vehicle (see the file comment).
  }

  state(): EmulatedVehicleState {
    const s = this.channel.readState(this.snapshot);
    return {
      positionNedM: { northM: s.northM, eastM: s.eastM, downM: s.downM },
      velocityNedMS: { northMS: s.velNorthMS, eastMS: s.velEastMS, downMS: s.velDownMS },
      attitude: { rollRad: s.rollRad, pitchRad: s.pitchRad, yawRad: s.yawRad },
      bodyRatesRadS: { rollRadS: s.rollRateRadS, pitchRadS: s.pitchRateRadS, yawRadS: s.yawRateRadS },
      batteryV: s.batteryV,
    };
  }
}
