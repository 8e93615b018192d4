// The product's metrics, read from the real Temporal server's records of real runs (activities stubbed
// at the boundary, as the recorded scenarios run them), in a Temporal namespace of this test's own so
// no other test's runs count. Then the worker process itself: its /metrics serves these figures and
// the SDK's, and a restarted worker serves the same figures (they are recomputed, not remembered).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { startInferenceApi, type InferenceApi } from '../../stack/inference-api.ts';
import { searchAttributes } from '../../types/index.ts';
import { renderFamilies, type Family } from '../../workers/metrics/exposition.ts';
import { collectProductMetrics } from '../../workers/metrics/product-metrics.ts';
import { startMetricsServer } from '../../workers/metrics/server.ts';
import { startPrometheus } from '../../stack/prometheus.ts';
import { ensureSearchAttributes } from '../../workers/search-attributes.ts';
import { progressQuery } from '../../workflows/shared/progress.ts';
import { scenarios, type Scenario } from '../histories/scenarios.ts';
import { waitFor } from '../helpers/wait.ts';
import { withWorkerAt } from '../helpers/worker.ts';

const namespace = `metrics-${randomUUID().slice(0, 8)}`;
let connection: Connection;
let client: Client;
let api: InferenceApi;

beforeAll(async () => {
  api = await startInferenceApi();
  connection = await Connection.connect({ address: inject('temporalAddress') });
  await promisify(execFile)(process.env.TEMPORAL_CLI_PATH ?? 'temporal', [
    ...['operator', 'namespace', 'create', '--namespace', namespace, '--retention', '1d'],
    ...['--address', inject('temporalAddress')],
  ]);
  client = new Client({ connection, namespace });
  await waitFor(`namespace ${namespace}`, () =>
    connection.workflowService.describeNamespace({ namespace }).then(() => true),
  );
  await ensureSearchAttributes(connection, namespace);
  await waitFor('search attributes registered', async () => {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    return Object.values(searchAttributes).every((key) => key.name in (customAttributes ?? {})) || undefined;
  });
});
afterAll(async () => {
  await connection?.close();
  await api?.close();
});

const scenario = (name: string): Scenario => {
  const found = scenarios.find((s) => s.name === name);
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
};

/** Runs the scenario to its end in this test's namespace; returns its result and when it closed. */
async function run(name: string): Promise<{ result: unknown; closedAt: number }> {
  const { workflowType, input, activities } = scenario(name);
  const server = { address: inject('temporalAddress'), namespace, workflowBundlePath: inject('workflowBundlePath') };
  return withWorkerAt(
    server,
    activities({ apiUrl: api.url }),
    async ({ taskQueue }) => {
      const result = await client.workflow.execute(workflowType, {
        taskQueue,
        workflowId: `${name}-${randomUUID()}`,
        args: [input],
      });
      return { result, closedAt: Date.now() / 1000 };
    },
    client,
  );
}

