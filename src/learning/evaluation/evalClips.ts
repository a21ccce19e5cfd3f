/**
 * The evaluation's fixed clips. Seeds are reserved (pretrainConfig.ts refuses the pretraining seeds that
 * would reach them): 9001… held-out domain A (figure (a)), 7001… the domain-B flight (figure (b)) and
 * 7101… its held-out domain-B check, 6001… domain-B flights for choosing the online-learning settings
 * (never the evaluation's own seeds).
 */
import type { ClipSpec } from '../pretrain/simClips.js';

export const HELD_OUT_A: readonly ClipSpec[] = [
  { scenario: 'forest', domain: 'A', seed: 9001, seconds: 15 },
  { scenario: 'corridor', domain: 'A', seed: 9002, seconds: 10 },
  { scenario: 'wall-gap', domain: 'A', seed: 9003, seconds: 10 },
  { scenario: 'slalom', domain: 'A', seed: 9004, seconds: 10 },
];

/** The adaptation flight: 60 s in domain B. */
export const ADAPTATION_B: ClipSpec = { scenario: 'forest', domain: 'B', seed: 7001, seconds: 60 };

/** A different domain-B world, flown after the adaptation flight with the adapted and the frozen weights. */
export const HELD_OUT_B: ClipSpec = { scenario: 'forest', domain: 'B', seed: 7101, seconds: 20 };

/** For choosing online-learning settings (not used by the evaluation). */
export const TUNING_B: ClipSpec = { scenario: 'forest', domain: 'B', seed: 6001, seconds: 60 };

export const QUICK_HELD_OUT_A: readonly ClipSpec[] = [{ scenario: 'forest', domain: 'A', seed: 9001, seconds: 0.5 }];
export const QUICK_ADAPTATION_B: ClipSpec = { scenario: 'forest', domain: 'B', seed: 7001, seconds: 1.5 };
export const QUICK_HELD_OUT_B: ClipSpec = { scenario: 'forest', domain: 'B', seed: 7101, seconds: 0.5 };
