/**
 * The closed-loop runner: steps world + vehicle + camera + events at a fixed control rate and asks a
 * controller for the next setpoint after every control period.
 *
 *   for each tick k (period 1/controlRateHz):
 *     sim.advanceTo(k · period)            → the window's events (time-ordered)
 *     setpoint = await controller(window, vehicle view, tUs)
 *     vehicle.setVelocitySetpoint(setpoint) (applied from now until the next tick)
 *     pace(tUs)                            → lock-step: nothing; real time: wait for the wall clock
 *
 * Lock-step (no pacer) is deterministic and runs as fast as the CPU allows; with `realTimePacer` the
 * loop waits until the injected wall clock has caught up with simulation time (if the simulator is
 * slower than real time it runs late and the pacer reports how late). The full runtime plugs in as the
 * controller (or, over ZeroMQ and a serial link, by replacing it entirely).
 */
import type { EventBatch } from '../../src/contracts/eventBatch.js';
import { EventBuffer } from '../../src/formats/evt/eventBuffer.js';
import type { TruthFrame } from '../truth/groundTruth.js';
import type { ReportedState, SimVehicleState, Vector3 } from '../vehicle/simVehicle.js';
import type { Simulation } from './simulation.js';

/** The events of one control period (tStartUs, tEndUs], time-ordered, sensor geometry. */
export interface SimWindow {
  readonly index: number;
  readonly tStartUs: number;
  readonly tEndUs: number;
  /** Valid during the callback only (the buffer is reused): copy what you keep. */
  readonly events: EventBatch;
}

/** What the controller may look at: the truth, and what a flight controller would report. */
export interface VehicleView {
  readonly truth: SimVehicleState;
  readonly reported: ReportedState;
}

export interface Setpoint {
  /** Body FRD levelled about the heading (MAV_FRAME_BODY_NED), m/s. */
  readonly velBodyMS: Vector3;
  /** Heading rate, rad/s, positive nose right. */
  readonly yawRateRadS: number;
}

export type Controller = (window: SimWindow, vehicle: VehicleView, tUs: number) => Setpoint | Promise<Setpoint>;

export interface ClosedLoopOptions {
  readonly sim: Simulation;
  readonly controller: Controller;
  /** Control (and window) rate, Hz (default 100). Its period must be a whole number of µs. */
  readonly controlRateHz?: number;
  readonly durationS: number;
  /** Called after each window with the window and, when `truthEvery` divides the index, the truth. */
  readonly onWindow?: (window: SimWindow, vehicle: VehicleView, truth: TruthFrame | undefined) => void | Promise<void>;
  /** Compute ground truth every n-th window (0 = never; default 0). */
  readonly truthEvery?: number;
  /** What to do after a collision: stop the run, respawn at the start, or carry on (default stop). */
  readonly onCollision?: 'stop' | 'respawn' | 'continue';
  /** What to do when the vehicle has made `courseLengthM` of progress since the (re)start (default ignore). */
  readonly onCourseEnd?: 'stop' | 'respawn' | 'ignore';
  /** Called after a respawn (the event stream restarts from the new view). */
  readonly onRespawn?: (reason: 'collision' | 'courseEnd', tUs: number) => void;
  /** Real-time pacing (see realTime.ts); absent = lock-step, as fast as possible. */
  readonly pace?: (simTUs: number) => Promise<void>;
  /** Checked every window; return true to stop early (e.g. course completed). */
  readonly shouldStop?: (vehicle: VehicleView, tUs: number) => boolean;
}

export interface ClosedLoopSummary {
  readonly simulatedS: number;
  readonly windows: number;
  readonly events: number;
  readonly samples: number;
  readonly collisions: number;
  readonly respawns: number;
  readonly minClearanceM: number;
  /** Distance flown (path length), m, and progress along the goal heading from the start, m. */
  readonly distanceM: number;
  readonly progressM: number;
  readonly stoppedBy: 'duration' | 'collision' | 'courseEnd' | 'shouldStop';
  /** Courses completed (progress ≥ the scenario's course length). */
  readonly coursesCompleted: number;
}