const samplesOf = (families: Family[], name: string) => families.find((f) => f.name === name)?.samples ?? [];
const valueOf = (families: Family[], name: string, labels: Record<string, string>) =>
  samplesOf(families, name).find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe('product metrics', () => {
  let ran: Record<string, { result: unknown; closedAt: number }>;
  let families: Family[];

  beforeAll(async () => {
    ran = {};
    for (const name of [
      'backup',
      'restore-drill',
      'daily-maintenance',
      'model-health-pass',
      'certificate-expiry-critical',
      'security-update-updated',
      'auto-scaling-optimizer-apply',
    ])
      ran[name] = await run(name);
    families = await collectProductMetrics(client);
  }, 180_000);

  it('every source was read', () => {
    expect(samplesOf(families, 'pno_metrics_source_errors').map((s) => [s.labels.source, s.value])).toEqual(
      expect.arrayContaining([
        ['backups', 0],
        ['drills', 0],
        ['routines', 0],
        ['modelHealth', 0],
        ['certificates', 0],
        ['runs', 0],
      ]),
    );
    expect(samplesOf(families, 'pno_metrics_source_errors').every((s) => s.value === 0)).toBe(true);
  });

  it('the shipped rules alert only on figures the workers serve', async () => {
    const rules = await readFile(
      new URL('../../deploy/monitoring/rules/maintenance.rules.yml', import.meta.url),
      'utf8',
    );
    const used = new Set(rules.match(/\bpno_[a-z0-9_]+/g));
    expect(used.size).toBeGreaterThan(10);
    const served = new Set(families.map((f) => f.name));
    expect([...used].filter((name) => !served.has(name))).toEqual([]);
  });

  it('the newest backup per namespace: when it completed, its size, its duration, what was verified', () => {
    const backup = ran.backup!.result as { objectBytes: number; durationMs: number; verified: { entries: number } };
    const labels = { namespace: 'production' };
    const at = valueOf(families, 'pno_backup_last_success_timestamp_seconds', labels)!;
    expect(at).toBeGreaterThan(ran.backup!.closedAt - 60);
    expect(at).toBeLessThanOrEqual(ran.backup!.closedAt + 1);
    expect(valueOf(families, 'pno_backup_last_size_bytes', labels)).toBe(backup.objectBytes);
    expect(valueOf(families, 'pno_backup_last_duration_seconds', labels)).toBe(backup.durationMs / 1000);
    expect(valueOf(families, 'pno_backup_last_verified_entries', labels)).toBe(backup.verified.entries);
  });

  it('the latest drill: passed, its RTO against its target, when one last passed', () => {
    const drill = ran['restore-drill']!.result as {
      passed: boolean;
      rtoMs: number;
      rtoTargetMs: number;
      drillNamespace: string;
    };
    const labels = { namespace: drill.drillNamespace };
    expect(valueOf(families, 'pno_restore_drill_last_passed', labels)).toBe(drill.passed ? 1 : 0);
    expect(valueOf(families, 'pno_restore_drill_last_rto_seconds', labels)).toBe(drill.rtoMs / 1000);
    expect(valueOf(families, 'pno_restore_drill_rto_target_seconds', labels)).toBe(drill.rtoTargetMs / 1000);
    expect(samplesOf(families, 'pno_restore_drill_last_success_timestamp_seconds').length).toBe(drill.passed ? 1 : 0);
  });

  it("each step of the routine's latest run, failed or not", () => {
    const report = ran['daily-maintenance']!.result as { status: string; steps: { step: string; status: string }[] };
    const steps = samplesOf(families, 'pno_routine_step_failed').filter((s) => s.labels.routine === 'daily');
    expect(steps.map((s) => [s.labels.step, s.value])).toEqual(
      report.steps.map((s) => [s.step, s.status === 'fail' ? 1 : 0]),
    );
    expect(valueOf(families, 'pno_routine_last_status', { routine: 'daily' })).toBe(
      ['ok', 'warn', 'fail'].indexOf(report.status),
    );
  });

  it('the model check, with its error and ±2σ coverage; certificates by days left; runs by type', () => {
    const model = ran['model-health-pass']!.result as {
      identity: string;
      checks: { inference: { facts: { relativeL2Error: number; coverage2Sigma: number } } };
    };
    const labels = { model: model.identity };
    expect(valueOf(families, 'pno_model_check_passed', labels)).toBe(1);
    expect(valueOf(families, 'pno_model_relative_l2_error', labels)).toBe(model.checks.inference.facts.relativeL2Error);
    expect(valueOf(families, 'pno_model_coverage_2sigma', labels)).toBe(model.checks.inference.facts.coverage2Sigma);

    const certs = ran['certificate-expiry-critical']!.result as { certificates: { name: string; daysLeft?: number }[] };
    const days = samplesOf(families, 'pno_certificate_days_left').map((s) => [s.labels.certificate, s.value]);
    expect(days).toEqual(certs.certificates.filter((c) => c.daysLeft !== undefined).map((c) => [c.name, c.daysLeft]));
    expect(Math.min(...days.map(([, d]) => d as number))).toBeLessThan(7);

    const succeeded = samplesOf(families, 'pno_workflow_last_success_timestamp_seconds').map(
      (s) => s.labels.workflow_type,
    );
    expect(succeeded).toEqual(
      expect.arrayContaining([
        'backupWorkflow',
        'restoreDrillWorkflow',
        'disasterRecoveryWorkflow',
        'dailyMaintenanceWorkflow',
      ]),
    );
    expect(valueOf(families, 'pno_workflows_running', { workflow_type: 'backupWorkflow' })).toBe(0);
  });

  it('vulnerabilities of the image last scanned, by severity, and how many an update can fix', () => {
    const { report } = ran['security-update-updated']!.result as {
      report: { image: string; severityBreakdown: Record<string, number>; criticalVulnerabilities: unknown[] };
    };
    const found = samplesOf(families, 'pno_vulnerabilities').map((s) => [s.labels.image, s.labels.severity, s.value]);
    expect(found).toEqual(Object.entries(report.severityBreakdown).map(([severity, n]) => [report.image, severity, n]));
    expect(found.length).toBeGreaterThan(0);
    expect(valueOf(families, 'pno_vulnerabilities_fixable', { image: report.image })).toBe(
      report.criticalVulnerabilities.length,
    );
  });

  it("the optimizers' pending recommendations and recorded changes, by outcome", () => {
    const status = ran['auto-scaling-optimizer-apply']!.result as {
      pending: unknown[];
      changes: { outcome: string; at: string }[];
    };
    const labels = { optimizer: 'auto-scaling' };
    expect(valueOf(families, 'pno_optimizer_recommendations_pending', labels)).toBe(status.pending.length);
    const applied = status.changes.filter((c) => c.outcome === 'applied');
    expect(applied.length).toBeGreaterThan(0);
    expect(valueOf(families, 'pno_optimizer_changes', { ...labels, outcome: 'applied' })).toBe(applied.length);
    expect(valueOf(families, 'pno_optimizer_last_applied_timestamp_seconds', labels)).toBe(
      Math.max(...applied.map((c) => Date.parse(c.at) / 1000)),
    );
  });

  it('a recovery waiting for approval is counted with how long it has waited', async () => {
    const { activities } = scenario('backup');
    const server = { address: inject('temporalAddress'), namespace, workflowBundlePath: inject('workflowBundlePath') };
    await withWorkerAt(
      server,
      activities({ apiUrl: api.url }),
      async ({ taskQueue }) => {
        // The stubs say the target's pods are Ready: without force, the recovery asks first.
        const handle = await client.workflow.start('disasterRecoveryWorkflow', {
          taskQueue,
          workflowId: `dr-wait-${randomUUID()}`,
          args: [{}],
        });
        await waitFor('the recovery to ask for approval', async () =>
          (await handle.query(progressQuery)).phase === 'awaiting approval' ? true : undefined,
        );
        const waiting = samplesOf(await collectProductMetrics(client), 'pno_approval_waiting_seconds');
        expect(waiting.map((s) => s.labels)).toEqual([
          { workflow_type: 'disasterRecoveryWorkflow', workflow_id: handle.workflowId },
        ]);
        expect(waiting[0]!.value).toBeGreaterThan(0);
        await handle.terminate('test done');
      },
      client,
    );
  });

  it('every panel of the shipped Grafana dashboard gets a series from a real Prometheus scraping the worker', async () => {
    const server = await startMetricsServer({
      address: '127.0.0.1:0',
      collect: () => collectProductMetrics(client),
      cacheMs: 1_000,
    });
    const prometheus = await startPrometheus({ jobs: { 'pno-maintenance-worker': [new URL(server.url).host] } });
    onTestFinished(async () => {
      await prometheus.stop();
      await server.close();
    });
    await waitFor('the worker scraped', async () =>
      (await prometheus.query('pno_backup_last_size_bytes')).length > 0 ? true : undefined,
    );
    const dashboard = JSON.parse(
      await readFile(new URL('../../deploy/monitoring/grafana-dashboard.json', import.meta.url), 'utf8'),
    ) as { panels: { title: string; targets: { expr: string }[] }[] };
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(15);
    const empty: string[] = [];
    for (const panel of dashboard.panels)
      for (const { expr } of panel.targets)
        if ((await prometheus.query(expr)).length === 0) empty.push(`${panel.title}: ${expr}`);
    expect(empty).toEqual([]);
  });

  it("the worker's /metrics serves them with the SDK's own, and a restarted worker serves the same figures", async () => {
    const expected = renderFamilies(families.filter((f) => f.name === 'pno_backup_last_size_bytes'))
      .trim()
      .split('\n')
      .at(-1)!;
    for (const attempt of ['first', 'restarted']) {
      const worker = startWorkerProcess();
      try {
        const url = await metricsUrlOf(worker);
        const text = await waitFor(`${attempt} worker's metrics`, async () => {
          const body = await (await fetch(url)).text();
          return body.includes('temporal_') ? body : undefined;
        });
        expect(text, attempt).toContain(expected);
        expect(text).toContain('# TYPE pno_backup_last_success_timestamp_seconds gauge');
        expect(text).toMatch(/^temporal_\w+/m);
        // The readiness probe passes once the worker polls.
        await waitFor(`${attempt} worker ready`, async () =>
          (await fetch(url.replace('/metrics', '/readyz'))).ok ? true : undefined,
        );
      } finally {
        const exited = worker.exitCode !== null || worker.signalCode !== null ? undefined : once(worker, 'exit');
        worker.kill('SIGTERM');
        await exited;
      }
    }
  });
});

/** The product's worker as deployed (workers/main.ts), serving metrics on a port of its choosing. */
function startWorkerProcess(): ChildProcess {
  return spawn(process.execPath, [fileURLToPath(new URL('../../workers/main.ts', import.meta.url))], {
    env: {
      PATH: process.env.PATH,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_NAMESPACE: namespace,
      PNO_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      PNO_METRICS_ADDRESS: '127.0.0.1:0',
      KUBECONFIG: inject('workerKubeconfig'),
      LOG_LEVEL: 'INFO',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** The URL the worker logs once it serves metrics. */
async function metricsUrlOf(worker: ChildProcess): Promise<string> {
  let seen = '';
  return new Promise<string>((resolve, reject) => {
    worker.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      // Whole lines only: the last may still be arriving.
      for (const line of seen.split('\n').slice(0, -1)) {
        const entry = (line.startsWith('{') ? JSON.parse(line) : {}) as { msg?: string; url?: string };
        if (entry.msg === 'serving metrics' && entry.url) resolve(entry.url);
      }
    });
    worker.once('exit', (code) => reject(new Error(`worker exited ${code} before serving metrics:\n${seen}`)));
  });
}
