// The product's own metrics, recomputed from durable facts on every collection: Temporal's record of
// the runs (visibility: type, status, times, search attributes) and the results of the latest ones.
// Nothing lives in a worker's memory, so the figures are the same from every worker and survive a
// restart; with several workers, rules take `max by (...)` over them. A source that cannot be read
// leaves its families empty and counts an error, never a stale figure.
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { searchAttributes } from '../../types/index.ts';
import type { CertificateReport, ModelHealthReport, RoutineReport, SecurityReport } from '../../types/index.ts';
import { optimizerStatusQuery, type OptimizerStatus } from '../../workflows/optimizers/sampling.ts';
import { progressQuery } from '../../workflows/shared/progress.ts';
import type { Family, Sample } from './exposition.ts';

/** The workflows whose runs are counted, by type name. */
export const PRODUCT_WORKFLOWS = [
  'backupWorkflow',
  'disasterRecoveryWorkflow',
  'restoreDrillWorkflow',
  'dailyMaintenanceWorkflow',
  'weeklyMaintenanceWorkflow',
  'monthlyMaintenanceWorkflow',
  'quarterlyMaintenanceWorkflow',
  'healthCheckWorkflow',
  'healthMonitorWorkflow',
  'modelHealthWorkflow',
  'certificateExpiryWorkflow',
  'securityAuditWorkflow',
  'securityUpdateWorkflow',
  'autoScalingOptimizerWorkflow',
  'performanceOptimizerWorkflow',
] as const;

/** Runs read per query: enough for every namespace's latest, bounded so a collection stays quick. */
const LIST_LIMIT = 200;
const FAILED = `ExecutionStatus IN ('Failed', 'TimedOut', 'Terminated')`;

const seconds = (date: Date | undefined) => (date ? date.getTime() / 1000 : NaN);

async function listRuns(client: Client, query: string): Promise<WorkflowExecutionInfo[]> {
  const found: WorkflowExecutionInfo[] = [];
  for await (const run of client.workflow.list({ query, pageSize: LIST_LIMIT })) {
    found.push(run);
    if (found.length >= LIST_LIMIT) break;
  }
  // Newest first, by when they ended (running ones by when they started).
  return found.sort((a, b) => seconds(b.closeTime ?? b.startTime) - seconds(a.closeTime ?? a.startTime));
}

const namespaceOf = (run: WorkflowExecutionInfo) =>
  run.typedSearchAttributes.get(searchAttributes.targetNamespace) ?? '';

/** The newest run per target namespace. */
function newestPerNamespace(list: WorkflowExecutionInfo[]): WorkflowExecutionInfo[] {
  const seen = new Map<string, WorkflowExecutionInfo>();
  for (const run of list) if (!seen.has(namespaceOf(run))) seen.set(namespaceOf(run), run);
  return [...seen.values()];
}

const resultOf = <T>(client: Client, run: WorkflowExecutionInfo) =>
  client.workflow.getHandle(run.workflowId, run.runId, { followRuns: false }).result() as Promise<T>;

const family = (name: string, help: string, samples: Sample[] = []): Family => ({ name, help, samples });

/** Families filled by one source; a source that fails leaves them empty. */
type Source = (client: Client, runs: RunReader) => Promise<Family[]>;

/** Runs matching a visibility query, newest first; one read per query and collection (sources share them). */
type RunReader = (query: string) => Promise<WorkflowExecutionInfo[]>;

function runReader(client: Client): RunReader {
  const read = new Map<string, Promise<WorkflowExecutionInfo[]>>();
  return (query) => {
    if (!read.has(query)) read.set(query, listRuns(client, query));
    return read.get(query)!;
  };
}

