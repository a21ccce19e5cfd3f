/** The shared commander argument parsers: what each accepts and the message for what it refuses. */
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseGroundFloor, parsePositiveInt, parsePositiveNumber, parseWholeNumber } from '../../src/cli/options.js';

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
});
