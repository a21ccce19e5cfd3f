/**
 * The reference proximity network: per-polarity event counts (2 × 120 × 160) in, inverse time-to-contact
 * ν ≥ 0 in 1/s out (1 × 120 × 160), defined with the project's graph builder so the same definition gives
 * the inference graph, the backward graph and the training-step graph.
 *
 *   input     x: N × 2 × 120 × 160 counts (channel 0 OFF, 1 ON)
 *   normalise u = √x          variance-stabilising for Poisson-like counts (Anscombe), compresses bursts,
 *                             keeps 0 at 0; chosen over ln(1 + x), which cost 80 µs of the 1 ms budget
 *   enc1      conv 3×3 s2, 2 → 8,   LeakyReLU             60 × 80
 *   enc2      conv 3×3 s2, 8 → 32,  LeakyReLU             30 × 40   (skip to the decoder)
 *   enc3      conv 3×3 s2, 32 → 48, LeakyReLU             15 × 20
 *   enc4      conv 3×3 dilation 2, 48 → 96, LeakyReLU     15 × 20   (context: receptive field 47 × 47 input px)
 *   dec.up    conv 1×1, 96 → 24, nearest ×2              30 × 40
 *   dec.skip  conv 1×1, 32 → 24, added to dec.up, LeakyReLU
 *   head      conv 1×1, 24 → 1, softplus, × NU_SCALE_PER_S      ν at 30 × 40 (1/4 resolution)
 *   upsample  bilinear (half-pixel) to 120 × 160
 *
 * 61 073 parameters with DEFAULT_WIDTHS. Capacity sits at 15 × 20 where it is cheap; the first layers are
 * narrow because their cost scales with the pixel count (see models/README.md for the time per layer).
 * Weights are graph inputs named `<layer>.weight` / `<layer>.bias`; He (Kaiming-normal, LeakyReLU gain)
 * initialisation from a seed, biases zero.
 */
import { add, conv2d, type DType, leakyRelu, type ModelDefinition, resize2d, scale, softplus, sqrt, type Tensor } from '../src/graph/index.js';
import { mulberry32 } from '../src/platform/random.js';

/** Network geometry: the contract's default NetworkInput (counts, 2 × 120 × 160). */
export const INPUT_CHANNELS = 2;
export const INPUT_HEIGHT_PX = 120;
export const INPUT_WIDTH_PX = 160;
/** Resolution at which ν is predicted before the bilinear upsampling: 1/4 of the input. */
export const OUTPUT_STRIDE = 4;
/** ν = NU_SCALE_PER_S · softplus(head): the head's unit output is 1/s; softplus(0) ≈ 0.69 1/s at init. */
export const NU_SCALE_PER_S = 1;
/** Negative slope of every LeakyReLU. */
export const LEAKY_SLOPE = 0.1;

/** Channel widths (the knobs traded against inference time; see models/README.md). */
export interface ProximityNetWidths {
  readonly c1: number;
  readonly c2: number;
  readonly c3: number;
  readonly c4: number;
  readonly decoder: number;
}

export const DEFAULT_WIDTHS: ProximityNetWidths = { c1: 8, c2: 32, c3: 48, c4: 96, decoder: 24 };

/** One parameter tensor: name (graph input name), shape, fan-in for initialisation. */
export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly fanIn: number;
  readonly kind: 'weight' | 'bias';
  /** The layer it belongs to (the unit of "trainable" selection). */
  readonly layer: string;
}

interface ConvSpec {
  readonly layer: string;
  readonly cin: number;
  readonly cout: number;
  readonly k: number;
}

function convSpecs(w: ProximityNetWidths): ConvSpec[] {
  return [
    { layer: 'enc1', cin: INPUT_CHANNELS, cout: w.c1, k: 3 },
    { layer: 'enc2', cin: w.c1, cout: w.c2, k: 3 },
    { layer: 'enc3', cin: w.c2, cout: w.c3, k: 3 },
    { layer: 'enc4', cin: w.c3, cout: w.c4, k: 3 },
    { layer: 'dec.up', cin: w.c4, cout: w.decoder, k: 1 },
    { layer: 'dec.skip', cin: w.c2, cout: w.decoder, k: 1 },
    { layer: 'head', cin: w.decoder, cout: 1, k: 1 },
  ];
}

/** The network's layers, in order. */
export function layerNames(widths: ProximityNetWidths = DEFAULT_WIDTHS): string[] {
  return convSpecs(widths).map((c) => c.layer);
}

