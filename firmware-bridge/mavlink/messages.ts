/**
 * The MAVLink messages the bridge sends and reads, built on node-mavlink's generated classes. Pure
 * functions: values in, message objects (or decoded fields) out; framing is the encoder's job.
 */
import { common, minimal, MavLinkProtocolV2, type MavLinkData, type MavLinkDataConstructor } from 'node-mavlink';
import type { ObstacleDistances } from '../../src/contracts/obstacleDistances.js';
import type { SteeringSetpoint } from '../../src/contracts/steeringSetpoint.js';
import type { MavlinkFrame } from './frameDecoder.js';

/** MAV_COMP_ID_ONBOARD_COMPUTER: the component id of this runtime. */
export const COMPANION_COMPONENT_ID = minimal.MavComponent.ONBOARD_COMPUTER; // 191
/** MAV_COMP_ID_AUTOPILOT1. */
export const AUTOPILOT_COMPONENT_ID = minimal.MavComponent.AUTOPILOT1; // 1

/**
 * POSITION_TARGET_TYPEMASK for "velocity and yaw rate only": ignore position x/y/z (bits 0–2, 1+2+4),
 * acceleration (bits 6–8, 64+128+256) and yaw angle (bit 10, 1024) = 1479.
 */
export const TYPE_MASK_VELOCITY_YAW_RATE = 1479;

/** The companion's 1 Hz heartbeat: an onboard controller, not an autopilot. */
export function companionHeartbeat(): minimal.Heartbeat {
  const m = new minimal.Heartbeat();
  m.type = minimal.MavType.ONBOARD_CONTROLLER; // 18
  m.autopilot = minimal.MavAutopilot.INVALID; // 8
  m.baseMode = 0 as minimal.MavModeFlag;
  m.customMode = 0;
  m.systemStatus = minimal.MavState.ACTIVE; // 4
  m.mavlinkVersion = 3;
  return m;
}

/**
 * A velocity + yaw-rate target in MAV_FRAME_BODY_NED (x forward, y right, z down about the current
 * heading), the message PX4 offboard and ArduPilot GUIDED both accept.
 */
export function velocitySetpointMessage(
  sp: SteeringSetpoint,
  timeBootMs: number,
  targetSystem: number,
  targetComponent: number,
): common.SetPositionTargetLocalNed {
  const m = new common.SetPositionTargetLocalNed();
  m.timeBootMs = timeBootMs >>> 0;
  m.targetSystem = targetSystem;
  m.targetComponent = targetComponent;
  m.coordinateFrame = common.MavFrame.BODY_NED; // 8
  m.typeMask = TYPE_MASK_VELOCITY_YAW_RATE as common.PositionTargetTypemask;
  m.vx = sp.velForwardMS;
  m.vy = sp.velRightMS;
  m.vz = sp.velDownMS;
  m.yawRate = sp.yawRateRadS;
  return m;
}

/** COMMAND_LONG with up to seven float parameters. */
export function commandLong(
  command: number,
  params: readonly number[],
  targetSystem: number,
  targetComponent: number,
  confirmation = 0,
): common.CommandLong {
  const m = new common.CommandLong();
  m.command = command as common.MavCmd;
  m.targetSystem = targetSystem;
  m.targetComponent = targetComponent;
  m.confirmation = confirmation;
  const p = [...params, 0, 0, 0, 0, 0, 0, 0];
  m._param1 = p[0]!;
  m._param2 = p[1]!;
  m._param3 = p[2]!;
  m._param4 = p[3]!;
  m._param5 = p[4]!;
  m._param6 = p[5]!;
  m._param7 = p[6]!;
  return m;
}

/** The seven parameters of a received COMMAND_LONG, as an array. */
export function commandParams(m: common.CommandLong): number[] {
  return [m._param1, m._param2, m._param3, m._param4, m._param5, m._param6, m._param7];
}

export const MAV_CMD = {
  SET_MESSAGE_INTERVAL: common.MavCmd.SET_MESSAGE_INTERVAL, // 511: p1 msg id, p2 interval µs
  DO_SET_MODE: common.MavCmd.DO_SET_MODE, // 176: p1 base mode, p2 custom (main) mode, p3 sub mode
  COMPONENT_ARM_DISARM: common.MavCmd.COMPONENT_ARM_DISARM, // 400: p1 1 arm / 0 disarm
} as const;

