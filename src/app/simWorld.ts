/**
 * The simulated outside world of a closed-loop flight: the Simulation (world, vehicle dynamics, event
 * camera) publishing its events as EVT 3.0 EVPK packets over ZeroMQ like a camera driver, paced to the
 * wall clock, with the vehicle flying whatever the flight-controller emulator last commanded.
 *
 * It meets the rest of the loop only through sockets and the shared vehicle channel, so it can run in a
 * worker thread (simWorldWorker.ts; the default, so that rendering does not steal the runtime's event
 * loop) or in the caller's thread.
 *
 * Per control period (sim/runner's closed loop): the simulator advances by one period, its packets go out
 * paced by sensor time, the vehicle's state and the flight figures are written to the channel, and the
 * controller hands the vehicle the setpoint the emulator commanded (zero velocity = hover while the
 * emulator holds or before it has commanded anything).
 */
import type { CameraIntrinsics } from '../contracts/cameraIntrinsics.js';
import { sameGeometry, type SensorGeometry } from '../contracts/sensorGeometry.js';
import { ZmqEventPublisher, type ZmqPublisherCounters } from '../ingest/zmq/index.js';
import { realClock } from '../platform/time.js';
import { Simulation } from '../../sim/runner/simulation.js';
import { streamEvents } from '../../sim/runner/eventStreamer.js';
import { realTimePacer } from '../../sim/runner/realTime.js';
import type { Setpoint } from '../../sim/runner/closedLoop.js';
import type { SimVehicleState } from '../../sim/vehicle/simVehicle.js';
import { buildScenario, domainPreset, SCENARIO_NAMES } from '../../sim/scenarios/index.js';
import { FlightTracker, type FlightFigures } from './flightTracker.js';
import type { SharedTruthChannel } from './sharedTruthChannel.js';
import { emptyVehicleCommand, emptyVehicleState, type SharedVehicleChannel } from './sharedVehicleChannel.js';

/** Rate at which the simulator hands the vehicle the emulator's latest command, Hz (5 ms: whole-ms packets divide it). */
export const SIM_CONTROL_RATE_HZ = 200;
/** Packet length in sensor time, µs (WIRE_FORMAT.md's recommendation). */
const PACKET_US = 1000;

export interface SimWorldOptions {
  readonly scenario: string;
  readonly domain: 'A' | 'B';
  readonly seed: number;
  /** Simulated duration, s. */
  readonly durationS: number;
  /** Real-time factor: simulated seconds per wall second. */
  readonly speed: number;
  /** ZeroMQ endpoint the camera-driver publisher binds. */
  readonly endpoint: string;
  readonly sensorId: number;
  /** How long `run` waits for the runtime to subscribe before streaming anyway, ms. */
  readonly waitSubscriberMs: number;
}

/** What the runtime side needs to know about the world (plain data: crosses threads). */
export interface SimWorldInfo {
  readonly scenario: string;
  readonly domain: 'A' | 'B';
  readonly seed: number;
  readonly obstacles: number;
  readonly sensor: SensorGeometry;
  readonly intrinsics: CameraIntrinsics;
  readonly horizontalFovRad: number;
  readonly mountPitchUpRad: number;
  /** Goal heading (rad from north towards east) and course length, m. */
  readonly goalYawRad: number;
  readonly courseLengthM: number;
  readonly startNorthM: number;
  readonly startEastM: number;
  /** The endpoint actually bound. */
  readonly endpoint: string;
}

export interface SimWorldSummary {
  readonly simulatedS: number;
  /** `duration`: ran its full time; `aborted`: stopped early (Ctrl-C or a failure elsewhere). */
  readonly stoppedBy: 'duration' | 'aborted';
  readonly windows: number;
  readonly events: number;
  readonly flight: FlightFigures;
  /** The runner's own figures, when it ran to the end (a cross-check of `flight`). */
  readonly runner: FlightFigures | null;
  readonly packets: number;
  readonly heartbeats: number;
  /** Worst lag of the simulator behind the wall clock, ms. */
  readonly maxLagMs: number;
  readonly publisher: ZmqPublisherCounters;
}

class SimAborted extends Error {
  constructor() {
    super('simulation stopped');
    this.name = 'SimAborted';
  }
}

export class SimWorld {
  private constructor(
    private readonly sim: Simulation,
    private readonly publisher: ZmqEventPublisher,
    private readonly channel: SharedVehicleChannel,
    private readonly opts: SimWorldOptions,
    readonly info: SimWorldInfo,
    private readonly truth: SharedTruthChannel | undefined,
  ) {}

  /**
   * Builds the scenario and the simulation, binds the publisher, writes the initial vehicle state. With `truth`,
   * the simulator also renders its true ν map (network geometry) every control period and writes it there
   * (a diagnostic: sharedTruthChannel.ts).
   */
  static async create(opts: SimWorldOptions, channel: SharedVehicleChannel, truth?: SharedTruthChannel): Promise<SimWorld> {
    if (!SCENARIO_NAMES.includes(opts.scenario)) throw new Error(`unknown scenario '${opts.scenario}' (known: ${SCENARIO_NAMES.join(', ')})`);
    const scenario = buildScenario(opts.scenario, { seed: opts.seed, domain: domainPreset(opts.domain) });
    const sim = new Simulation({ scenario, seed: opts.seed });
    const truthGeometry = { widthPx: sim.truth.camera.widthPx, heightPx: sim.truth.camera.heightPx };
    if (truth && !sameGeometry(truth.geometry, truthGeometry)) {
      throw new Error(`truth channel holds ${truth.geometry.widthPx}×${truth.geometry.heightPx} maps, the simulator's truth is ${truthGeometry.widthPx}×${truthGeometry.heightPx}`);
    }
    const cam = sim.camera;
    const publisher = new ZmqEventPublisher({ endpoint: opts.endpoint, sensorId: opts.sensorId, geometry: cam.spec.geometry, encoding: 'evt3' });
    await publisher.open();
    const info: SimWorldInfo = {
      scenario: scenario.name,
      domain: opts.domain,
      seed: opts.seed,
      obstacles: scenario.world.obstacles.count,
      sensor: cam.spec.geometry,
      intrinsics: { fxPx: cam.fxPx, fyPx: cam.fyPx, cxPx: cam.cxPx, cyPx: cam.cyPx },
      horizontalFovRad: cam.spec.horizontalFovRad,
      mountPitchUpRad: cam.spec.mountPitchRad,
      goalYawRad: scenario.goalYawRad,
      courseLengthM: scenario.courseLengthM,
      startNorthM: scenario.startNorthM,
      startEastM: scenario.startEastM,
      endpoint: publisher.endpoint,
    };
    const world = new SimWorld(sim, publisher, channel, opts, info, truth);
    world.publishState(sim.vehicle.state(), new FlightTracker(info).figures, 0, 0, 0);
    return world;
  }