export async function runClosedLoop(opts: ClosedLoopOptions): Promise<ClosedLoopSummary> {
  const sim = opts.sim;
  const rate = opts.controlRateHz ?? 100;
  const periodUs = 1e6 / rate;
  if (!Number.isInteger(periodUs)) throw new Error(`control rate ${rate} Hz has no whole-µs period`);
  const sc = sim.scenario;
  const t0 = sim.tUs;
  const endUs = t0 + Math.round(opts.durationS * 1e6);
  const buffer = new EventBuffer(1 << 14);
  const goalN = Math.cos(sc.goalYawRad);
  const goalE = Math.sin(sc.goalYawRad);
  let index = 0;
  let distance = 0;
  let progressBase = 0;
  let respawns = 0;
  let minClearance = Number.POSITIVE_INFINITY;
  let seenCollisions = sim.vehicle.collisions.length;
  let stoppedBy: ClosedLoopSummary['stoppedBy'] = 'duration';
  const startEvents = sim.stats.events;
  const startSamples = sim.stats.samples;
  let lastN = sim.vehicle.positionNed[0]!;
  let lastE = sim.vehicle.positionNed[1]!;
  let progress = 0;
  let coursesCompleted = 0;
  const restart = (reason: 'collision' | 'courseEnd'): void => {
    progressBase = progress;
    sim.respawn({ northM: sc.startNorthM, eastM: sc.startEastM, altitudeM: sc.startAltitudeM, yawRad: sc.startYawRad });
    lastN = sc.startNorthM;
    lastE = sc.startEastM;
    respawns++;
    opts.onRespawn?.(reason, sim.tUs);
  };
  while (sim.tUs < endUs) {
    const tStart = sim.tUs;
    const tEnd = Math.min(endUs, t0 + (index + 1) * periodUs);
    buffer.clear();
    sim.advanceTo(tEnd, buffer);
    const window: SimWindow = { index, tStartUs: tStart, tEndUs: tEnd, events: buffer };
    const view: VehicleView = { truth: sim.vehicle.state(), reported: sim.vehicle.reported() };
    const pn = view.truth.positionNedM.northM;
    const pe = view.truth.positionNedM.eastM;
    distance += Math.hypot(pn - lastN, pe - lastE);
    lastN = pn;
    lastE = pe;
    progress = progressBase + (pn - sc.startNorthM) * goalN + (pe - sc.startEastM) * goalE;
    minClearance = Math.min(minClearance, view.truth.minClearanceM);
    const truthEvery = opts.truthEvery ?? 0;
    const truth = truthEvery > 0 && index % truthEvery === 0 ? sim.truthNow() : undefined;
    if (opts.onWindow) await opts.onWindow(window, view, truth);
    index++;
    if (sim.vehicle.collisions.length > seenCollisions) {
      seenCollisions = sim.vehicle.collisions.length;
      const policy = opts.onCollision ?? 'stop';
      if (policy === 'stop') {
        stoppedBy = 'collision';
        break;
      }
      if (policy === 'respawn') {
        restart('collision');
        continue;
      }
    }
    if (progress - progressBase >= sc.courseLengthM && (opts.onCourseEnd ?? 'ignore') !== 'ignore') {
      coursesCompleted++;
      if (opts.onCourseEnd === 'stop') {
        stoppedBy = 'courseEnd';
        break;
      }
      restart('courseEnd');
      continue;
    }
    if (opts.shouldStop?.(view, sim.tUs)) {
      stoppedBy = 'shouldStop';
      break;
    }
    const sp = await opts.controller(window, view, sim.tUs);
    sim.vehicle.setVelocitySetpoint(sp.velBodyMS, sp.yawRateRadS);
    if (opts.pace) await opts.pace(sim.tUs);
  }
  return {
    simulatedS: (sim.tUs - t0) / 1e6,
    windows: index,
    events: sim.stats.events - startEvents,
    samples: sim.stats.samples - startSamples,
    collisions: sim.vehicle.collisions.length,
    respawns,
    minClearanceM: minClearance,
    distanceM: distance,
    progressM: progress,
    stoppedBy,
    coursesCompleted,
  };
}
