// Every registered workflow's input schema by workflow type, and the JSON Schemas they emit: what the
// README tables are rendered from and what a CLI can check or complete an input against.
import { z } from 'zod';
import type * as registered from './index.ts';
import { backupInputSchema, disasterRecoveryInputSchema, restoreDrillInputSchema } from './backup/input.ts';
import { modelHealthInputSchema } from './model/input.ts';
import { healthCheckInputSchema, healthMonitorInputSchema } from './monitoring/input.ts';
import { optimizerInputSchema, performanceOptimizerInputSchema } from './optimizers/input.ts';
import { dailyInputSchema, monthlyInputSchema, quarterlyInputSchema, weeklyInputSchema } from './routines/input.ts';
import { certificateExpiryInputSchema, securityAuditInputSchema, securityUpdateInputSchema } from './security/input.ts';

export type WorkflowType = keyof typeof registered;

/** In the order of workflows/index.ts; `satisfies` fails the build when a registered workflow has none. */
export const inputSchemas = {
  healthCheckWorkflow: healthCheckInputSchema,
  modelHealthWorkflow: modelHealthInputSchema,
  securityUpdateWorkflow: securityUpdateInputSchema,
  certificateExpiryWorkflow: certificateExpiryInputSchema,
  securityAuditWorkflow: securityAuditInputSchema,
  healthMonitorWorkflow: healthMonitorInputSchema,
  autoScalingOptimizerWorkflow: optimizerInputSchema,
  performanceOptimizerWorkflow: performanceOptimizerInputSchema,
  backupWorkflow: backupInputSchema,
  disasterRecoveryWorkflow: disasterRecoveryInputSchema,
  restoreDrillWorkflow: restoreDrillInputSchema,
  dailyMaintenanceWorkflow: dailyInputSchema,
  weeklyMaintenanceWorkflow: weeklyInputSchema,
  monthlyMaintenanceWorkflow: monthlyInputSchema,
  quarterlyMaintenanceWorkflow: quarterlyInputSchema,
} satisfies Record<WorkflowType, z.ZodType>;

export type InputJsonSchema = z.core.JSONSchema.BaseSchema;

/**
 * The JSON Schema (draft 2020-12) of what a caller may pass: every field optional, with its default,
 * description and `rule` (the refusal's wording). Cross-field rules (e.g. meanOutput among
 * expectedOutputs) are only in the workflow's own check.
 */
export function inputJsonSchema(workflowType: WorkflowType): InputJsonSchema {
  return {
    ...z.toJSONSchema(inputSchemas[workflowType], { io: 'input', unrepresentable: 'any' }),
    title: `${workflowType} input`,
  };
}

export function inputJsonSchemas(): Record<WorkflowType, InputJsonSchema> {
  const types = Object.keys(inputSchemas) as WorkflowType[];
  return Object.fromEntries(types.map((type) => [type, inputJsonSchema(type)])) as Record<
    WorkflowType,
    InputJsonSchema
  >;
}
