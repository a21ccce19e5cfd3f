/** Seeded PRNG for tests: the project's one mulberry32 (src/platform/random.ts). */
export { mulberry32 } from '../../src/platform/random.js';
