// Summary statistics of repeated measurements: the median with the spread around it.

export interface Stats {
  n: number;
  median: number;
  min: number;
  max: number;
  /** Lower and upper quartiles (linear interpolation). */
  p25: number;
  p75: number;
}

export function stats(values: readonly number[]): Stats {
  if (values.length === 0) throw new Error("no values");
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    min: sorted[0] as number, // non-empty, checked above
    max: sorted[sorted.length - 1] as number,
    p25: quantile(sorted, 0.25),
    p75: quantile(sorted, 0.75),
  };
}

export function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const low = sorted[below] ?? Number.NaN;
  const high = sorted[Math.min(below + 1, sorted.length - 1)] ?? low;
  return low + (high - low) * (position - below);
}
