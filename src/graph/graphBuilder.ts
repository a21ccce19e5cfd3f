/**
 * Builds one ONNX graph: inputs, constants (initializers), nodes and outputs, with static shapes, and
 * records a tape of differentiable operations so that `gradients` (autodiff.ts) can add the backward
 * graph to the same builder. Operators live in src/graph/ops, one family per file, each with its forward
 * node(s) and its backward side by side; they use `node` to emit and `record` to put themselves on the tape.
 *
 * Pure: no I/O. `toModelBytes()` serialises through protobufjs (onnx/onnxSchema.ts).
 */
import { type Attributes, attributeProto } from './attributes.js';
import { type DType, type Shape, formatShape, onnxDataType, rawBytes, sizeOf } from './dtype.js';
import { encodeModelProto } from './onnx/onnxSchema.js';
import { Tensor } from './tensor.js';

/** The ONNX operator set the builder targets (default domain); onnxruntime 1.30 implements all its ops used here. */
export const OPSET_VERSION = 17;
/** ONNX IR version matching opset 17 (IR 8). */
export const IR_VERSION = 8;

/**
 * One differentiable operation on the tape. `backward` receives dL/d(output) and returns dL/d(input i)
 * for each input whose `needed[i]` is true (undefined where not needed or identically zero); it builds
 * those gradients as new nodes in the same graph.
 */
export interface TapeEntry {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly backward: (gradOutput: Tensor, needed: readonly boolean[]) => readonly (Tensor | undefined)[];
}

interface NodeRecord {
  readonly opType: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Attributes;
}

interface Initializer {
  readonly name: string;
  readonly shape: Shape;
  readonly dtype: DType;
  readonly raw: Uint8Array;
}

export interface GraphBuilderOptions {
  /** Graph name written into the model. */
  readonly name: string;
  /** Free text stored as the model's doc_string. */
  readonly doc?: string;
}

export class GraphBuilder {
  readonly name: string;
  private readonly doc: string;
  private readonly nodes: NodeRecord[] = [];
  private readonly initializers: Initializer[] = [];
  private readonly inputs: Tensor[] = [];
  private readonly outputs: Tensor[] = [];
  private readonly names = new Set<string>();
  private readonly counters = new Map<string, number>();
  private readonly constantCache = new Map<string, Tensor>();
  private readonly metadata = new Map<string, string>();
  private readonly tapeEntries: TapeEntry[] = [];

  constructor(options: GraphBuilderOptions) {
    this.name = options.name;
    this.doc = options.doc ?? '';
  }

  /** Differentiable operations in creation (= topological) order. */
  get tape(): readonly TapeEntry[] {
    return this.tapeEntries;
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  /** A fresh name `prefix_N` not used in this graph. */
  uniqueName(prefix: string): string {
    let n = this.counters.get(prefix) ?? 0;
    let name: string;
    do name = `${prefix}_${n++}`;
    while (this.names.has(name));
    this.counters.set(prefix, n);
    this.names.add(name);
    return name;
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`graph ${this.name}: name ${name} is already used`);
    this.names.add(name);
  }

  /** Declares a graph input with a static shape. */
  input(name: string, shape: Shape, dtype: DType = 'float32'): Tensor {
    this.claim(name);
    const t = new Tensor(this, name, [...shape], dtype);
    this.inputs.push(t);
    return t;
  }

  /** A constant tensor stored as an initializer (raw little-endian bytes). */
  constant(values: ArrayLike<number>, shape: Shape, dtype: DType = 'float32', namePrefix = 'const'): Tensor {
    if (values.length !== sizeOf(shape)) throw new Error(`constant: ${values.length} values for shape ${formatShape(shape)}`);
    const name = this.uniqueName(namePrefix);
    this.initializers.push({ name, shape: [...shape], dtype, raw: rawBytes(values, dtype) });
    return new Tensor(this, name, [...shape], dtype);
  }

  /** A scalar constant (shape []), shared between all uses of the same value and type. */
  scalar(value: number, dtype: DType = 'float32'): Tensor {
    return this.cached(`s:${dtype}:${Object.is(value, -0) ? '-0' : String(value)}`, () => this.constant([value], [], dtype, 'scalar'));
  }