const runTimes: Source = async (client, runs) => {
  const success = family(
    'pno_workflow_last_success_timestamp_seconds',
    'When the latest run of the workflow completed.',
  );
  const failure = family(
    'pno_workflow_last_failure_timestamp_seconds',
    'When the latest run of the workflow failed, timed out or was terminated.',
  );
  const running = family('pno_workflows_running', 'Runs of the workflow in progress.');
  for (const type of PRODUCT_WORKFLOWS) {
    const labels = { workflow_type: type };
    const [done] = await runs(`WorkflowType = '${type}' AND ExecutionStatus = 'Completed'`);
    if (done) success.samples.push({ labels, value: seconds(done.closeTime) });
    const [failed] = await runs(`WorkflowType = '${type}' AND ${FAILED}`);
    if (failed) failure.samples.push({ labels, value: seconds(failed.closeTime) });
    const count = await client.workflow.count(`WorkflowType = '${type}' AND ExecutionStatus = 'Running'`);
    running.samples.push({ labels, value: count.count });
  }
  return [success, failure, running];
};

interface BackupFacts {
  objectBytes: number;
  durationMs: number;
  verified: { entries: number };
}

const backups: Source = async (client, runs) => {
  const last = family(
    'pno_backup_last_success_timestamp_seconds',
    'When the newest verified backup of the namespace completed.',
  );
  const size = family('pno_backup_last_size_bytes', 'Stored size of the newest backup of the namespace.');
  const duration = family('pno_backup_last_duration_seconds', 'How long the newest backup of the namespace took.');
  const entries = family(
    'pno_backup_last_verified_entries',
    'Entries of the newest backup checked against its manifest.',
  );
  const completed = await runs(`WorkflowType = 'backupWorkflow' AND ExecutionStatus = 'Completed'`);
  for (const run of newestPerNamespace(completed)) {
    const labels = { namespace: namespaceOf(run) };
    const result = await resultOf<BackupFacts>(client, run);
    last.samples.push({ labels, value: seconds(run.closeTime) });
    size.samples.push({ labels, value: result.objectBytes });
    duration.samples.push({ labels, value: result.durationMs / 1000 });
    entries.samples.push({ labels, value: result.verified.entries });
  }
  return [last, size, duration, entries];
};

const recoveries: Source = async (client, runs) => {
  const success = family(
    'pno_restore_last_success_timestamp_seconds',
    'When the latest disaster recovery into the namespace completed.',
  );
  const failure = family(
    'pno_restore_last_failure_timestamp_seconds',
    'When the latest disaster recovery into the namespace failed.',
  );
  const rto = family(
    'pno_restore_last_rto_seconds',
    'Recovery time of the latest completed disaster recovery into the namespace.',
  );
  const type = `WorkflowType = 'disasterRecoveryWorkflow'`;
  for (const run of newestPerNamespace(await runs(`${type} AND ExecutionStatus = 'Completed'`))) {
    const labels = { namespace: namespaceOf(run) };
    success.samples.push({ labels, value: seconds(run.closeTime) });
    rto.samples.push({ labels, value: (await resultOf<{ rtoMs: number }>(client, run)).rtoMs / 1000 });
  }
  for (const run of newestPerNamespace(await runs(`${type} AND ${FAILED}`)))
    failure.samples.push({ labels: { namespace: namespaceOf(run) }, value: seconds(run.closeTime) });
  return [success, failure, rto];
};

interface DrillFacts {
  passed: boolean;
  rtoMs: number;
  rtoTargetMs?: number;
}

/** How many runs back the newest passing drill is looked for. */
const DRILL_LOOKBACK = 10;

