#!/usr/bin/env node
// The evpilot command. The sources are TypeScript run through tsx's loader, so a fresh clone
// needs no build step: `npm install` then `npx evpilot --help`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
