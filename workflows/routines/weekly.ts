import { executeChild, workflowInfo } from '@temporalio/workflow';
import type { RoutineReport } from '../../types/index.ts';
import { parseInput } from '../shared/input.ts';
import { modelHealthWorkflow } from '../model/health.ts';
import { summarizeUsage } from '../monitoring/resource-usage.ts';
import { certificateExpiryWorkflow } from '../security/certificates.ts';
import { securityAuditWorkflow } from '../security/audit.ts';
import { capacityStep } from './policy.ts';
import { failed, ok, skipped, step, warn } from './steps.ts';
import { finishRoutine } from './summary.ts';
import { withinWindow } from './window.ts';
import { beginRun } from '../shared/progress.ts';
import { outputTail, ranCommand } from '../shared/command-output.ts';
import { weeklyInputSchema, type WeeklyInput } from './input.ts';
import { podCommands, reads, records } from '../shared/activities.ts';

/** The guide's weekly maintenance (Sunday 03:00 UTC). */
export async function weeklyMaintenanceWorkflow(rawInput: WeeklyInput = {}): Promise<RoutineReport> {
  const input = parseInput(weeklyInputSchema, 'weeklyMaintenanceWorkflow', rawInput);
  const progress = beginRun('weekly', input.namespace, 2, 'running steps');
  const started = Date.now();
  const id = workflowInfo().workflowId;
  const target = { namespace: input.namespace, selector: input.selector };

  const { steps, overran } = await withinWindow(input.windowMs, () =>
    Promise.all([
      step('nodes snapshot', async () => {
        const snapshot = await reads.nodesSnapshot();
        const stored = await records.putReport({ kind: 'nodes', report: snapshot });
        return ok(`${snapshot.count} nodes; ${stored.key}`);
      }),
      step('certificate expiry', async () => {
        const report = await executeChild(certificateExpiryWorkflow, {
          workflowId: `${id}-certificates`,
          args: [{ namespaces: [input.namespace] }],
        });
        const detail = `${report.certificates.length} certificates, status ${report.status}`;
        return report.status === 'CRITICAL' ? failed(detail) : report.status === 'WARNING' ? warn(detail) : ok(detail);
      }),
      step('model integrity', async () => {
        const report = await executeChild(modelHealthWorkflow, { workflowId: `${id}-model`, args: [input.modelCheck] });
        const reasons = [...report.checks.integrity.reasons, ...report.checks.inference.reasons];
        return report.status === 'PASS'
          ? ok(`${report.model}: PASS`)
          : failed(`${report.model}: ${reasons.join('; ')}`);
      }),
      input.database
        ? step('database maintenance', async () => {
            const db = input.database!;
            const run = await podCommands.execInPod({
              ...target,
              container: db.container,
              command: db.maintenanceCommand,
              field: 'database.maintenanceCommand',
            });
            return run.exitCode === 0
              ? ok(`${ranCommand(run, db.maintenanceCommand)} in ${run.pod}`)
              : failed(`exit ${run.exitCode}${outputTail(run.stderr) ? `: ${outputTail(run.stderr)}` : ''}`);
          })
        : Promise.resolve(skipped('database maintenance', 'no database configured')),
      step('performance optimization', async () => {
        const usage = summarizeUsage(await reads.podMetrics(target));
        // The optimizers watch continuously; this step records the week's snapshot for the report.
        if (!usage.available) return warn(`resource usage unknown: ${usage.reason}`);
        // A served metrics API that has measured none of the pods (just started, or not scraped) is no snapshot.
        return usage.pods > 0
          ? ok(JSON.stringify(usage))
          : warn(`resource usage unknown: no pod matching ${input.selector} has metrics yet`);
      }),
      step('capacity analysis', async () => {
        const [facts, hpa] = await Promise.all([
          reads.capacityFacts(target),
          reads.getHpa({ namespace: input.namespace, name: input.hpaName }),
        ]);
        return capacityStep(facts, hpa.maxReplicas);
      }),
      step('security audit', async () => {
        const audit = await executeChild(securityAuditWorkflow, {
          workflowId: `${id}-audit`,
          args: [{ namespaces: [input.namespace] }],
        });
        const serious = audit.findings.filter((f) => f.severity === 'CRITICAL' || f.severity === 'HIGH').length;
        const detail = `${audit.findings.length} findings (${serious} critical/high) over ${audit.workloadsAudited} workloads; ${audit.reportKey}`;
        return serious > 0 ? warn(detail) : ok(detail);
      }),
    ]),
  );
  return finishRoutine('weekly', input.service, started, steps, progress, overran);
}
