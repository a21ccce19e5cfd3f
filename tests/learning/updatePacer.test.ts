/** The update-rate cap: spaces update starts by 1 / rate, a late start earns no burst, null never waits. */
import { describe, expect, it } from 'vitest';
import { UpdatePacer } from '../../src/learning/updatePacer.js';

describe('update pacer', () => {
  it('spaces updates by 1 / maxUpdatesPerS', () => {
    const p = new UpdatePacer(50); // 20 ms
    expect(p.waitUs(0)).toBe(0);
    p.started(0);
    expect(p.waitUs(5_000)).toBe(15_000);
    expect(p.waitUs(20_000)).toBe(0);
    p.started(20_000);
    expect(p.waitUs(30_000)).toBe(10_000);
  });

  it('a late update does not earn a burst of catch-up updates', () => {
    const p = new UpdatePacer(100); // 10 ms
    p.started(0);
    p.started(95_000); // long pause (e.g. no windows)
    expect(p.waitUs(96_000)).toBe(9_000);
  });

  it('never waits without a cap, and refuses a non-positive rate', () => {
    const p = new UpdatePacer(null);
    p.started(0);
    p.started(1);
    expect(p.waitUs(1)).toBe(0);
    expect(() => new UpdatePacer(0)).toThrow(RangeError);
  });
});
