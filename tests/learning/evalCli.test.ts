/**
 * `npm run eval:learning`'s (b) verdict as printed: the share of usable pixels with input events and the change
 * over the pixels without them, read back from the same run's JSON report; and its clip options, parsed one way.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatReport, main, type EvalReport } from '../../src/learning/evaluation/cli.js';
import { resolveLearnerConfig } from '../../src/learning/learnerConfig.js';
import { quickReport } from './evalReport.js';

afterEach(() => vi.restoreAllMocks());

const CAMERA_160 = { sensor: { widthPx: 160, heightPx: 120 }, intrinsics: { fxPx: 80, fyPx: 80, cxPx: 80, cyPx: 60 } };

async function quickB(...extra: string[]): Promise<EvalReport> {
  return quickReport('--parts', 'b', ...extra);
}

describe('eval:learning (b) verdict', () => {
  it('prints the share of usable pixels with input events, and the changes over the pixels without', async () => {
    const r = await quickB();
    const b = r.b!;
    const total = b.total.online.nu;
    expect(total.events.pixels + total.noEvents.pixels).toBe(total.all.pixels);
    expect(total.events.pixels).toBeGreaterThan(0);
    const text = formatReport(r);
    const line = text.split('\n').find((l) => l.includes('have input events'));
    expect(line).toBeDefined();
    const m = /([\d.]+) % of the flight's usable pixels have input events; over the others \(the network saw nothing there\): held-out ([+-][\d.]+) %, last 10 s ([+-][\d.]+) %/.exec(line!);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeCloseTo((100 * total.events.pixels) / total.all.pixels, 1);
    expect(Number(m![2])).toBeCloseTo(100 * b.heldOutChange.noEvents, 1);
    expect(Number(m![3])).toBeCloseTo(100 * b.last10sOnlineVsFrozen.noEvents, 1);
    expect(b.teacher).toBe('loss');
    expect(text).toContain('(b) verdict');
    expect(text).toContain('from the contrast loss');
    // The oracle-level line, read back against the JSON.
    const level = text.split('\n').find((l) => l.includes('with an oracle level'));
    const lm = /whole flight ([\d.]+) \/ ([\d.]+) \(raw ([\d.]+) \/ ([\d.]+)\), last 10 s ([\d.]+) \/ ([\d.]+)/.exec(level ?? '');
    expect(lm).not.toBeNull();
    expect(Number(lm![1])).toBeCloseTo(b.levelMatched.whole.online, 3);
    expect(Number(lm![2])).toBeCloseTo(b.levelMatched.whole.frozen, 3);
    expect(Number(lm![3])).toBeCloseTo(total.all.maePerS, 3);
    expect(Number(lm![5])).toBeCloseTo(b.levelMatched.last10s.online, 3);
    expect(Number(lm![6])).toBeCloseTo(b.levelMatched.last10s.frozen, 3);
  }, 60_000);

  it('--teacher truth trains the same learner on the simulator\'s ν and says it is a ceiling, not the verdict', async () => {
    const r = await quickB('--teacher', 'truth');
    const b = r.b!;
    expect(b.teacher).toBe('truth');
    expect(b.onlineChanged).toBe(true);
    expect(b.frozenUnchanged).toBe(true);
    expect(b.guards.rollbacksLossSpike).toBe(0); // the spike guard is off for the teacher
    expect(b.updates).toBeGreaterThan(0);
    // Taught the answer, the online map beats the frozen one over the flight.
    expect(b.total.online.nu.all.maePerS).toBeLessThan(b.total.frozen.nu.all.maePerS);
    const text = formatReport(r);
    expect(text).toContain('(b) CEILING, not the verdict');
    expect(text).not.toContain('(b) verdict');
    expect(text).toContain("from the simulator's truth");
  }, 60_000);

  it('refuses the truth teacher with experience replay (a replayed window would get the wrong truth)', async () => {
    await expect(quickB('--teacher', 'truth', '--replay', '16:2')).rejects.toThrow(/truth teacher cannot be combined with experience replay/);
  });

  it('refuses an unknown teacher', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const exit = vi.spyOn(process, 'exit').mockImplementation(((code?: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    await expect(main(['node', 'eval:learning', '--quick', '--parts', 'b', '--teacher', 'oracle'])).rejects.toThrow(/exit/);
    expect(exit).toHaveBeenCalled();
    expect(err.mock.calls.map((c) => String(c[0])).join('')).toContain("expected loss, truth or search, got 'oracle'");
  });

  it('--teacher search trains on the contrast loss plus search labels, scores the labels against the truth, and says it is a trial', async () => {
    const r = await quickB('--teacher', 'search', '--search-weight', '0.5');
    const b = r.b!;
    expect(b.teacher).toBe('search');
    expect(b.onlineChanged).toBe(true);
    const sl = b.searchLabels!;
    expect(sl.options.weight).toBe(0.5);
    expect(sl.windows).toBeGreaterThan(0);
    expect(sl.windowsScored).toBe(sl.windows); // every offered window has its truth
    expect(sl.bands.reduce((a, x) => a + x.pixels, 0)).toBeGreaterThan(0);
    const text = formatReport(r);
    expect(text).toContain('(b) TRIAL, not the verdict');
    expect(text).not.toContain('(b) verdict');
    expect(text).toContain('search labels against the truth');
    expect(text).toContain('local-contrast-search labels (λ 0.5)');
  }, 60_000);

  it.each([
    [['--objective', 'median'], "expected avg-timestamps or iwe-variance, got 'median'"],
    [['--teacher', 'search', '--search-weight', '-1'], "expected a finite number ≥ 0, got '-1'"],
    [['--teacher', 'search', '--search-weight', 'lots'], "expected a finite number ≥ 0, got 'lots'"],
    [['--flight-sensor', '320'], 'expected WIDTHxHEIGHT in pixels, e.g. 160x120'],
    [['--learner-cap', '0'], 'expected a positive integer'],
  ])('refuses %j, saying what it expected', async (args, message) => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const exit = vi.spyOn(process, 'exit').mockImplementation(((code?: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    await expect(main(['node', 'eval:learning', '--quick', '--parts', 'b', ...args])).rejects.toThrow(/exit/);
    expect(exit).toHaveBeenCalled();
    expect(err.mock.calls.map((c) => String(c[0])).join('')).toContain(message);
  });

  it('--search-weight needs the search teacher; the search teacher refuses replay', async () => {
    await expect(quickB('--search-weight', '1')).rejects.toThrow(/--search-weight needs --teacher search/);
    await expect(quickB('--teacher', 'search', '--replay', '16:2')).rejects.toThrow(/search teacher cannot be combined with experience replay/);
  });

  it('--objective sets the online loss\'s focus objective (the pretraining\'s stays)', async () => {
    const r = await quickB('--objective', 'iwe-variance');
    expect(r.settings.onlineLoss.objective).toBe('iwe-variance');
    expect(r.settings.loss.objective).toBe('avg-timestamps');
    expect(r.b!.searchLabels).toBeNull();
    expect(formatReport(r)).toContain('online loss iwe-variance');
  }, 60_000);

  it('without --learner-cap the online loss is capped as the in-flight learner would cap it for the flight\'s camera', async () => {
    const settings = async (...extra: string[]): Promise<EvalReport['settings']> => (await quickReport('--parts', 'c', ...extra)).settings;
    expect((await settings()).onlineLearnerCap).toBe(resolveLearnerConfig({ ...CAMERA_160 }).maxEvents);
    const fine = await settings('--flight-sensor', '320x240');
    expect(fine.onlineLearnerCap).toBe(resolveLearnerConfig({ ...CAMERA_160, sensor: { widthPx: 320, heightPx: 240 } }).maxEvents);
    expect(fine.onlineLearnerCap).toBe(65536);
    expect(fine.clip.learnerCap).toBe(16384); // the pretraining's, unchanged
    expect((await settings('--flight-sensor', '320x240', '--learner-cap', '30000')).onlineLearnerCap).toBe(30000);
  });

  it('--flight-sensor flies a finer camera: the input reads one sensor pixel per network pixel, the loss every event up to --learner-cap', async () => {
    const r = await quickB('--flight-sensor', '320x240', '--learner-cap', '20000');
    const b = r.b!;
    expect(b.flight.sensorGeometry).toEqual({ widthPx: 320, heightPx: 240 });
    expect(b.camera.sensor).toEqual({ widthPx: 320, heightPx: 240 });
    expect(b.camera.network).toEqual({ widthPx: 160, heightPx: 120 });
    expect(b.camera.intrinsics.fxPx).toBeCloseTo(160, 9); // the same 90° view, twice the pixels
    expect(r.settings.onlineLearnerCap).toBe(20000);
    expect(r.settings.clip.learnerCap).toBe(16384); // the pretraining's, unchanged
    // Decimated, the network input is as sparse as a 160 × 120 camera's (binned 2 × 2 it would be about 5 ×
    // as dense: 29 % of the pixels with input events against 6 %).
    const share = (x: EvalReport) => x.b!.total.online.nu.events.pixels / x.b!.total.online.nu.all.pixels;
    const native = await quickB();
    expect(native.b!.camera.sensor).toEqual({ widthPx: 160, heightPx: 120 });
    expect(native.settings.onlineLearnerCap).toBe(16384); // the in-flight learner's default at 160 × 120
    expect(share(r) / share(native)).toBeGreaterThan(0.67);
    expect(share(r) / share(native)).toBeLessThan(1.5);
    const text = formatReport(r);
    expect(text).toContain('320×240 camera (network input: one sensor pixel per network pixel)');
    expect(text).toContain('80 ms loss window, 20000 events');
  }, 90_000);
});

describe('eval:learning clip options', () => {
  it('parses every clip option the same way, naming the option a malformed one came with, before flying anything', async () => {
    await expect(quickReport('--parts', 'b', '--flight', 'forest:seven:60')).rejects.toThrow(/--flight forest:seven:60: expected scenario:seed:seconds/);
    await expect(quickReport('--parts', 'b', '--held-out', ':7101:20')).rejects.toThrow(/--held-out :7101:20: expected scenario:seed:seconds/);
    await expect(quickReport('--parts', 'b', '--flight', 'forest:7001:0')).rejects.toThrow(/--flight forest:7001:0/);
    await expect(quickReport('--parts', 'o', '--oracle-clip', 'forest:C:6001:10')).rejects.toThrow(/--oracle-clip forest:C:6001:10: domain must be A or B/);
    await expect(quickReport('--parts', 's', '--scan', 'forest:A:901')).rejects.toThrow(/--scan forest:A:901: expected scenario:domain:seed:seconds/);
  });

  it('takes a domain-B flight\'s left-out seconds from the default flight', async () => {
    const r = await quickReport('--parts', 'b', '--flight', 'forest:7003', '--no-held-out-b');
    expect(r.b!.flight).toEqual({ scenario: 'forest', domain: 'B', seed: 7003, seconds: 1.5 });
  }, 120_000);
});
