/** Median of the numbers (copies; does not reorder the input). NaN for an empty list. */
export function median(xs: ArrayLike<number>): number {
  const n = xs.length;
  if (n === 0) return Number.NaN;
  const a = Float64Array.from(xs);
  const h = n >> 1;
  const upper = select(a, h);
  if (n % 2 === 1) return upper;
  let lower = a[0];
  for (let i = 1; i < h; i++) if (a[i] > lower) lower = a[i]; // after select, a[0..h) holds the smaller half
  return (lower + upper) / 2;
}

/** Quickselect (Hoare partition, middle pivot): the k-th smallest, in O(n) on average; reorders `a`. */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const tmp = a[i];
        a[i] = a[j];
        a[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/** Median absolute deviation scaled to estimate a normal standard deviation. */
export function robustScale(xs: ArrayLike<number>): number {
  const m = median(xs);
  const dev = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) dev[i] = Math.abs(xs[i] - m);
  return 1.4826 * median(dev);
}

/** Theil–Sen slope over all pairs: for the short lists (cycle peaks) it is used on. */
export function theilSenSlope(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const slopes: number[] = [];
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      if (x[j] !== x[i]) slopes.push((y[j] - y[i]) / (x[j] - x[i]));
    }
  }
  return median(slopes);
}
