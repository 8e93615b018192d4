// The guide's latency figure, read from Prometheus' HTTP API (an instant query). Like the probes, an
// unreachable or empty Prometheus is a fact for the workflow to fall back on, never an error to retry.
import type { LatencyReading } from '../../types/index.ts';
import { describeFetchError } from './probe.ts';

interface VectorAnswer {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

export async function readLatencyP95(
  prometheusUrl: string,
  query: string,
  timeoutMs: number,
  fetchImpl: typeof fetch = fetch,
): Promise<LatencyReading> {
  const url = `${prometheusUrl.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(query)}`;
  let answer: VectorAnswer;
  try {
    const response = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    const body = await response.text();
    try {
      answer = JSON.parse(body) as VectorAnswer;
    } catch {
      return { source: 'none', reason: `Prometheus answered ${response.status} without a JSON body` };
    }
  } catch (err) {
    return { source: 'none', reason: `Prometheus unreachable: ${describeFetchError(err, timeoutMs)}` };
  }
  if (answer.status !== 'success') return { source: 'none', reason: `Prometheus refused the query: ${answer.error}` };
  if (answer.data?.resultType !== 'vector')
    return { source: 'none', reason: `the query gives a ${answer.data?.resultType}, not an instant vector` };
  // NaN is a histogram with no observations in the window: no traffic, not a fast service.
  const measured = answer.data.result
    .map((s) => ({ labels: s.metric, seconds: Number(s.value[1]) }))
    .filter((s) => Number.isFinite(s.seconds));
  if (measured.length === 0)
    return { source: 'none', reason: `Prometheus has no latency series (no inference in the window?) for ${query}` };
  const worst = measured.reduce((a, b) => (b.seconds > a.seconds ? b : a));
  return {
    source: 'prometheus',
    query,
    p95Ms: Math.round(worst.seconds * 10_000) / 10,
    series: measured.length,
    worst: worst.labels,
  };
}
