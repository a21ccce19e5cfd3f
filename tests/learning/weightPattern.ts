/** Weights whose every value is a function of the version (float32-exact), and a checker for torn copies. */
export const weightPatternValue = (version: number, i: number): number => ((version * 31 + i) % 4096) - 2048;

export function fillWeightPattern(w: Float32Array, version: number): void {
  for (let i = 0; i < w.length; i++) w[i] = weightPatternValue(version, i);
}

/** Values of `w` that do not belong to `version` (0 = a complete, untorn set). */
export function weightPatternMismatches(w: Float32Array, version: number): number {
  let bad = 0;
  for (let i = 0; i < w.length; i++) if (w[i] !== weightPatternValue(version, i)) bad++;
  return bad;
}
