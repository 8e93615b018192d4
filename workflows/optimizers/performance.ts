import { performanceOptimizerInputSchema, type PerformanceOptimizerInput } from './input.ts';
import { recommendPerformance } from './performance-policy.ts';
import { runSamplingOptimizer, type OptimizerStatus } from './sampling.ts';

/**
 * The guide's performance optimizer: CPU, memory, scaling and (with the worker's PNO_PROMETHEUS_URL)
 * p95 latency trends over the latest ten samples of a 24-hour window, sampled every five minutes.
 * Long-running; a five-minute schedule (overlap SKIP) keeps one instance alive. Query
 * `optimizerStatus`; apply what is pending with the `approve` update.
 */
export async function performanceOptimizerWorkflow(input: PerformanceOptimizerInput = {}): Promise<OptimizerStatus> {
  return runSamplingOptimizer(
    {
      kind: 'performance',
      workflowName: 'performanceOptimizerWorkflow',
      schema: performanceOptimizerInputSchema,
      recommend: (window, hpa, parsed) => recommendPerformance(window, hpa, parsed.latencyP95LimitMs),
      latencyQuery: (parsed) => parsed.latencyQuery,
    },
    input,
  );
}
