/**
 * Test helper: runs `eval:learning --quick --json --no-progress …extra` in this process and returns its JSON report
 * (stdout captured; the capture is restored by the caller's `vi.restoreAllMocks`, also when the run throws).
 */
import { vi } from 'vitest';
import { main, type EvalReport } from '../../src/learning/evaluation/cli.js';

export async function quickReport(...extra: string[]): Promise<EvalReport> {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  await main(['node', 'eval:learning', '--quick', '--json', '--no-progress', ...extra]);
  vi.restoreAllMocks();
  return JSON.parse(out) as EvalReport;
}
