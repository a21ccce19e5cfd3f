/** The shared commander argument parsers: what each accepts and the message for what it refuses. */
import { Command, InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GROUND_FLOOR } from '../../src/learning/loss/groundFloor.js';
import { offable, offValue, parseGroundFloor, parseNoiseFilter, parsePositiveInt, parsePositiveNumber, parseReplay, parseSpeedScaling, parseWholeNumber, type Offable } from '../../src/cli/options.js';
import type { GroundFloorSettings } from '../../src/learning/loss/groundFloor.js';

describe('commander argument parsers', () => {
  it('parseWholeNumber takes 0, 1, 2, … and refuses signs, fractions and words', () => {
    expect(parseWholeNumber('0')).toBe(0);
    expect(parseWholeNumber(' 12 ')).toBe(12);
    for (const bad of ['-1', '1.5', 'x', '', '1e3']) {
      expect(() => parseWholeNumber(bad), bad).toThrow(InvalidArgumentError);
      expect(() => parseWholeNumber(bad), bad).toThrow('expected a whole number');
    }
  });

  it('parsePositiveInt refuses 0 as well', () => {
    expect(parsePositiveInt('3')).toBe(3);
    expect(() => parsePositiveInt('0')).toThrow('expected a positive integer');
  });

  it('parsePositiveNumber takes fractions above 0 only', () => {
    expect(parsePositiveNumber('3e-4')).toBe(3e-4);
    for (const bad of ['0', '-1', 'NaN', 'Infinity', 'x']) expect(() => parsePositiveNumber(bad), bad).toThrow('expected a positive number');
  });

  it('parseGroundFloor takes weight[:margin] or off, and refuses what the prior cannot use', () => {
    expect(parseGroundFloor('off')).toBeNull();
    expect(parseGroundFloor('2')).toEqual({ weight: 2, margin: 0.1, minFloorPerS: 0.05 });
    expect(parseGroundFloor('0.5:0.2')).toEqual({ weight: 0.5, margin: 0.2, minFloorPerS: 0.05 });
    expect(() => parseGroundFloor('1:1')).toThrow(/margin/);
    expect(() => parseGroundFloor('-1')).toThrow(/weight/);
    expect(() => parseGroundFloor('heavy')).toThrow(/weight.*margin/);
  });

  it('parseReplay takes capacity:every or off', () => {
    expect(parseReplay('off')).toBeNull();
    expect(parseReplay('256:2')).toEqual({ capacity: 256, every: 2 });
    expect(() => parseReplay('256')).toThrow(/capacity>:<every/);
    expect(() => parseReplay('0:2')).toThrow(/capacity/);
    expect(() => parseReplay('8:1')).toThrow(/every/);
  });

  it('parseNoiseFilter takes ms:neighbours or off, and refuses what the filter cannot do', () => {
    expect(parseNoiseFilter('off')).toBeNull();
    expect(parseNoiseFilter('5:2')).toEqual({ supportUs: 5000, minNeighbours: 2 });
    expect(parseNoiseFilter(' 2.5:1 ')).toEqual({ supportUs: 2500, minNeighbours: 1 });
    expect(() => parseNoiseFilter('5')).toThrow(InvalidArgumentError);
    expect(() => parseNoiseFilter('5:9')).toThrow(/minNeighbours/);
    expect(() => parseNoiseFilter('0:2')).toThrow(/supportUs/);
  });
});

describe('options that can be off, through commander', () => {
  const program = () =>
    new Command()
      .exitOverride()
      .option('--ground-floor <weight[:margin]|off>', 'prior', offable(parseGroundFloor), DEFAULT_GROUND_FLOOR as Offable<GroundFloorSettings>)
      .option('--speed-scaling <ref|off>', 'scaling', offable(parseSpeedScaling));
  const read = (...args: string[]) => {
    const o = program().parse(['node', 'x', ...args]).opts<{ groundFloor: Offable<GroundFloorSettings>; speedScaling?: Offable<unknown> }>();
    return { groundFloor: offValue(o.groundFloor), speedScaling: offValue(o.speedScaling) };
  };

  it('off reads back as null, a value as the value, nothing as the default', () => {
    expect(read('--ground-floor', 'off', '--speed-scaling', 'off')).toEqual({ groundFloor: null, speedScaling: null });
    expect(read('--ground-floor', '1:0.2').groundFloor).toEqual({ ...DEFAULT_GROUND_FLOOR, weight: 1, margin: 0.2 });
    expect(read()).toEqual({ groundFloor: DEFAULT_GROUND_FLOOR, speedScaling: undefined });
  });

  it('is needed: commander stores a parser\'s null as an empty string', () => {
    const raw = new Command().option('--ground-floor <x>', 'prior', parseGroundFloor).parse(['node', 'x', '--ground-floor', 'off']).opts();
    expect(raw.groundFloor).toBe('');
  });
});