const drills: Source = async (client, runs) => {
  const passed = family(
    'pno_restore_drill_last_passed',
    '1 when the latest restore drill in the namespace passed, else 0.',
  );
  const rto = family('pno_restore_drill_last_rto_seconds', 'Recovery time the latest restore drill achieved.');
  const target = family(
    'pno_restore_drill_rto_target_seconds',
    'The recovery time objective the latest drill was held to.',
  );
  const success = family(
    'pno_restore_drill_last_success_timestamp_seconds',
    'When a restore drill in the namespace last passed.',
  );
  const byNamespace = new Map<string, WorkflowExecutionInfo[]>();
  for (const run of await runs(`WorkflowType = 'restoreDrillWorkflow' AND ExecutionStatus = 'Completed'`))
    byNamespace.set(namespaceOf(run), [...(byNamespace.get(namespaceOf(run)) ?? []), run]);
  for (const [namespace, list] of byNamespace) {
    const labels = { namespace };
    const latest = await resultOf<DrillFacts>(client, list[0]!);
    passed.samples.push({ labels, value: latest.passed ? 1 : 0 });
    rto.samples.push({ labels, value: latest.rtoMs / 1000 });
    if (latest.rtoTargetMs !== undefined) target.samples.push({ labels, value: latest.rtoTargetMs / 1000 });
    // A drill that did not pass still completes: the newest that did is a few runs back, if any.
    for (const [i, run] of list.slice(0, DRILL_LOOKBACK).entries()) {
      const result = i === 0 ? latest : await resultOf<DrillFacts>(client, run);
      if (result.passed) {
        success.samples.push({ labels, value: seconds(run.closeTime) });
        break;
      }
    }
  }
  return [passed, rto, target, success];
};

const routines: Source = async (client, runs) => {
  const failed = family('pno_routine_step_failed', "1 when the step failed in the routine's latest run, else 0.");
  const status = family('pno_routine_last_status', "The routine's latest run: 0 ok, 1 warn, 2 fail.");
  const types = ['daily', 'weekly', 'monthly', 'quarterly'];
  for (const routine of types) {
    const [latest] = await runs(`WorkflowType = '${routine}MaintenanceWorkflow' AND ExecutionStatus = 'Completed'`);
    if (!latest) continue;
    const report = await resultOf<RoutineReport>(client, latest);
    status.samples.push({ labels: { routine }, value: ['ok', 'warn', 'fail'].indexOf(report.status) });
    for (const step of report.steps)
      failed.samples.push({ labels: { routine, step: step.step }, value: step.status === 'fail' ? 1 : 0 });
  }
  return [failed, status];
};

const modelHealth: Source = async (client, runs) => {
  const passed = family('pno_model_check_passed', '1 when the latest model health check passed, else 0.');
  const error = family(
    'pno_model_relative_l2_error',
    'Mean relative L2 error on the validation samples in the latest check.',
  );
  const coverage = family('pno_model_coverage_2sigma', 'Fraction of targets inside mean ± 2σ in the latest check.');
  const [latest] = await runs(`WorkflowType = 'modelHealthWorkflow' AND ExecutionStatus = 'Completed'`);
  if (latest) {
    const report = await resultOf<ModelHealthReport>(client, latest);
    // Keyed by identity, not by the pod it was read from: one series per model, not per pod.
    const labels = { model: report.identity ?? report.model };
    passed.samples.push({ labels, value: report.status === 'PASS' ? 1 : 0 });
    const facts = report.checks.inference.facts;
    if (facts?.relativeL2Error != null) error.samples.push({ labels, value: facts.relativeL2Error });
    if (facts?.coverage2Sigma != null) coverage.samples.push({ labels, value: facts.coverage2Sigma });
  }
  return [passed, error, coverage];
};

const certificates: Source = async (client, runs) => {
  const days = family(
    'pno_certificate_days_left',
    'Whole days until the certificate expires (negative once expired), as last checked.',
  );
  const [latest] = await runs(`WorkflowType = 'certificateExpiryWorkflow' AND ExecutionStatus = 'Completed'`);
  if (latest) {
    for (const cert of (await resultOf<CertificateReport>(client, latest)).certificates)
      if (cert.daysLeft !== undefined)
        days.samples.push({
          labels: { namespace: cert.namespace, certificate: cert.name, source: cert.source },
          value: cert.daysLeft,
        });
  }
  return [days];
};

