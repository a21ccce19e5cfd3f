/**
 * Finite-difference gradient check executed in onnxruntime-node (test helper).
 *
 * The graph under test maps inputs to an output y; the objective is f = Σ y ⊙ R with a fixed random R,
 * so its gradient is the vector–Jacobian product the builder forms from the seed R. The analytic
 * gradient (backward graph, run by ORT) is compared with central differences
 *     (f(x + h·e_i) − f(x − h·e_i)) / 2h
 * where every f is a forward run in ORT, summed in float64 here. Coordinates are a seeded random subset.
 *
 * Precision: float64 graphs (ops that ORT implements in double) use h = 1e-6 and tight tolerances;
 * float32 graphs (Conv, ConvTranspose, Resize, Softplus: float-only kernels) use h = 1e-2 and
 * |fd − an| ≤ 2e-3 · max(1, |fd|, |an|) unless a test says otherwise: float32 rounding of y, amplified by
 * 1/2h, dominates there (truncation error of a smooth op is O(h²) ≈ 1e-4 · f‴).
 */
import * as ort from 'onnxruntime-node';
import { GraphBuilder, gradients, type Tensor } from '../../src/graph/index.js';
import { mulberry32 } from '../helpers/random.js';

export type FloatType = 'float32' | 'float64';

/** How input values are drawn: normal(0, 1); away from 0 (|x| ∈ [0.2, 1.2], for kinks); positive ([0.5, 2]). */
export type Draw = 'normal' | 'awayFromZero' | 'positive';

export interface GradCase {
  readonly dtype: FloatType;
  readonly inputs: Readonly<Record<string, { readonly shape: readonly number[]; readonly draw?: Draw; readonly values?: ArrayLike<number> }>>;
  /** Inputs to differentiate (default: all). */
  readonly wrt?: readonly string[];
  readonly build: (inputs: Readonly<Record<string, Tensor>>) => Tensor;
  readonly h?: number;
  readonly rtol?: number;
  readonly atol?: number;
  /** Coordinates checked per input (a seeded random subset when the input is larger). Default 40. */
  readonly probes?: number;
  readonly seed?: number;
}

export interface GradReport {
  readonly checked: number;
  /** Largest |fd − an| / (atol + rtol · max(|fd|, |an|)); ≤ 1 passes. */
  readonly worstRatio: number;
  readonly failures: readonly string[];
  /** Largest |analytic gradient| seen (so a test can tell a vacuous all-zero gradient). */
  readonly maxAbsGradient: number;
  /** Every checked coordinate: input name, index, analytic and finite-difference value. */
  readonly samples: readonly { readonly name: string; readonly index: number; readonly analytic: number; readonly fd: number }[];
}

function normal(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

function draw(kind: Draw, n: number, rand: () => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (kind === 'normal') out[i] = normal(rand);
    else if (kind === 'positive') out[i] = 0.5 + 1.5 * rand();
    else out[i] = (rand() < 0.5 ? -1 : 1) * (0.2 + rand());
  }
  return out;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function ortTensor(dtype: FloatType, values: ArrayLike<number>, shape: readonly number[]): ort.Tensor {
  return new ort.Tensor(dtype, dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values), [...shape]);
}

export async function gradCheck(c: GradCase): Promise<GradReport> {
  const rand = mulberry32(c.seed ?? 1234);
  const h = c.h ?? (c.dtype === 'float64' ? 1e-6 : 1e-2);
  const rtol = c.rtol ?? (c.dtype === 'float64' ? 1e-6 : 2e-3);
  const atol = c.atol ?? (c.dtype === 'float64' ? 1e-8 : 2e-3);
  const names = Object.keys(c.inputs);
  const wrtNames = c.wrt ?? names;

  const g = new GraphBuilder({ name: 'gradcheck' });
  const handles: Record<string, Tensor> = {};
  for (const name of names) handles[name] = g.input(name, c.inputs[name]!.shape, c.dtype);
  const y = c.build(handles);
  const seed = g.input('seed_R', y.shape, c.dtype);
  const grads = gradients([[y, seed]], wrtNames.map((n) => handles[n]!));
  g.output(y, 'y');
  grads.forEach((gr, i) => g.output(gr, `grad_${wrtNames[i]}`));
  const session = await ort.InferenceSession.create(g.toModelBytes());

  const values: Record<string, Float64Array> = {};
  for (const name of names) {
    const spec = c.inputs[name]!;
    values[name] = spec.values ? Float64Array.from(spec.values) : draw(spec.draw ?? 'normal', size(spec.shape), rand);
  }
  const r = draw('normal', y.size, rand);
  const feeds = (): Record<string, ort.Tensor> => {
    const f: Record<string, ort.Tensor> = { seed_R: ortTensor(c.dtype, r, y.shape) };
    for (const name of names) f[name] = ortTensor(c.dtype, values[name]!, c.inputs[name]!.shape);
    return f;
  };
  const objective = async (): Promise<number> => {
    const out = await session.run(feeds(), ['y']);
    const yv = out.y!.data as Float32Array | Float64Array;
    let s = 0;
    for (let i = 0; i < yv.length; i++) s += yv[i]! * r[i]!;
    return s;
  };

  const base = await session.run(feeds());
  const failures: string[] = [];
  const samples: { name: string; index: number; analytic: number; fd: number }[] = [];
  let checked = 0;
  let worstRatio = 0;
  let maxAbsGradient = 0;
  for (const name of wrtNames) {
    const an = base[`grad_${name}`]!.data as Float32Array | Float64Array;
    for (const v of an) maxAbsGradient = Math.max(maxAbsGradient, Math.abs(v));
    const x = values[name]!;
    const count = Math.min(c.probes ?? 40, x.length);
    const coords = x.length <= count ? [...x.keys()] : [...new Set(Array.from({ length: count * 2 }, () => Math.floor(rand() * x.length)))].slice(0, count);
    for (const i of coords) {
      const x0 = x[i]!;
      x[i] = x0 + h;
      const fPlus = await objective();
      x[i] = x0 - h;
      const fMinus = await objective();
      x[i] = x0;
      // In float32 the perturbed inputs are rounded: divide by the step the graph actually saw.
      const step = c.dtype === 'float32' ? Math.fround(x0 + h) - Math.fround(x0 - h) : 2 * h;
      const fd = (fPlus - fMinus) / step;
      const a = an[i]!;
      const ratio = Math.abs(fd - a) / (atol + rtol * Math.max(Math.abs(fd), Math.abs(a)));
      worstRatio = Math.max(worstRatio, ratio);
      checked++;
      samples.push({ name, index: i, analytic: a, fd });
      if (!(ratio <= 1)) failures.push(`${name}[${i}]: analytic ${a}, finite difference ${fd}`);
    }
  }
  await session.release();
  return { checked, worstRatio, failures, maxAbsGradient, samples };
}
