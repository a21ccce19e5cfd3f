// Worker bootstrap for TypeScript worker files (see typescriptWorker.ts): registers tsx's ESM loader in
// this worker thread, then imports the entry module whose file URL is the worker's first argv entry.
// Plain JavaScript on purpose: Node must be able to load this file before any TypeScript loader exists.
import { register } from 'tsx/esm/api';

register();
await import(process.argv[2]);
