import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.ts';
import type { RoutineReport } from '../../types/index.ts';
import { quickRead } from '../shared/activity-options.ts';
import { archiveWork } from '../backup/backup.ts';
import { healthCheckWorkflow } from '../monitoring/health-check.ts';
import { parseInput } from '../shared/input.ts';
import { healthStep, latencyStep } from './policy.ts';
import { failed, ok, runSteps, step, warn } from './steps.ts';
import { finishRoutine, markRoutine } from './summary.ts';
import { dailyInputSchema, type DailyInput } from './input.ts';

/** The guide's daily maintenance (02:00 UTC): six independent steps, run side by side. */
export async function dailyMaintenanceWorkflow(rawInput: DailyInput = {}): Promise<RoutineReport> {
  const input = parseInput(dailyInputSchema, 'dailyMaintenanceWorkflow', rawInput);
  markRoutine('daily', input.namespace);
  const started = Date.now();
  const act = proxyActivities<Activities>(quickRead);
  const long = proxyActivities<Activities>(archiveWork);
  const scan = proxyActivities<Activities>({ startToCloseTimeout: input.scanTimeoutMs + 60_000, retry: { maximumAttempts: 2 } });
  const id = workflowInfo().workflowId;
  const target = { namespace: input.namespace, selector: input.selector };

  const steps = await runSteps(input.parallel, [
    () => step('health checks', async () =>
      healthStep(await executeChild(healthCheckWorkflow, { workflowId: `${id}-health`, args: [{ ...target, hpaName: input.hpaName, apiBaseUrl: input.apiBaseUrl }] })),
    ),
    () => step('log rotation', async () => {
      const run = await act.execInPod({ ...target, container: input.container, command: input.logRotateCommand });
      return run.exitCode === 0 ? ok(`${input.logRotateCommand.join(' ')} in ${run.pod}`) : failed(`exit ${run.exitCode} in ${run.pod}: ${run.stderr.trim()}`);
    }),
    () => step('metrics collection', async () => {
      const [metrics, hpa] = await Promise.all([act.podMetrics(target), act.getHpa({ namespace: input.namespace, name: input.hpaName })]);
      const stored = await act.putReport({ kind: 'metrics', report: { metrics, hpa } });
      return metrics.available ? ok(`${metrics.pods.length} pods measured; ${stored.key}`) : warn(`${metrics.reason}; HPA stored in ${stored.key}`);
    }),
    () => step('vulnerability scan', async () => {
      const image = (await act.getRolloutState({ namespace: input.namespace, name: input.deployment })).images[input.container] ?? '';
      const result = await scan.scanImage({ image, timeoutMs: input.scanTimeoutMs });
      const critical = result.findings.filter((f) => f.severity === 'CRITICAL' || f.severity === 'HIGH');
      // Report only: fixing is the monthly security update's job.
      return critical.length > 0 ? warn(`${image}: ${critical.length} critical/high findings`) : ok(`${image}: no critical or high findings`);
    }),
    () => step('backup verification', async () => {
      const latest = await act.findLatestBackup({ prefix: input.backupPrefix });
      if (!latest) return failed(`no backup under ${input.backupPrefix}`);
      const ageHours = Math.floor((Date.now() - Date.parse(latest.lastModified)) / 3_600_000);
      const verified = await long.verifyBackup({ key: latest.key });
      const detail = `${latest.key}: ${verified.entries} entries verified, ${ageHours} h old`;
      return ageHours > input.maxBackupAgeHours ? failed(`${detail} (limit ${input.maxBackupAgeHours} h)`) : ok(detail);
    }),
    () => step('performance analysis', async () => {
      const probes = await Promise.all(
        Array.from({ length: input.latencyProbes }, () => act.probeEndpoint({ baseUrl: input.apiBaseUrl, path: '/health', timeoutMs: 10_000 })),
      );
      const answered = probes.filter((p) => p.statusCode === 200);
      return latencyStep(answered.map((p) => p.latencyMs), probes.length - answered.length, input.latencyP95LimitMs);
    }),
  ]);
  return finishRoutine('daily', input.service, started, steps);
}
