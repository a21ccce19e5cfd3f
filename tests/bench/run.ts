/**
 * `npm run bench [-- --json] [-- --quick] [-- --only decode,windows]`: runs every tests/bench/*.bench.ts,
 * each in its own child process (so one benchmark's JIT state and garbage do not colour the next),
 * and prints their figures: a readable listing, or with --json one JSON object keyed by benchmark name.
 * Every figure is a summary over repeated runs (median and percentiles), never a single run.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only'));
const only = onlyArg ? (onlyArg.includes('=') ? onlyArg.split('=')[1]! : args[args.indexOf(onlyArg) + 1] ?? '').split(',') : undefined;

const benches = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .filter((name) => !only || only.includes(name))
  .sort();

if (args.includes('--help')) {
  process.stdout.write(
    'usage: npm run bench -- [--json] [--quick] [--only name[,name]]\n' +
      `benchmarks: ${readdirSync(here).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace(/\.bench\.ts$/, '')).join(', ')}\n`,
  );
  process.exit(0);
}

const result: Record<string, unknown> = {
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', node: process.version, memGiB: Math.round(os.totalmem() / 2 ** 30) },
  quick,
};
let failed = 0;
for (const name of benches) {
  if (!json) process.stderr.write(`running ${name} …\n`);
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(here, `${name}.bench.ts`), '--json', ...(quick ? ['--quick'] : [])], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const lastLine = child.stdout.trim().split('\n').pop() ?? '';
  try {
    if (child.status !== 0) throw new Error(child.stderr.trim().split('\n').slice(-5).join('\n'));
    result[name] = JSON.parse(lastLine);
  } catch (err) {
    failed++;
    result[name] = { error: err instanceof Error ? err.message : String(err) };
  }
  if (!json) process.stdout.write(`\n## ${name}\n${JSON.stringify(result[name], null, 2)}\n`);
}
if (json) process.stdout.write(JSON.stringify(result) + '\n');
process.exitCode = failed > 0 ? 1 : 0;
