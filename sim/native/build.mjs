#!/usr/bin/env node
/**
 * `npm run build:native`: builds the optional native renderer kernels (sim/native/binding.gyp →
 * sim/native/build/Release/evsim_render.node, git-ignored) with node-gyp, offline.
 *
 * - node-gyp: the copy npm ships (npm passes its path to scripts as npm_config_node_gyp), else one on
 *   PATH; no devDependency, nothing fetched.
 * - Node's headers: node-gyp would download them unless told where they are; `--nodedir` points at the
 *   installation of the running node (<prefix>/include/node: /usr on Debian and NodeSource packages,
 *   the tarball's root otherwise). When they are missing the build stops with a message and downloads
 *   nothing; the simulator then keeps running its JS passes.
 * - Needs python3, make and a C compiler (the same as any node-gyp build).
 * - `--if-possible` (npm's `prepare`, so `npm install` builds it when it can): any failure is a note, not an
 *   error; the install goes on and the simulator runs its JS passes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ifPossible = process.argv.includes('--if-possible');
const gypArgs = process.argv.slice(2).filter((a) => a !== '--if-possible');
/** Stops: an error, or with --if-possible a note and success. */
function fail(message, code = 1) {
  if (ifPossible) {
    console.error(`${message}\nbuild:native: not built; the simulator runs its JS renderer passes (about 1.35x slower). Retry with: npm run build:native`);
    process.exit(0);
  }
  console.error(message);
  process.exit(code);
}
const prefix = dirname(dirname(process.execPath)); // <prefix>/bin/node → <prefix>
const headers = join(prefix, 'include', 'node', 'node_api.h');
if (!existsSync(headers)) {
  fail(`build:native: Node's headers are not at ${headers}; not downloading them. Install the headers of node ${process.version} (or the tarball), then rerun.`);
}

const gyp = process.env.npm_config_node_gyp;
const [cmd, pre] = gyp && existsSync(gyp) ? [process.execPath, [gyp]] : ['node-gyp', []];
// During `npm install` only warnings and errors: the install prints enough already.
const args = [...pre, 'rebuild', `--nodedir=${prefix}`, '--jobs=2', ...(ifPossible ? ['--loglevel=warn'] : []), ...gypArgs];
console.log(`build:native: ${[cmd, ...args].join(' ')} (in ${here})`);
const r = spawnSync(cmd, args, { cwd: here, stdio: 'inherit' });
if (r.error) {
  fail(`build:native: could not run node-gyp: ${r.error.message}`);
}
if (r.status !== 0) fail(`build:native: node-gyp failed (exit ${r.status})`, r.status ?? 1);
console.log(`build:native: built ${join(here, 'build', 'Release', 'evsim_render.node')}`);
