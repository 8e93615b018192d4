import { ActivityFailure, patched } from '@temporalio/workflow';
import type { ModelCheckResult, ModelHealthReport } from '../../types/index.ts';
import { modelHealthInputSchema, type ModelHealthInput } from './input.ts';
import { parseInput } from '../shared/input.ts';
import {
  assessInference,
  assessIntegrity,
  checkFailed,
  checkSkipped,
  overallModelHealth,
  sourceLabel,
} from './policy.ts';
import { alerts, models } from '../shared/activities.ts';
import { serviceTarget } from '../shared/target.ts';
import { beginRun } from '../shared/progress.ts';

export { modelHealthDefaults, type ModelHealthInput } from './input.ts';

/**
 * Model health, as the guide's `ModelHealthValidator`: integrity (readable, digest, parses, graph
 * inputs/outputs, no NaN/Inf weights), then inference on the first samples of the validation set
 * (finite outputs, relative L2 error, 2σ coverage, latency). Returns PASS/FAIL with reasons per check.
 *
 * Other workflows (DR restore verification, security updates) reuse it as a child workflow:
 *   const report = await executeChild(modelHealthWorkflow, { args: [{ source: { kind: 's3', bucket, key } }] });
 *   if (report.status === 'FAIL') ... // report.checks.*.reasons say why
 * An unhealthy model is a FAIL result, never a thrown error; only invalid input fails the workflow.
 * A FAIL alerts (`model_validation_failure`, as the guide names it) and a PASS resolves that alert,
 * unless the caller says `alert: false` because it acts on the result itself.
 */
export async function modelHealthWorkflow(rawInput: ModelHealthInput = {}): Promise<ModelHealthReport> {
  const input = parseInput(modelHealthInputSchema, 'modelHealthWorkflow', rawInput);
  const progress = beginRun(
    'model-health',
    input.source.kind === 'pod' ? input.source.namespace : undefined,
    2,
    'integrity',
  );

  const integrity = await orCheckFailed(
    'integrity',
    models.checkModelIntegrity({ source: input.source }).then((facts) => assessIntegrity(facts, input)),
  );
  progress.stepDone();

  let inference: ModelHealthReport['checks']['inference'];
  if (integrity.status !== 'PASS') {
    // A model that fails integrity is not fit to serve; running it would only add noise to the report.
    inference = checkSkipped('inference', 'the integrity check failed');
  } else {
    progress.phase('inference');
    inference = await orCheckFailed(
      'inference',
      models
        .runModelInference({
          source: input.source,
          validationSetPath: input.validationSetPath,
          samples: input.samples,
          meanOutput: input.meanOutput,
          logVarianceOutput: input.logVarianceOutput,
        })
        .then((facts) => assessInference(facts, input, integrity.facts?.sha256)),
    );
  }
  progress.stepDone();
  progress.phase('done');

  const checks = { integrity, inference };
  const model = integrity.facts?.model ?? sourceLabel(input.source);
  const report: ModelHealthReport = {
    status: overallModelHealth(checks),
    checkedAt: new Date().toISOString(),
    model,
    // A pod source's model names the pod it was read from; its identity does not.
    identity: input.source.kind === 'pod' ? sourceLabel(input.source) : model,
    checks,
  };
  // Runs recorded before it alerted replay without the alert.
  if (input.alert && patched('model-health-alerts')) {
    const reasons = Object.values(checks).flatMap((c) => c.reasons.map((r) => `${c.name}: ${r}`));
    await alerts.sendAlert({
      type: 'model_validation_failure',
      severity: 'critical',
      service: serviceTarget.service,
      summary:
        report.status === 'PASS'
          ? `model ${report.identity} passed its health check`
          : `model ${report.identity} failed its health check: ${reasons.slice(0, 3).join('; ')}`.slice(0, 500),
      details: { model: report.model, integrity: integrity.status, inference: inference.status },
      dedupKey: `model-health:${report.identity}`,
      resolved: report.status === 'PASS',
    });
  }
  return report;
}

/** A check whose activity failed for good (or ran out of retries) is reported as FAIL, not thrown. */
async function orCheckFailed<T>(name: string, check: Promise<ModelCheckResult<T>>): Promise<ModelCheckResult<T>> {
  try {
    return await check;
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    return checkFailed(name, err.cause?.message ?? err.message);
  }
}