export const MAV_RESULT = {
  ACCEPTED: common.MavResult.ACCEPTED,
  TEMPORARILY_REJECTED: common.MavResult.TEMPORARILY_REJECTED,
  DENIED: common.MavResult.DENIED,
  UNSUPPORTED: common.MavResult.UNSUPPORTED,
  FAILED: common.MavResult.FAILED,
} as const;

/** COMMAND_ACK for a command. */
export function commandAck(command: number, result: number, targetSystem: number, targetComponent: number): common.CommandAck {
  const m = new common.CommandAck();
  m.command = command as common.MavCmd;
  m.result = result as common.MavResult;
  m.progress = 0;
  m.resultParam2 = 0;
  m.targetSystem = targetSystem;
  m.targetComponent = targetComponent;
  return m;
}

/** Unused or unknown sector in OBSTACLE_DISTANCE. */
const SECTOR_UNKNOWN_CM = 0xffff;
export const OBSTACLE_SECTORS = 72;

/**
 * OBSTACLE_DISTANCE (id 330) in MAV_FRAME_BODY_FRD. Distances in cm; a sector with nothing within
 * range is sent as max_distance + 1, an unobserved sector (NaN, or beyond the contract's sectors)
 * as UINT16_MAX, as the message definition asks. Sector widths go in `increment_f` (float degrees)
 * and the integer `increment` (rounded, ≥ 1) for autopilots that read only that.
 */
export function obstacleDistanceMessage(d: ObstacleDistances, timeUsec: bigint): common.ObstacleDistance {
  if (d.distancesM.length > OBSTACLE_SECTORS) {
    throw new RangeError(`OBSTACLE_DISTANCE holds at most ${OBSTACLE_SECTORS} sectors, got ${d.distancesM.length}`);
  }
  const minCm = clampU16(Math.round(d.minM * 100));
  const maxCm = clampU16(Math.round(d.maxM * 100), 0xfffe);
  const distances: number[] = new Array<number>(OBSTACLE_SECTORS).fill(SECTOR_UNKNOWN_CM);
  for (let i = 0; i < d.distancesM.length; i++) {
    const m = d.distancesM[i]!;
    if (Number.isNaN(m)) continue;
    distances[i] = m === Infinity || m * 100 > maxCm ? maxCm + 1 : Math.max(minCm, Math.round(m * 100));
  }
  const msg = new common.ObstacleDistance();
  msg.timeUsec = timeUsec;
  msg.sensorType = common.MavDistanceSensor.UNKNOWN;
  msg.distances = distances;
  msg.increment = Math.max(1, Math.min(255, Math.round(d.sectorWidthDeg)));
  msg.minDistance = minCm;
  msg.maxDistance = maxCm;
  msg.incrementF = d.sectorWidthDeg;
  msg.angleOffset = d.firstSectorDeg;
  msg.frame = common.MavFrame.BODY_FRD; // 12
  return msg;
}

function clampU16(v: number, max = 0xffff): number {
  return Math.max(0, Math.min(max, v));
}

/** Message classes the bridge decodes, by id. */
const DECODABLE = new Map<number, MavLinkDataConstructor<MavLinkData>>(
  ([
    minimal.Heartbeat,
    common.SysStatus,
    common.Attitude,
    common.LocalPositionNed,
    common.Odometry,
    common.CommandLong,
    common.CommandAck,
    common.SetPositionTargetLocalNed,
    common.ObstacleDistance,
  ] as MavLinkDataConstructor<MavLinkData>[]).map((c) => [c.MSG_ID, c]),
);

const protocol = new MavLinkProtocolV2();

/**
 * Decodes a frame's payload into its node-mavlink class, restoring truncated trailing zeros first.
 * Returns null for messages the bridge does not use.
 */
export function decodeMessage(frame: MavlinkFrame): MavLinkData | null {
  const cls = DECODABLE.get(frame.msgId);
  if (!cls) return null;
  const payload = Buffer.alloc(Math.max(cls.PAYLOAD_LENGTH, frame.payload.length));
  payload.set(frame.payload);
  return protocol.data(payload, cls);
}
