// Every workflow the worker registers. The worker bundle is built from this file.
export { healthCheckWorkflow } from './health-check.ts';
export { modelHealthWorkflow, type ModelHealthInput } from './model-health.ts';
