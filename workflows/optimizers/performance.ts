import { recommendPerformance } from './performance-policy.ts';
import { runSamplingOptimizer, type OptimizerInput, type OptimizerStatus } from './sampling.ts';

/**
 * The guide's performance optimizer: CPU, memory and scaling trends over the latest ten samples of a
 * 24-hour window, sampled every five minutes. Long-running; a five-minute schedule (overlap SKIP)
 * keeps one instance alive. Query `optimizerStatus`; apply what is pending with the `approve` update.
 */
export async function performanceOptimizerWorkflow(input: OptimizerInput = {}): Promise<OptimizerStatus> {
  return runSamplingOptimizer('performance', 'performanceOptimizerWorkflow', recommendPerformance, input);
}
