import type * as ort from 'onnxruntime-node';

/**
 * Session options for the runtime's onnxruntime sessions: a fixed number of intra-op threads (default 1,
 * so inference and the learner each keep one core of two), no inter-op parallelism (the graphs are
 * chains), full graph optimisation.
 */
export function sessionOptions(intraOpThreads = 1): ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: intraOpThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  };
}

/** Static shape of a session input, from the model's metadata (throws for a symbolic dimension). */
export function inputShape(session: ort.InferenceSession, name: string): number[] {
  const meta = session.inputMetadata.find((m) => m.name === name);
  if (!meta || !meta.isTensor) throw new Error(`model has no tensor input ${name}`);
  return meta.shape.map((d) => {
    if (typeof d !== 'number') throw new Error(`input ${name} has a symbolic dimension ${d}`);
    return d;
  });
}
