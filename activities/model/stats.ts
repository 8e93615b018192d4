// Small numeric summaries the inference activity reports.
import type { LatencySummary } from '../../types/index.ts';

/** Nearest-rank percentile (p in 0..1) of a non-empty list. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1]!;
}

export function summarizeLatency(ms: readonly number[]): LatencySummary {
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return { p50: round(percentile(ms, 0.5)), p95: round(percentile(ms, 0.95)), max: round(Math.max(...ms)) };
}

/** ‖prediction − target‖₂ / ‖target‖₂ (a zero target only matches a zero prediction). */
export function relativeL2(prediction: ArrayLike<number>, target: ArrayLike<number>): number {
  let err = 0;
  let norm = 0;
  for (let i = 0; i < target.length; i++) {
    err += (prediction[i]! - target[i]!) ** 2;
    norm += target[i]! ** 2;
  }
  if (norm === 0) return err === 0 ? 0 : Number.MAX_VALUE;
  return Math.sqrt(err / norm);
}

/** How many targets lie inside mean ± 2σ, with σ = exp(log-variance / 2). */
export function countInside2Sigma(
  mean: ArrayLike<number>,
  logVariance: ArrayLike<number>,
  target: ArrayLike<number>,
): number {
  let inside = 0;
  for (let i = 0; i < target.length; i++) {
    if (Math.abs(target[i]! - mean[i]!) <= 2 * Math.exp(logVariance[i]! / 2)) inside++;
  }
  return inside;
}

/** NaN and ±Inf counts, kept apart because they point at different faults. */
export function countNonFinite(values: ArrayLike<number>): { nan: number; inf: number } {
  let nan = 0;
  let inf = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) nan++;
    else if (!Number.isFinite(v)) inf++;
  }
  return { nan, inf };
}
