// The runs whose histories are recorded (npm run record-histories) and replayed by the suite, so a
// change that breaks determinism fails CI. One or more per workflow, covering its main branches.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../activities/index.ts';
import { createHttpActivities } from '../../activities/http/index.ts';
import { createModelActivities } from '../../activities/model/index.ts';
import { fixture, goodModel, validationSet } from '../model/fixtures.ts';
import { FailureType } from '../../types/index.ts';
import { backupScenarios } from './backup-scenarios.ts';
import { routineScenarios } from './routine-scenarios.ts';
import { monitorScenarios } from './monitor-scenarios.ts';
import { securityScenarios } from './security-scenarios.ts';

export interface ScenarioContext {
  /** A local inference API stand-in answering 200 on /health and /ready. */
  apiUrl: string;
}

export interface Scenario {
  /** Its folder of kept recordings: test/histories/recorded/<name>/. */
  name: string;
  workflowType: string;
  input: unknown;
  activities(ctx: ScenarioContext): Partial<Activities>;
  /**
   * Acts on the started run as an operator would (approve, reset…) and returns the id of the run to
   * record, once that run has closed; without it, the started run is recorded.
   */
  drive?(client: Client, handle: WorkflowHandle): Promise<string>;
}

const pods = [
  { name: 'pno-a', phase: 'Running', ready: true, restarts: 0 },
  { name: 'pno-b', phase: 'Running', ready: true, restarts: 0 },
];
const hpa = {
  name: 'pno-hpa',
  minReplicas: 2,
  maxReplicas: 10,
  currentReplicas: 2,
  desiredReplicas: 2,
  scalingActive: true,
};

/** The real model activities on the fixtures, and an alert sink that takes everything. */
function modelActivities(): Partial<Activities> {
  return {
    ...createModelActivities({ defaultModelPath: goodModel, defaultValidationSetPath: validationSet }),
    sendAlert: async ({ dedupKey, resolved }) => ({
      dedupKey,
      status: resolved ? ('resolved' as const) : ('firing' as const),
      delivered: [],
    }),
  };
}

export const scenarios: Scenario[] = [
  ...backupScenarios,
  ...routineScenarios,
  ...monitorScenarios,
  ...securityScenarios,
  {
    name: 'health-check-healthy',
    workflowType: 'healthCheckWorkflow',
    input: {},
    activities: ({ apiUrl }) => ({
      ...createHttpActivities({ defaultApiBaseUrl: apiUrl }),
      listPods: async () => pods,
      getHpa: async () => hpa,
    }),
  },
  {
    name: 'health-check-hpa-missing',
    workflowType: 'healthCheckWorkflow',
    input: { namespace: 'production' },
    activities: ({ apiUrl }) => ({
      ...createHttpActivities({ defaultApiBaseUrl: apiUrl }),
      listPods: async () => pods,
      getHpa: async () => {
        throw ApplicationFailure.nonRetryable('read HPA production/pno-hpa: not found', FailureType.notFound);
      },
    }),
  },
  {
    name: 'model-health-pass',
    workflowType: 'modelHealthWorkflow',
    input: {},
    activities: modelActivities,
  },
  {
    name: 'model-health-nan-weights',
    workflowType: 'modelHealthWorkflow',
    input: { source: { kind: 'file', path: fixture('pno_nan_weights.onnx') } },
    activities: modelActivities,
  },
];
