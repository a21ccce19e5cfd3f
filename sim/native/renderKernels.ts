/**
 * The optional native renderer kernels (sim/native/src/render_kernels.c, a Node-API addon built by
 * `npm run build:native`): the renderer's per-pixel passes in C, bit-identical to the JS passes and
 * about twice as fast. Nothing here downloads or compiles anything: when the built file is missing (no
 * compiler, not built), stale (another kernel ABI) or refused by the environment, the renderer runs its
 * JS passes, and says so once on stderr.
 *
 * `EVPILOT_SIM_KERNEL` selects: `auto` (default: native when built), `js` (always JS, e.g. for
 * before/after measurements), `native` (native or an error: for CI and benchmarks that must not
 * silently measure the fallback).
 *
 * The one piece of file I/O of the camera code (an existence check and the addon's load), done once per
 * process.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Layout version of the frame parameters and slot records shared with the C (its KERNEL_ABI). */
export const KERNEL_ABI = 1;

/** Which implementation of the per-pixel passes a renderer runs. */
export type RenderKernelKind = 'native' | 'js';

/**
 * The addon's functions. Arrays are the renderer's own (heaps, outputs, caster layers, frame
 * parameters `fp` in renderer.ts's `P` layout); each call is one whole pass over a frame.
 */
export interface NativeRenderKernels {
  readonly abi: number;
  /**
   * shadedPass (with groundLevels and groundSample) after setupFrame and prepareColumns; returns the
   * frame's smallest depth, leaves the number of ground pixels in fp[P.N_GROUND].
   */
  shaded(
    heapF: Float64Array,
    heapI: Int32Array,
    atlasValues: Float64Array,
    logI: Float32Array,
    depthM: Float32Array,
    zf: Float32Array,
    top: Float32Array,
    fp: Float64Array,
  ): number;
  /** depthPass after setupFrame and prepareColumns; returns the frame's smallest depth. */
  depth(heapF: Float64Array, depthM: Float32Array, zf: Float32Array, top: Float32Array, fp: Float64Array): number;
  /** groundLevels + groundSample alone, over fp[P.N_GROUND] listed ground pixels (for measurements). */
  ground(heapF: Float64Array, heapI: Int32Array, atlasValues: Float64Array, logI: Float32Array, fp: Float64Array): void;
}

/** Where the built addon lies (git-ignored). */
export const NATIVE_ADDON_PATH = fileURLToPath(new URL('./build/Release/evsim_render.node', import.meta.url));

interface Selection {
  readonly kind: RenderKernelKind;
  readonly kernels: NativeRenderKernels | undefined;
  /** One line: which path and why. */
  readonly reason: string;
}

let addon: { kernels: NativeRenderKernels | undefined; why: string } | undefined;
let selection: Selection | undefined;

/** The built addon, loaded once per process whatever EVPILOT_SIM_KERNEL says; `why` when unavailable. */
export function loadNativeKernels(): { kernels: NativeRenderKernels | undefined; why: string } {
  if (addon) return addon;
  let why: string;
  if (!existsSync(NATIVE_ADDON_PATH)) why = 'addon not built (npm run build:native)';
  else {
    try {
      const loaded = createRequire(import.meta.url)(NATIVE_ADDON_PATH) as NativeRenderKernels;
      if (loaded.abi === KERNEL_ABI) return (addon = { kernels: loaded, why: '' });
      why = `addon built for kernel ABI ${loaded.abi}, this code needs ${KERNEL_ABI} (npm run build:native)`;
    } catch (e) {
      why = `addon failed to load: ${(e as Error).message.split('\n')[0]}`;
    }
  }
  return (addon = { kernels: undefined, why });
}

function select(): Selection {
  const wanted = (process.env.EVPILOT_SIM_KERNEL ?? 'auto').toLowerCase();
  if (wanted !== 'auto' && wanted !== 'js' && wanted !== 'native') {
    throw new Error(`EVPILOT_SIM_KERNEL must be auto, js or native (got "${wanted}")`);
  }
  if (wanted === 'js') return { kind: 'js', kernels: undefined, reason: 'JS (EVPILOT_SIM_KERNEL=js)' };
  const { kernels, why } = loadNativeKernels();
  if (kernels) return { kind: 'native', kernels, reason: `native (${NATIVE_ADDON_PATH})` };
  if (wanted === 'native') throw new Error(`EVPILOT_SIM_KERNEL=native, but the native renderer kernel is unavailable: ${why}`);
  return { kind: 'js', kernels: undefined, reason: `JS (${why})` };
}

/**
 * The process-wide choice for renderers with `kernel: 'auto'`, made (and reported on stderr) on first
 * use; `EVPILOT_SIM_KERNEL` is read then, once.
 */
export function renderKernels(): Selection {
  if (!selection) {
    selection = select();
    process.stderr.write(`evpilot sim: renderer per-pixel passes: ${selection.reason}\n`);
  }
  return selection;
}
