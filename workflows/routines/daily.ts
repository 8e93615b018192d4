import { executeChild, patched, workflowInfo } from '@temporalio/workflow';
import type { RoutineReport } from '../../types/index.ts';
import { healthCheckWorkflow } from '../monitoring/health-check.ts';
import { parseInput } from '../shared/input.ts';
import { healthStep, latencyStep, prometheusLatencyStep } from './policy.ts';
import { failed, ok, runSteps, step, warn } from './steps.ts';
import { finishRoutine } from './summary.ts';
import { withinWindow } from './window.ts';
import { beginRun } from '../shared/progress.ts';
import { outputTail, ranCommand } from '../shared/command-output.ts';
import { dailyInputSchema, type DailyInput } from './input.ts';
import { archives, podCommands, reads, records, scans } from '../shared/activities.ts';

/** The guide's daily maintenance (02:00 UTC): six independent steps, run side by side. */
export async function dailyMaintenanceWorkflow(rawInput: DailyInput = {}): Promise<RoutineReport> {
  const input = parseInput(dailyInputSchema, 'dailyMaintenanceWorkflow', rawInput);
  const progress = beginRun('daily', input.namespace, 2, 'running steps');
  const started = Date.now();
  const id = workflowInfo().workflowId;
  const target = { namespace: input.namespace, selector: input.selector };

  const { steps, overran } = await withinWindow(input.windowMs, () =>
    runSteps(input.parallel, [
      () =>
        step('health checks', async () =>
          healthStep(
            await executeChild(healthCheckWorkflow, {
              workflowId: `${id}-health`,
              args: [{ ...target, hpaName: input.hpaName, apiBaseUrl: input.apiBaseUrl }],
            }),
          ),
        ),
      () =>
        step('log rotation', async () => {
          const run = await podCommands.execInPod({
            ...target,
            container: input.container,
            command: input.logRotateCommand,
            field: 'logRotateCommand',
          });
          return run.exitCode === 0
            ? ok(`${ranCommand(run, input.logRotateCommand)} in ${run.pod}`)
            : failed(`exit ${run.exitCode} in ${run.pod}: ${outputTail(run.stderr)}`);
        }),
      () =>
        step('metrics collection', async () => {
          const [metrics, hpa] = await Promise.all([
            reads.podMetrics(target),
            reads.getHpa({ namespace: input.namespace, name: input.hpaName }),
          ]);
          const stored = await records.putReport({ kind: 'metrics', report: { metrics, hpa } });
          return metrics.available
            ? ok(`${metrics.pods.length} pods measured; ${stored.key}`)
            : warn(`${metrics.reason}; HPA stored in ${stored.key}`);
        }),
      () =>
        step('vulnerability scan', async () => {
          const image =
            (await reads.getRolloutState({ namespace: input.namespace, name: input.deployment })).images[
              input.container
            ] ?? '';
          const result = await scans(input.scanTimeoutMs).scanImage({ image, timeoutMs: input.scanTimeoutMs });
          const critical = result.findings.filter((f) => f.severity === 'CRITICAL' || f.severity === 'HIGH');
          // Report only: fixing is the monthly security update's job.
          return critical.length > 0
            ? warn(`${image}: ${critical.length} critical/high findings`)
            : ok(`${image}: no critical or high findings`);
        }),
      () =>
        step('backup verification', async () => {
          const latest = await reads.findLatestBackup({ prefix: input.backupPrefix });
          if (!latest) return failed(`no backup under ${input.backupPrefix}`);
          const ageHours = Math.floor((Date.now() - Date.parse(latest.lastModified)) / 3_600_000);
          const verified = await archives.verifyBackup({ key: latest.key });
          const detail = `${latest.key}: ${verified.entries} entries verified, ${ageHours} h old`;
          return ageHours > input.maxBackupAgeHours
            ? failed(`${detail} (limit ${input.maxBackupAgeHours} h)`)
            : ok(detail);
        }),
      () =>
        step('performance analysis', async () => {
          // The guide's p95 from Prometheus when the worker has one; probing /health otherwise, saying why.
          const reading = patched('daily-latency-from-prometheus')
            ? await reads.readLatencyP95({ query: input.latencyQuery, timeoutMs: 10_000 })
            : undefined;
          if (reading?.source === 'prometheus') return prometheusLatencyStep(reading, input.latencyP95LimitMs);
          const probes = await Promise.all(
            Array.from({ length: input.latencyProbes }, () =>
              reads.probeEndpoint({ baseUrl: input.apiBaseUrl, path: '/health', timeoutMs: 10_000 }),
            ),
          );
          const answered = probes.filter((p) => p.statusCode === 200);
          return latencyStep(
            answered.map((p) => p.latencyMs),
            probes.length - answered.length,
            input.latencyP95LimitMs,
            reading?.reason,
          );
        }),
    ]),
  );
  return finishRoutine('daily', input.service, started, steps, progress, overran);
}
