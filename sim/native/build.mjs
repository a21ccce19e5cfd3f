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
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const prefix = dirname(dirname(process.execPath)); // <prefix>/bin/node → <prefix>
const headers = join(prefix, 'include', 'node', 'node_api.h');
if (!existsSync(headers)) {
  console.error(`build:native: Node's headers are not at ${headers}; not downloading them. Install the headers of node ${process.version} (or the tarball), then rerun.`);
  process.exit(1);
}

const gyp = process.env.npm_config_node_gyp;
const [cmd, pre] = gyp && existsSync(gyp) ? [process.execPath, [gyp]] : ['node-gyp', []];
const args = [...pre, 'rebuild', `--nodedir=${prefix}`, '--jobs=2', ...process.argv.slice(2)];
console.log(`build:native: ${[cmd, ...args].join(' ')} (in ${here})`);
const r = spawnSync(cmd, args, { cwd: here, stdio: 'inherit' });
if (r.error) {
  console.error(`build:native: could not run node-gyp: ${r.error.message}`);
  process.exit(1);
}
if (r.status !== 0) process.exit(r.status ?? 1);
console.log(`build:native: built ${join(here, 'build', 'Release', 'evsim_render.node')}`);