  /** A 1-D int64 constant (shapes, axes, slice bounds, pads), shared between uses. */
  int64s(values: readonly number[]): Tensor {
    return this.cached(`i64:${values.join(',')}`, () => this.constant(values, [values.length], 'int64', 'ints'));
  }

  /** A constant of `shape` filled with `value`, shared between uses. */
  filled(value: number, shape: Shape, dtype: DType = 'float32'): Tensor {
    return this.cached(`fill:${dtype}:${value}:${shape.join(',')}`, () =>
      this.constant(new Array<number>(sizeOf(shape)).fill(value), shape, dtype, 'fill'),
    );
  }

  private cached(key: string, make: () => Tensor): Tensor {
    let t = this.constantCache.get(key);
    if (!t) {
      t = make();
      this.constantCache.set(key, t);
    }
    return t;
  }

  /**
   * Emits one ONNX node with a single output whose shape and type the caller (an operator) has inferred.
   * An empty-string input stands for an omitted optional input.
   */
  node(opType: string, inputs: readonly (Tensor | '')[], attributes: Attributes, out: { shape: Shape; dtype: DType }): Tensor {
    for (const i of inputs) if (i !== '' && i.graph !== this) throw new Error(`${opType}: input ${i.name} belongs to another graph`);
    const output = new Tensor(this, this.uniqueName(opType.toLowerCase()), [...out.shape], out.dtype);
    this.nodes.push({
      opType,
      name: this.uniqueName(`n_${opType}`),
      inputs: inputs.map((i) => (i === '' ? '' : i.name)),
      outputs: [output.name],
      attributes,
    });
    return output;
  }

  /** Puts a differentiable operation on the tape (operators call this right after emitting their forward node). */
  record(entry: TapeEntry): Tensor {
    this.tapeEntries.push(entry);
    return entry.output;
  }

  /**
   * Declares `value` a graph output under `name` (an Identity node gives it that name, so an input or a
   * constant can be an output too, e.g. a frozen weight passed through).
   */
  output(value: Tensor, name: string): Tensor {
    if (value.graph !== this) throw new Error(`output ${name}: value belongs to another graph`);
    this.claim(name);
    this.nodes.push({ opType: 'Identity', name: this.uniqueName('n_Identity'), inputs: [value.name], outputs: [name], attributes: {} });
    const t = new Tensor(this, name, value.shape, value.dtype);
    this.outputs.push(t);
    return t;
  }

  /** A key/value pair stored in the model's metadata_props (visible to any ONNX tool). */
  setMetadata(key: string, value: string): void {
    this.metadata.set(key, value);
  }

  get graphInputs(): readonly Tensor[] {
    return this.inputs;
  }

  get graphOutputs(): readonly Tensor[] {
    return this.outputs;
  }

  /** The model as a plain ModelProto object (protobufjs field names). */
  toModelProto(): Record<string, unknown> {
    const valueInfo = (t: Tensor) => ({
      name: t.name,
      type: { tensor_type: { elem_type: onnxDataType(t.dtype), shape: { dim: t.shape.map((d) => ({ dim_value: d })) } } },
    });
    return {
      ir_version: IR_VERSION,
      opset_import: [{ domain: '', version: OPSET_VERSION }],
      producer_name: 'evpilot-graph',
      producer_version: '1',
      doc_string: this.doc,
      metadata_props: [...this.metadata].map(([key, value]) => ({ key, value })),
      graph: {
        name: this.name,
        node: this.nodes.map((n) => ({
          name: n.name,
          op_type: n.opType,
          input: [...n.inputs],
          output: [...n.outputs],
          attribute: Object.entries(n.attributes).map(([k, a]) => attributeProto(k, a)),
        })),
        initializer: this.initializers.map((c) => ({
          name: c.name,
          dims: [...c.shape],
          data_type: onnxDataType(c.dtype),
          raw_data: c.raw,
        })),
        input: this.inputs.map(valueInfo),
        output: this.outputs.map(valueInfo),
      },
    };
  }

  /** Serialised ONNX model, ready for `ort.InferenceSession.create(bytes)`. */
  toModelBytes(): Uint8Array {
    if (this.outputs.length === 0) throw new Error(`graph ${this.name} has no outputs`);
    return encodeModelProto(this.toModelProto());
  }
}
