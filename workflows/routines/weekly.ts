import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.ts';
import type { RoutineReport } from '../../types/index.ts';
import { quickRead } from '../shared/activity-options.ts';
import { parseInput } from '../shared/input.ts';
import { modelHealthWorkflow } from '../model/health.ts';
import { summarizeUsage } from '../monitoring/resource-usage.ts';
import { certificateExpiryWorkflow } from '../security/certificates.ts';
import { securityAuditWorkflow } from '../security/audit.ts';
import { capacityStep } from './policy.ts';
import { failed, ok, skipped, step, warn } from './steps.ts';
import { finishRoutine, markRoutine } from './summary.ts';
import { weeklyInputSchema, type WeeklyInput } from './input.ts';

/** The guide's weekly maintenance (Sunday 03:00 UTC). */
export async function weeklyMaintenanceWorkflow(rawInput: WeeklyInput = {}): Promise<RoutineReport> {
  const input = parseInput(weeklyInputSchema, 'weeklyMaintenanceWorkflow', rawInput);
  markRoutine('weekly', input.namespace);
  const started = Date.now();
  const act = proxyActivities<Activities>(quickRead);
  const slow = proxyActivities<Activities>({ startToCloseTimeout: '30 minutes', retry: { maximumAttempts: 2 } });
  const id = workflowInfo().workflowId;
  const target = { namespace: input.namespace, selector: input.selector };

  const steps = await Promise.all([
    step('nodes snapshot', async () => {
      const snapshot = await act.nodesSnapshot();
      const stored = await act.putReport({ kind: 'nodes', report: snapshot });
      return ok(`${snapshot.count} nodes; ${stored.key}`);
    }),
    step('certificate expiry', async () => {
      const report = await executeChild(certificateExpiryWorkflow, { workflowId: `${id}-certificates`, args: [{ namespaces: [input.namespace] }] });
      const detail = `${report.certificates.length} certificates, status ${report.status}`;
      return report.status === 'CRITICAL' ? failed(detail) : report.status === 'WARNING' ? warn(detail) : ok(detail);
    }),
    step('model integrity', async () => {
      const report = await executeChild(modelHealthWorkflow, { workflowId: `${id}-model`, args: [input.modelCheck] });
      const reasons = [...report.checks.integrity.reasons, ...report.checks.inference.reasons];
      return report.status === 'PASS' ? ok(`${report.model}: PASS`) : failed(`${report.model}: ${reasons.join('; ')}`);
    }),
    input.database
      ? step('database maintenance', async () => {
          const db = input.database!;
          const run = await slow.execInPod({ ...target, container: db.container, command: db.maintenanceCommand });
          return run.exitCode === 0 ? ok(`${db.maintenanceCommand.join(' ')} in ${run.pod}`) : failed(`exit ${run.exitCode}: ${run.stderr.trim()}`);
        })
      : Promise.resolve(skipped('database maintenance', 'no database configured')),
    step('performance optimization', async () => {
      const usage = summarizeUsage(await act.podMetrics(target));
      // The optimizers watch continuously; this step records the week's snapshot for the report.
      return usage.available ? ok(JSON.stringify(usage)) : warn(`resource usage unknown: ${usage.reason ?? 'metrics API unavailable'}`);
    }),
    step('capacity analysis', async () => {
      const [facts, hpa] = await Promise.all([act.capacityFacts(target), act.getHpa({ namespace: input.namespace, name: input.hpaName })]);
      return capacityStep(facts, hpa.maxReplicas);
    }),
    step('security audit', async () => {
      const audit = await executeChild(securityAuditWorkflow, { workflowId: `${id}-audit`, args: [{ namespaces: [input.namespace] }] });
      const serious = audit.findings.filter((f) => f.severity === 'CRITICAL' || f.severity === 'HIGH').length;
      const detail = `${audit.findings.length} findings (${serious} critical/high) over ${audit.workloadsAudited} workloads; ${audit.reportKey}`;
      return serious > 0 ? warn(detail) : ok(detail);
    }),
  ]);
  return finishRoutine('weekly', input.service, started, steps);
}