const vulnerabilities: Source = async (client, runs) => {
  const found = family('pno_vulnerabilities', 'Vulnerabilities in the running image by severity, as last scanned.');
  const fixable = family(
    'pno_vulnerabilities_fixable',
    'CRITICAL and HIGH vulnerabilities with a fixed version, as last scanned.',
  );
  const [latest] = await runs(`WorkflowType = 'securityUpdateWorkflow' AND ExecutionStatus = 'Completed'`);
  if (latest) {
    const { report } = await resultOf<{ report: SecurityReport }>(client, latest);
    for (const [severity, count] of Object.entries(report.severityBreakdown))
      found.samples.push({ labels: { image: report.image, severity }, value: count ?? 0 });
    fixable.samples.push({ labels: { image: report.image }, value: report.criticalVulnerabilities.length });
  }
  return [found, fixable];
};

/** Runs that may wait for a person: how long each has been waiting for a decision. */
const APPROVAL_WORKFLOWS = ['disasterRecoveryWorkflow', 'securityUpdateWorkflow'];

const approvals: Source = async (client, runs) => {
  const waiting = family(
    'pno_approval_waiting_seconds',
    'How long the run has been waiting for an approval (since it started).',
  );
  for (const type of APPROVAL_WORKFLOWS) {
    for (const run of await runs(`WorkflowType = '${type}' AND ExecutionStatus = 'Running'`)) {
      const progress = await client.workflow.getHandle(run.workflowId, run.runId).query(progressQuery);
      if (progress.phase === 'awaiting approval')
        waiting.samples.push({
          labels: { workflow_type: type, workflow_id: run.workflowId },
          value: (Date.now() - run.startTime.getTime()) / 1000,
        });
    }
  }
  return [waiting];
};

/** The optimizers run for good (one instance each): their latest run, asked while it runs. */
const OPTIMIZER_WORKFLOWS = {
  autoScalingOptimizerWorkflow: 'auto-scaling',
  performanceOptimizerWorkflow: 'performance',
};

const optimizers: Source = async (client, runs) => {
  const pending = family('pno_optimizer_recommendations_pending', 'Recommendations the optimizer holds for approval.');
  const changes = family('pno_optimizer_changes', 'Changes the optimizer recorded in its latest run, by outcome.');
  const last = family('pno_optimizer_last_applied_timestamp_seconds', 'When the optimizer last applied a change.');
  for (const [type, optimizer] of Object.entries(OPTIMIZER_WORKFLOWS)) {
    const [latest] = await runs(
      `WorkflowType = '${type}' AND ExecutionStatus IN ('Running', 'Completed', 'ContinuedAsNew')`,
    );
    if (!latest) continue;
    const handle = client.workflow.getHandle(latest.workflowId, latest.runId);
    const status =
      latest.status.name === 'RUNNING'
        ? await handle.query(optimizerStatusQuery)
        : await resultOf<OptimizerStatus>(client, latest);
    const labels = { optimizer };
    pending.samples.push({ labels, value: status.pending.length });
    for (const outcome of ['applied', 'unchanged', 'failed'] as const)
      changes.samples.push({
        labels: { ...labels, outcome },
        value: status.changes.filter((c) => c.outcome === outcome).length,
      });
    const applied = status.changes.filter((c) => c.outcome === 'applied').map((c) => Date.parse(c.at) / 1000);
    if (applied.length > 0) last.samples.push({ labels, value: Math.max(...applied) });
  }
  return [pending, changes, last];
};

export const SOURCES: Record<string, Source> = {
  runs: runTimes,
  backups,
  recoveries,
  drills,
  routines,
  modelHealth,
  certificates,
  vulnerabilities,
  approvals,
  optimizers,
};

/** Every product family, read now. */
export async function collectProductMetrics(client: Client): Promise<Family[]> {
  const errors = family('pno_metrics_source_errors', '1 when the source could not be read at this collection, else 0.');
  const families: Family[] = [];
  const runs = runReader(client);
  for (const [source, read] of Object.entries(SOURCES)) {
    try {
      families.push(...(await read(client, runs)));
      errors.samples.push({ labels: { source }, value: 0 });
    } catch {
      errors.samples.push({ labels: { source }, value: 1 });
    }
  }
  const collected = family('pno_metrics_collected_timestamp_seconds', 'When these figures were read.', [
    { labels: {}, value: Date.now() / 1000 },
  ]);
  return [...families, errors, collected];
}
