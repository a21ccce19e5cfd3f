/**
 * Flight modes of PX4 and ArduCopter as they appear in HEARTBEAT.custom_mode, and the DO_SET_MODE
 * parameters that request them.
 *
 * PX4 packs its mode as bytes of custom_mode: main mode in bits 16–23, sub mode (for AUTO) in bits
 * 24–31 (px4_custom_mode.h). ArduCopter's custom_mode is its mode number.
 */
import type { FlightModeKind } from '../../src/contracts/vehicleState.js';

export type AutopilotKind = 'px4' | 'ardupilot';

export interface DecodedMode {
  readonly kind: FlightModeKind;
  readonly name: string;
  /** True when this mode follows companion setpoints (PX4 OFFBOARD, ArduPilot GUIDED). */
  readonly followsSetpoints: boolean;
}

/** DO_SET_MODE parameters: [base mode (custom mode enabled), custom/main mode, sub mode]. */
export type SetModeParams = readonly [number, number, number];

const MAV_MODE_FLAG_CUSTOM_MODE_ENABLED = 1;

export const PX4_MAIN = {
  MANUAL: 1,
  ALTCTL: 2,
  POSCTL: 3,
  AUTO: 4,
  ACRO: 5,
  OFFBOARD: 6,
  STABILIZED: 7,
} as const;

export const PX4_AUTO_SUB = {
  READY: 1,
  TAKEOFF: 2,
  LOITER: 3,
  MISSION: 4,
  RTL: 5,
  LAND: 6,
} as const;

export function px4CustomMode(main: number, sub = 0): number {
  return ((sub & 0xff) << 24 | (main & 0xff) << 16) >>> 0;
}

const PX4_MAIN_NAMES: Record<number, [string, FlightModeKind]> = {
  1: ['MANUAL', 'manual'],
  2: ['ALTCTL', 'altitude'],
  3: ['POSCTL', 'position'],
  5: ['ACRO', 'acro'],
  6: ['OFFBOARD', 'offboard'],
  7: ['STABILIZED', 'stabilized'],
};

const PX4_AUTO_NAMES: Record<number, [string, FlightModeKind]> = {
  1: ['AUTO.READY', 'hold'],
  2: ['AUTO.TAKEOFF', 'takeoff'],
  3: ['AUTO.LOITER', 'hold'],
  4: ['AUTO.MISSION', 'mission'],
  5: ['AUTO.RTL', 'rtl'],
  6: ['AUTO.LAND', 'land'],
};

export function decodePx4Mode(customMode: number): DecodedMode {
  const main = (customMode >>> 16) & 0xff;
  const sub = (customMode >>> 24) & 0xff;
  const entry = main === PX4_MAIN.AUTO ? PX4_AUTO_NAMES[sub] : PX4_MAIN_NAMES[main];
  if (!entry) return { kind: 'unknown', name: `PX4:${main}.${sub}`, followsSetpoints: false };
  return { kind: entry[1], name: `PX4:${entry[0]}`, followsSetpoints: main === PX4_MAIN.OFFBOARD };
}

export const ARDUCOPTER_MODE = {
  STABILIZE: 0,
  ACRO: 1,
  ALT_HOLD: 2,
  AUTO: 3,
  GUIDED: 4,
  LOITER: 5,
  RTL: 6,
  LAND: 9,
  POSHOLD: 16,
  BRAKE: 17,
} as const;

const ARDUCOPTER_NAMES: Record<number, [string, FlightModeKind]> = {
  0: ['STABILIZE', 'stabilized'],
  1: ['ACRO', 'acro'],
  2: ['ALT_HOLD', 'altitude'],
  3: ['AUTO', 'mission'],
  4: ['GUIDED', 'guided'],
  5: ['LOITER', 'hold'],
  6: ['RTL', 'rtl'],
  9: ['LAND', 'land'],
  16: ['POSHOLD', 'position'],
  17: ['BRAKE', 'hold'],
};

export function decodeArduCopterMode(customMode: number): DecodedMode {
  const entry = ARDUCOPTER_NAMES[customMode];
  if (!entry) return { kind: 'unknown', name: `ArduCopter:${customMode}`, followsSetpoints: false };
  return { kind: entry[1], name: `ArduCopter:${entry[0]}`, followsSetpoints: customMode === ARDUCOPTER_MODE.GUIDED };
}

export function decodeMode(autopilot: AutopilotKind, customMode: number): DecodedMode {
  return autopilot === 'px4' ? decodePx4Mode(customMode) : decodeArduCopterMode(customMode);
}

/** DO_SET_MODE parameters for the mode that follows setpoints. */
export function controlModeParams(autopilot: AutopilotKind): SetModeParams {
  return autopilot === 'px4'
    ? [MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, PX4_MAIN.OFFBOARD, 0]
    : [MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, ARDUCOPTER_MODE.GUIDED, 0];
}

/** DO_SET_MODE parameters for hold: PX4 AUTO.LOITER, ArduCopter LOITER. */
export function holdModeParams(autopilot: AutopilotKind): SetModeParams {
  return autopilot === 'px4'
    ? [MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, PX4_MAIN.AUTO, PX4_AUTO_SUB.LOITER]
    : [MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, ARDUCOPTER_MODE.LOITER, 0];
}
