/**
 * `npm run eval:learning`'s (b) verdict as printed: the share of usable pixels with input events and the change
 * over the pixels without them, read back from the same run's JSON report.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatReport, main, type EvalReport } from '../../src/learning/evaluation/cli.js';

afterEach(() => vi.restoreAllMocks());

async function quickB(): Promise<EvalReport> {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  await main(['node', 'eval:learning', '--quick', '--parts', 'b', '--json', '--no-progress']);
  vi.restoreAllMocks();
  return JSON.parse(out) as EvalReport;
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
  }, 60_000);
});
