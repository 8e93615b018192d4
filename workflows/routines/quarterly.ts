import { executeChild, workflowInfo } from '@temporalio/workflow';
import type { RoutineReport } from '../../types/index.ts';
import { parseInput } from '../shared/input.ts';
import { modelHealthWorkflow } from '../model/health.ts';
import { securityAuditWorkflow } from '../security/audit.ts';
import { capacityStep, runbookStep, upgradePlanStep } from './policy.ts';
import { failed, ok, skipped, step, warn } from './steps.ts';
import { finishRoutine } from './summary.ts';
import { withinWindow } from './window.ts';
import { beginRun } from '../shared/progress.ts';
import { quarterlyInputSchema, type QuarterlyInput } from './input.ts';
import { reads } from '../shared/activities.ts';

/** The guide's quarterly maintenance (first Sunday of Jan, Apr, Jul, Oct, 00:00 UTC). */
export async function quarterlyMaintenanceWorkflow(rawInput: QuarterlyInput = {}): Promise<RoutineReport> {
  const input = parseInput(quarterlyInputSchema, 'quarterlyMaintenanceWorkflow', rawInput);
  const progress = beginRun('quarterly', input.namespace, 2, 'running steps');
  const started = Date.now();
  const id = workflowInfo().workflowId;
  const target = { namespace: input.namespace, selector: input.selector };

  const { steps, overran } = await withinWindow(input.windowMs, () =>
    Promise.all([
      step('major update plan', async () =>
        upgradePlanStep(await reads.versionFacts({ namespace: input.namespace, name: input.deployment })),
      ),
      step('full security audit', async () => {
        const audit = await executeChild(securityAuditWorkflow, {
          workflowId: `${id}-audit`,
          args: [{ namespaces: [input.namespace], full: true }],
        });
        const serious = audit.findings.filter((f) => f.severity === 'CRITICAL' || f.severity === 'HIGH').length;
        const detail = `${audit.findings.length} findings (${serious} critical/high); ${audit.reportKey}`;
        return serious > 0 ? warn(detail) : ok(detail);
      }),
      step('model latency benchmark', async () => {
        const report = await executeChild(modelHealthWorkflow, {
          workflowId: `${id}-benchmark`,
          args: [input.benchmark],
        });
        const latency = report.checks.inference.facts?.latencyMs;
        if (!latency) return failed(`no measurement: ${report.checks.inference.reasons.join('; ')}`);
        const detail = `p50 ${latency.p50} ms, p95 ${latency.p95} ms per sample over ${report.checks.inference.facts?.samples} samples`;
        return latency.p95 > input.benchmarkP95LimitMs
          ? warn(`${detail} (limit ${input.benchmarkP95LimitMs} ms)`)
          : ok(detail);
      }),
      step('capacity review', async () => {
        const [facts, hpa] = await Promise.all([
          reads.capacityFacts(target),
          reads.getHpa({ namespace: input.namespace, name: input.hpaName }),
        ]);
        return capacityStep(facts, hpa.maxReplicas);
      }),
      input.runbooks.length > 0
        ? step('documentation review', async () => runbookStep(input.runbooks, input.runbookMaxAgeDays, new Date()))
        : Promise.resolve(skipped('documentation review', 'no runbooks configured')),
    ]),
  );
  return finishRoutine('quarterly', input.service, started, steps, progress, overran);
}
