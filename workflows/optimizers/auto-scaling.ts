import { recommendAutoScaling } from './auto-scaling-policy.ts';
import { optimizerInputSchema } from './input.ts';
import { runSamplingOptimizer, type OptimizerInput, type OptimizerStatus } from './sampling.ts';

/**
 * The guide's auto-scaling optimizer: every five minutes, raise the HPA's ceiling under high CPU
 * and the memory limit under high memory. Long-running; a five-minute schedule (overlap SKIP) keeps
 * one instance alive. Query `optimizerStatus`; apply what is pending with the `approve` update.
 */
export async function autoScalingOptimizerWorkflow(input: OptimizerInput = {}): Promise<OptimizerStatus> {
  return runSamplingOptimizer(
    {
      kind: 'auto-scaling',
      workflowName: 'autoScalingOptimizerWorkflow',
      schema: optimizerInputSchema,
      recommend: recommendAutoScaling,
    },
    input,
  );
}
