import { InvalidArgumentError } from 'commander';
import { EVENT_ENCODINGS, type EventEncoding } from '../contracts/eventEncoding.js';
import type { SensorGeometry } from '../contracts/sensorGeometry.js';
import { DEFAULT_MIN_SPEED_MS, type SpeedScaling } from '../contracts/networkOutput.js';
import { checkGroundFloorSettings, DEFAULT_GROUND_FLOOR, type GroundFloorSettings } from '../learning/loss/groundFloor.js';
import { checkNoiseFilterSettings, type NoiseFilterSettings } from '../learning/loss/backgroundActivityFilter.js';
import { FOCUS_OBJECTIVES, type FocusObjective } from '../learning/loss/contrastLoss.js';
import { type ReplaySettings, validateReplaySettings } from '../learning/evaluation/replayReservoir.js';

/** Commander argument parsers with messages that say what was expected. */
export function parsePositiveInt(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) <= 0) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}

/** 0, 1, 2, … (counts where 0 means "none", e.g. worker threads). */
export function parseWholeNumber(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}

export function parsePositiveNumber(value: string): number {
  const v = Number(value);
  if (!Number.isFinite(v) || v <= 0) throw new InvalidArgumentError('expected a positive number');
  return v;
}

/** 0 or more, finite (a weight where 0 means "off"). */
export function parseNonNegativeNumber(value: string): number {
  const v = Number(value);
  if (!(v >= 0 && Number.isFinite(v))) throw new InvalidArgumentError(`expected a finite number ≥ 0, got '${value}'`);
  return v;
}

/** A camera or network geometry, WIDTHxHEIGHT in pixels (2–4096 each), e.g. 160x120. */
export function parseGeometry(value: string): SensorGeometry {
  const m = /^(\d+)\s*[x×]\s*(\d+)$/i.exec(value.trim());
  if (!m || Number(m[1]) < 2 || Number(m[2]) < 2 || Number(m[1]) > 4096 || Number(m[2]) > 4096) {
    throw new InvalidArgumentError('expected WIDTHxHEIGHT in pixels, e.g. 160x120');
  }
  return { widthPx: Number(m[1]), heightPx: Number(m[2]) };
}

export function parseFocusObjective(value: string): FocusObjective {
  if (!(FOCUS_OBJECTIVES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected ${FOCUS_OBJECTIVES.join(' or ')}, got '${value}'`);
  return value as FocusObjective;
}

export function parseEncoding(value: string): EventEncoding {
  const v = value.trim().toLowerCase();
  if (!(EVENT_ENCODINGS as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${EVENT_ENCODINGS.join(', ')}`);
  return v as EventEncoding;
}

/** What an option that was given as `off` holds until read back with `offValue`. */
export const OFF: unique symbol = Symbol('off');
export type Offable<T> = T | typeof OFF;

/**
 * Declares an option whose value may be `off` (a parser returning null). Commander stores '' when a parser
 * returns null (commander/lib/command.js, "parseArg might have failed"), which downstream code would read as a
 * malformed setting, so the parser's null travels as OFF and `offValue` turns it back into null.
 */
export function offable<T>(parse: (value: string) => T | null): (value: string) => Offable<T> {
  return (value) => parse(value) ?? OFF;
}

/** An `offable` option's value: null for `off`, else the parsed value (or the default, or undefined). */
export function offValue<T>(v: Offable<T>): T | null;
export function offValue<T>(v: Offable<T> | undefined): T | null | undefined;
export function offValue<T>(v: Offable<T> | undefined): T | null | undefined {
  return v === OFF ? null : v;
}

/** The loss's ground-floor prior: `<weight>[:<margin>]` (s², fraction; e.g. 1:0.1) or `off`. */
export function parseGroundFloor(value: string): GroundFloorSettings | null {
  if (value.trim() === 'off') return null;
  const m = /^\s*(\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?\s*$/.exec(value);
  if (!m) throw new InvalidArgumentError(`expected <weight>[:<margin>] (e.g. 1:0.1) or off, got '${value}'`);
  const f = { ...DEFAULT_GROUND_FLOOR, weight: Number(m[1]), ...(m[2] !== undefined ? { margin: Number(m[2]) } : {}) };
  try {
    checkGroundFloorSettings(f);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
  return f;
}

/** A network output's speed normalisation: `<referenceMS>[:<minMS>]` (e.g. 2:0.5) or `off`. */
export function parseSpeedScaling(value: string): SpeedScaling | null {
  if (value.trim() === 'off') return null;
  const m = /^\s*(\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?\s*$/.exec(value);
  const ref = m ? Number(m[1]) : NaN;
  if (!m || !(ref > 0)) throw new InvalidArgumentError(`expected <reference speed m/s, > 0>[:<minimum speed m/s>] (e.g. 2:0.5) or off, got '${value}'`);
  return { referenceSpeedMS: ref, minSpeedMS: m[2] !== undefined ? Number(m[2]) : DEFAULT_MIN_SPEED_MS };
}

/** Experience replay for the online learner: `<capacity>:<every>` (windows kept, every n-th window replayed; e.g. 256:2) or `off`. */
export function parseReplay(value: string): ReplaySettings | null {
  if (value.trim() === 'off') return null;
  const m = /^\s*(\d+):(\d+)\s*$/.exec(value);
  if (!m) throw new InvalidArgumentError(`expected <capacity>:<every> (e.g. 256:2) or off, got '${value}'`);
  const r = { capacity: Number(m[1]), every: Number(m[2]) };
  try {
    validateReplaySettings(r);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
  return r;
}

/** A background-activity (noise) filter: `<support ms>:<neighbours>` (e.g. 5:2) or `off`. */
export function parseNoiseFilter(value: string): NoiseFilterSettings | null {
  if (value.trim() === 'off') return null;
  const m = /^\s*(\d+(?:\.\d+)?):(\d)\s*$/.exec(value);
  if (!m) throw new InvalidArgumentError(`expected <ms>:<neighbours> (e.g. 5:2) or off, got '${value}'`);
  const f = { supportUs: Number(m[1]) * 1000, minNeighbours: Number(m[2]) };
  try {
    checkNoiseFilterSettings(f);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
  return f;
}