  /** Streams the flight until its duration has been simulated or `signal` aborts. */
  async run(signal: AbortSignal): Promise<SimWorldSummary> {
    const { sim, publisher, channel, opts } = this;
    await publisher.waitForSubscriber(opts.waitSubscriberMs);
    const pacer = realTimePacer(realClock, opts.speed);
    const tracker = new FlightTracker(this.info, sim.vehicle.collisions.length);
    const command = emptyVehicleCommand();
    const setpoint = { velBodyMS: { x: 0, y: 0, z: 0 }, yawRateRadS: 0 };
    let windows = 0;
    let events = 0;
    let stoppedBy: SimWorldSummary['stoppedBy'] = 'duration';
    let result: Awaited<ReturnType<typeof streamEvents>> | undefined;
    try {
      result = await streamEvents({
        sim,
        sink: publisher,
        durationS: opts.durationS,
        controlRateHz: SIM_CONTROL_RATE_HZ,
        packetUs: PACKET_US,
        onCollision: 'respawn',
        // Stopping goes through the pacer: it is awaited before every packet, so an abort ends the run
        // within one packet interval.
        pace: async (tUs) => {
          if (signal.aborted) throw new SimAborted();
          await pacer(tUs);
        },
        controller: (): Setpoint => {
          channel.readCommand(command);
          const v = setpoint.velBodyMS as { x: number; y: number; z: number };
          v.x = command.velForwardMS;
          v.y = command.velRightMS;
          v.z = command.velDownMS;
          setpoint.yawRateRadS = command.yawRateRadS;
          return setpoint;
        },
        truthEvery: this.truth ? 1 : 0,
        onWindow: (_tUs, n, truth) => {
          if (truth && this.truth) this.truth.write(truth.tUs, truth.invTtcPerS);
          windows++;
          events += n;
          const s = sim.vehicle.state();
          tracker.update(s.positionNedM.northM, s.positionNedM.eastM, s.minClearanceM, sim.vehicle.collisions.length);
          this.publishState(s, tracker.figures, events, windows, pacer.maxLagUs);
        },
      });
    } catch (err) {
      if (!(err instanceof SimAborted)) throw err;
      stoppedBy = 'aborted';
    }
    return {
      simulatedS: sim.tUs / 1e6,
      stoppedBy,
      windows,
      events,
      flight: tracker.figures,
      runner: result
        ? {
            distanceM: result.distanceM,
            progressM: result.progressM,
            minClearanceM: result.minClearanceM,
            collisions: result.collisions,
            respawns: result.respawns,
            coursesCompleted: result.coursesCompleted,
          }
        : null,
      packets: publisher.counters.packets,
      heartbeats: publisher.counters.heartbeats,
      maxLagMs: pacer.maxLagUs / 1000,
      publisher: publisher.counters,
    };
  }

  /** Closes the publisher (flushing for at most its linger time). */
  async close(): Promise<void> {
    await this.publisher.close();
  }

  private readonly stateScratch = emptyVehicleState();

  /** Writes the vehicle (`truth` is its state() now) and the flight figures to the channel. */
  private publishState(truth: SimVehicleState, f: FlightFigures, events: number, windows: number, maxLagUs: number): void {
    const rep = this.sim.vehicle.reported();
    const s = this.stateScratch;
    s.simTUs = this.sim.tUs;
    // The estimator's position (true north/east, height with the estimator's error): what PX4 reports.
    s.northM = rep.positionNedM.northM;
    s.eastM = rep.positionNedM.eastM;
    s.downM = rep.positionNedM.downM;
    s.velNorthMS = rep.velocityNedMS.northMS;
    s.velEastMS = rep.velocityNedMS.eastMS;
    s.velDownMS = rep.velocityNedMS.downMS;
    s.rollRad = rep.attitude.rollRad;
    s.pitchRad = rep.attitude.pitchRad;
    s.yawRad = rep.attitude.yawRad;
    s.rollRateRadS = rep.bodyRatesRadS.rollRadS;
    s.pitchRateRadS = rep.bodyRatesRadS.pitchRadS;
    s.yawRateRadS = rep.bodyRatesRadS.yawRadS;
    s.batteryV = truth.batteryV;
    s.clearanceM = truth.clearanceM;
    s.distanceM = f.distanceM;
    s.progressM = f.progressM;
    s.minClearanceM = f.minClearanceM;
    s.collisions = f.collisions;
    s.respawns = f.respawns;
    s.coursesCompleted = f.coursesCompleted;
    s.events = events;
    s.windows = windows;
    s.maxLagUs = maxLagUs;
    this.channel.writeState(s);
  }
}