/** Every parameter tensor, in a fixed order (the order of the weights blob). */
export function paramSpecs(widths: ProximityNetWidths = DEFAULT_WIDTHS): ParamSpec[] {
  return convSpecs(widths).flatMap((c) => [
    { name: `${c.layer}.weight`, shape: [c.cout, c.cin, c.k, c.k], fanIn: c.cin * c.k * c.k, kind: 'weight' as const, layer: c.layer },
    { name: `${c.layer}.bias`, shape: [c.cout], fanIn: c.cin * c.k * c.k, kind: 'bias' as const, layer: c.layer },
  ]);
}

/** Total number of scalar parameters. */
export function parameterCount(widths: ProximityNetWidths = DEFAULT_WIDTHS): number {
  return paramSpecs(widths).reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
}

const PAD1: [number, number, number, number] = [1, 1, 1, 1];

/**
 * Builds the forward pass into `x`'s graph. `params` maps every ParamSpec name to a tensor (graph inputs,
 * normally). Returns ν, N × 1 × 120 × 160, in 1/s.
 */
export function proximityNet(
  x: Tensor,
  params: Readonly<Record<string, Tensor>>,
  /** Hidden activation; LeakyReLU(LEAKY_SLOPE). Tests swap in a smooth one to check gradients without kinks. */
  activation: (t: Tensor) => Tensor = (t) => leakyRelu(t, LEAKY_SLOPE),
): Tensor {
  const p = (name: string): Tensor => {
    const t = params[name];
    if (!t) throw new Error(`proximityNet: missing parameter ${name}`);
    return t;
  };
  const conv = (input: Tensor, layer: string, opts: Parameters<typeof conv2d>[3] = {}) =>
    conv2d(input, p(`${layer}.weight`), p(`${layer}.bias`), opts);
  const act = activation;

  const u = sqrt(x);
  const e1 = act(conv(u, 'enc1', { strides: [2, 2], pads: PAD1 }));
  const e2 = act(conv(e1, 'enc2', { strides: [2, 2], pads: PAD1 }));
  const e3 = act(conv(e2, 'enc3', { strides: [2, 2], pads: PAD1 }));
  const e4 = act(conv(e3, 'enc4', { dilations: [2, 2], pads: [2, 2, 2, 2] }));
  const [, , h2, w2] = e2.shape as [number, number, number, number];
  const up = resize2d(conv(e4, 'dec.up'), h2, w2, 'nearest');
  const d = act(add(up, conv(e2, 'dec.skip')));
  const nuLow = scale(softplus(conv(d, 'head')), NU_SCALE_PER_S);
  return resize2d(nuLow, INPUT_HEIGHT_PX, INPUT_WIDTH_PX, 'linear');
}

/** Input and output names of the network's graphs. */
export const INPUT_NAME = 'x';
export const OUTPUT_NAME = 'nu';

/** The network as a ModelDefinition for the graph builder's forward, backward and training-step graphs. */
export function proximityNetDefinition(batch = 1, widths: ProximityNetWidths = DEFAULT_WIDTHS, dtype: DType = 'float32'): ModelDefinition {
  return {
    name: 'proximity-net',
    inputs: [{ name: INPUT_NAME, shape: [batch, INPUT_CHANNELS, INPUT_HEIGHT_PX, INPUT_WIDTH_PX] }],
    params: paramSpecs(widths),
    outputName: OUTPUT_NAME,
    forward: (inputs, params) => proximityNet(inputs[INPUT_NAME]!, params),
    dtype,
  };
}

/**
 * He (Kaiming-normal) initialisation for LeakyReLU(LEAKY_SLOPE): std = √(2 / ((1 + a²) · fanIn)), biases 0.
 * The head's weights are scaled by HEAD_INIT_SCALE so that ν starts near softplus(0) · NU_SCALE_PER_S
 * everywhere instead of a random map. Deterministic for a seed (mulberry32 + Box–Muller).
 */
export function initialParameters(seed: number, widths: ProximityNetWidths = DEFAULT_WIDTHS): Map<string, Float32Array> {
  const rand = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * Math.cos(2 * Math.PI * rand());
  const out = new Map<string, Float32Array>();
  for (const p of paramSpecs(widths)) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(n);
    if (p.kind === 'weight') {
      const std = Math.sqrt(2 / ((1 + LEAKY_SLOPE ** 2) * p.fanIn)) * (p.layer === 'head' ? HEAD_INIT_SCALE : 1);
      for (let i = 0; i < n; i++) values[i] = std * gauss();
    }
    out.set(p.name, values);
  }
  return out;
}

/** Scale of the head's initial weights relative to He (see initialParameters). */
export const HEAD_INIT_SCALE = 0.1;

