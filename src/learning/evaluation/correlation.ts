/** Pearson and Spearman correlation of paired samples (NaN with fewer than 3 finite pairs or no spread). */

function finitePairs(xs: readonly number[], ys: readonly number[]): [number[], number[]] {
  if (xs.length !== ys.length) throw new RangeError(`correlation: ${xs.length} vs ${ys.length} values`);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    if (Number.isFinite(xs[i]) && Number.isFinite(ys[i])) {
      a.push(xs[i]!);
      b.push(ys[i]!);
    }
  }
  return [a, b];
}

export function pearson(xs: readonly number[], ys: readonly number[]): number {
  const [a, b] = finitePairs(xs, ys);
  const n = a.length;
  if (n < 3) return NaN;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

/** Ranks with ties given their mean rank. */
function ranks(v: readonly number[]): number[] {
  const idx = v.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0]);
  const r = new Array<number>(v.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1]![0] === idx[i]![0]) j++;
    for (let k = i; k <= j; k++) r[idx[k]![1]] = (i + j) / 2;
    i = j + 1;
  }
  return r;
}

export function spearman(xs: readonly number[], ys: readonly number[]): number {
  const [a, b] = finitePairs(xs, ys);
  return pearson(ranks(a), ranks(b));
}
