// The guide's database backup (`pg_dump` in the pod) and its way back, against a real PostgreSQL in
// a pod on the real node, as the worker: the namespace is lost with the database's volume, disaster
// recovery re-creates both and loads the dump, and every row comes back. A reset of that recovery
// does not load the dump again over what was written since; a load that fails changes nothing and
// leaves psql's words in the worker, not in the history.
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInferenceApi, type InferenceApi } from '../../stack/inference-api.ts';
import { DATABASE_RESTORED_BY_ANNOTATION } from '../../types/index.ts';
import { backupWorkflow, disasterRecoveryWorkflow } from '../../workflows/index.ts';
import { DATABASE_DEPLOYMENT, DUMP, RESTORE, psql, rowsOf, serviceWithDatabase } from '../helpers/database.ts';
import { testKube } from '../helpers/kube.ts';
import { replayRuns } from '../helpers/replay-runs.ts';
import { modelsOnVolume } from '../helpers/service.ts';
import { resetToStart, withWorker } from '../helpers/temporal.ts';
import { RECOVERY_STEPS, backupSetup, namespaceGone } from './fixtures.ts';

let api: InferenceApi;
beforeAll(async () => {
  api = await startInferenceApi();
});
afterAll(() => api.close());

/** Rows that a careless dump or load would change: NULLs, tabs, newlines, non-ASCII, floats, times. */
const SEED = `
  CREATE TABLE runs (id integer PRIMARY KEY, name text NOT NULL, loss double precision, note text, at timestamptz);
  INSERT INTO runs
    SELECT i, 'run-' || i, 1.0 / i,
           CASE WHEN i % 7 = 0 THEN NULL ELSE E'tab\\there\\nnew line, ünïcode ' || i END,
           timestamptz '2026-01-01 00:00:00+00' + i * interval '1 minute'
    FROM generate_series(1, 2000) AS i;`;

const annotationOf = async (namespace: string) =>
  (await testKube().apps.readNamespacedDeployment({ namespace, name: DATABASE_DEPLOYMENT })).metadata?.annotations?.[
    DATABASE_RESTORED_BY_ANNOTATION
  ];

describe('database backup and restore', () => {
  it(
    'dumps with pg_dump, loses the namespace and its volume, loads the dump back: every row identical; a reset does not load it again',
    { timeout: 240_000 },
    async () => {
      const setup = await backupSetup(api.url);
      const namespace = await serviceWithDatabase('db');
      await modelsOnVolume(namespace);
      await psql(namespace, SEED);
      const before = await rowsOf(namespace, 'runs');
      expect(before.trim().split('\n')).toHaveLength(2000);

      await withWorker(setup.activities, async ({ client, taskQueue }) => {
        const backup = await client.workflow.execute(backupWorkflow, {
          taskQueue,
          workflowId: `backup-${namespace}`,
          args: [{ namespace, prefix: setup.prefix, components: ['resources', 'models'], database: DUMP }],
        });
        expect(backup.components).toEqual(['resources', 'models', 'database']);
        expect(backup.notes).not.toContain('no database configured');

        // The disaster: the namespace goes, the database's volume with it.
        await namespaceGone(namespace);

        const workflowId = `dr-${namespace}`;
        const handle = await client.workflow.start(disasterRecoveryWorkflow, {
          taskQueue,
          workflowId,
          args: [{ backupKey: backup.key, targetNamespace: namespace, database: RESTORE }],
        });
        const report = await handle.result();
        const steps = report.steps.map((s) => s.step);
        expect(steps).toEqual([...RECOVERY_STEPS.slice(0, 7), 'database', ...RECOVERY_STEPS.slice(7)]);
        const step = (name: string) => report.steps.find((s) => s.step === name)?.detail;
        expect(step('database')).toMatch(/^[1-9]\d* bytes of dump loaded in pno-db-/);
        expect(report.model).toBe('PASS');
        // A fresh, empty database (the claim was re-created) now holds exactly what was backed up.
        expect(await rowsOf(namespace, 'runs')).toBe(before);
        const recovery = `${workflowId}/${(await handle.describe()).runId}`;
        expect(await annotationOf(namespace)).toBe(recovery);

        // The service writes; then an operator resets the recovery (to re-run its checks, say).
        await psql(namespace, `INSERT INTO runs VALUES (2001, 'written after the recovery', 0.5, NULL, now())`);
        const failedOrDone = (await handle.describe()).runId;
        const resetRun = await resetToStart(workflowId, 'verify again');
        const again = await client.workflow.getHandle<typeof disasterRecoveryWorkflow>(workflowId, resetRun).result();
        expect(again.steps.find((s) => s.step === 'database')?.detail).toBe(
          `dump already loaded by this recovery into ${DATABASE_DEPLOYMENT}`,
        );
        // The first run succeeded and discarded its stage: the reset reads the object once, like it.
        expect(again.downloadedBytes).toBe(report.downloadedBytes);
        expect(await psql(namespace, 'SELECT count(*), max(id) FROM runs')).toBe('2001|2001\n');

        const replays = await replayRuns(client, workflowId, [failedOrDone, resetRun]);
        expect(replays.map((r) => r.error)).toEqual([undefined, undefined]);
      });
    },
  );

  it(
    'a load that fails is all or nothing: the database is as it was, the history holds the exit code only',
    { timeout: 180_000 },
    async () => {
      const setup = await backupSetup(api.url);
      const namespace = await serviceWithDatabase('db-fail');
      await psql(namespace, SEED);

      const failure = await withWorker(setup.activities, async ({ client, taskQueue }) => {
        const backup = await client.workflow.execute(backupWorkflow, {
          taskQueue,
          workflowId: `backup-${namespace}`,
          args: [{ namespace, prefix: setup.prefix, components: ['resources'], database: DUMP }],
        });
        // Written since the backup, and a table that takes the name the dump's primary key needs: the
        // load drops, creates and fills `runs`, then fails at its last statement.
        await psql(
          namespace,
          `UPDATE runs SET name = 'changed since the backup' WHERE id <= 10;
           ALTER INDEX runs_pkey RENAME TO runs_id_key; CREATE TABLE runs_pkey (x integer);`,
        );
        const workflowId = `dr-${namespace}`;
        const error = await client.workflow
          .execute(disasterRecoveryWorkflow, {
            taskQueue,
            workflowId,
            args: [
              { backupKey: backup.key, targetNamespace: namespace, force: true, verify: false, database: RESTORE },
            ],
          })
          .catch((e: unknown) => e);
        return { error, history: JSON.stringify(await client.workflow.getHandle(workflowId).fetchHistory()) };
      });

      expect(failure.error).toBeInstanceOf(WorkflowFailedError);
      const cause = (failure.error as WorkflowFailedError).cause as Error & { type?: string };
      expect(cause).toMatchObject({ type: 'RecoveryFailed' });
      expect(cause.message).toMatch(
        new RegExp(`^database restore in ${namespace}/pno-db-[\\w-]+ \\(postgres\\) exited 3$`),
      );
      // --single-transaction: the DROP, CREATE and COPY before the failure are undone too.
      expect(await psql(namespace, `SELECT count(*) FROM runs WHERE name = 'changed since the backup'`)).toBe('10\n');
      expect(await psql(namespace, 'SELECT count(*) FROM runs')).toBe('2000\n');
      expect(await annotationOf(namespace)).toBeUndefined();
      // psql said why ('relation "runs_pkey" already exists'); that stays in the worker's log.
      expect(failure.history).not.toContain('already exists');
      expect(failure.history).not.toContain('run-1');
    },
  );
});
