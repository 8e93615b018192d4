// Temporal on PostgreSQL for real, as docker-compose.yml runs it but without Docker: Debian's
// PostgreSQL, the schemas set up by temporal-sql-tool, temporal-server at the compose file's pin. The
// product's worker process (workers/main.ts, configured by its environment alone, as the worker's
// ServiceAccount) runs a health check and a backup against it, and both live in PostgreSQL.
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startInferenceApi, type InferenceApi } from '../../stack/inference-api.ts';
import { startTemporalOnPostgres, type TemporalOnPostgres } from '../../stack/temporal-postgres.ts';
import { backupWorkflow, healthCheckWorkflow } from '../../workflows/index.ts';
import { TASK_QUEUE } from '../../types/index.ts';
import { freshBucket, testS3 } from '../helpers/s3.ts';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.ts';

let temporal: TemporalOnPostgres;
let api: InferenceApi;
let worker: WorkerProcess;
let bucket: string;
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pno-temporal-server-'));
  [temporal, api, bucket] = await Promise.all([startTemporalOnPostgres(dir), startInferenceApi(), freshBucket('pg')]);
  const keyFile = join(dir, 'backup.key');
  await writeFile(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  const s3 = inject('s3');
  worker = await startWorkerProcess({
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    PNO_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
    KUBECONFIG: inject('workerKubeconfig'),
    PNO_API_URL: api.url,
    S3_ENDPOINT: s3.endpoint,
    S3_REGION: s3.region,
    S3_BUCKET: bucket,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    PNO_BACKUP_KEY_FILE: keyFile,
  });
}, 240_000);
afterAll(async () => {
  await worker?.stop();
  await Promise.all([temporal?.stop(), api?.close()]);
});

describe('Temporal on PostgreSQL', () => {
  it('runs the health check and a backup from the worker process, and keeps them in PostgreSQL', async () => {
    const connection = await Connection.connect({ address: temporal.address });
    try {
      const client = new Client({ connection, namespace: temporal.namespace });
      const stamp = Date.now();
      const health = await client.workflow.execute(healthCheckWorkflow, {
        taskQueue: TASK_QUEUE,
        workflowId: `pg-health-${stamp}`,
        args: [{}],
      });
      expect(health.status).toBe('HEALTHY');
      const backup = await client.workflow.execute(backupWorkflow, {
        taskQueue: TASK_QUEUE,
        workflowId: `pg-backup-${stamp}`,
        args: [{}],
      });
      expect(backup.entries).toBeGreaterThan(0);
      expect(backup.verified.entries).toBe(backup.entries);
      const stored = await testS3().send(new HeadObjectCommand({ Bucket: bucket, Key: backup.key }));
      expect(stored.ContentLength).toBe(backup.objectBytes);

      // Both runs are rows of the server's PostgreSQL: history in `temporal`, visibility beside it.
      const closed = await temporal.postgres.psql(
        'temporal_visibility',
        `SELECT workflow_type_name FROM executions_visibility WHERE workflow_id IN ('pg-health-${stamp}', 'pg-backup-${stamp}') AND status = 2 ORDER BY workflow_type_name`,
      );
      expect(closed.trim().split('\n')).toEqual(['backupWorkflow', 'healthCheckWorkflow']);
      expect(Number(await temporal.postgres.psql('temporal', 'SELECT count(*) FROM history_node'))).toBeGreaterThan(0);
      // The worker registered the product's search attributes on this server itself.
      const attributes = await client.connection.operatorService.listSearchAttributes({
        namespace: temporal.namespace,
      });
      expect(Object.keys(attributes.customAttributes)).toEqual(
        expect.arrayContaining(['PnoRoutine', 'PnoTargetNamespace']),
      );
    } finally {
      await connection.close();
    }
  });

  it('is the server version docker-compose.yml pins', async () => {
    const versions = await readFile(new URL('../../scripts/tools/versions.env', import.meta.url), 'utf8');
    const pinned = /^TEMPORAL_SERVER_VERSION=v(\S+)$/m.exec(versions)?.[1];
    const compose = parse(await readFile(new URL('../../docker-compose.yml', import.meta.url), 'utf8')) as {
      services: Record<string, { image?: string }>;
    };
    expect(compose.services.temporal?.image).toBe(`temporalio/server:${pinned}`);
    expect(compose.services['temporal-schema']?.image).toBe(`temporalio/admin-tools:${pinned}`);
    const info = await Connection.connect({ address: temporal.address });
    try {
      const system = await info.workflowService.getSystemInfo({});
      expect(system.serverVersion).toBe(pinned);
    } finally {
      await info.close();
    }
  });
});
