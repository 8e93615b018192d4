// The service's database for the tests that back it up and restore it: PostgreSQL from Debian in a
// pod on the real node (stack/kube/fixture-service/database.yaml), beside a copy of the service.
// Set up and read as cluster-admin: fixtures and the test's own view, never the product's.
import { readFile } from 'node:fs/promises';
import { execCommand } from '../../activities/kubernetes/exec.ts';
import { applyObjects, fromYaml } from '../../activities/kubernetes/resources.ts';
import { waitForRollout } from '../../activities/kubernetes/rollout.ts';
import { pickReadyPodOf } from '../../activities/kubernetes/status.ts';
import type { DatabaseDump, DatabaseRestore } from '../../types/index.ts';
import { testKube } from './kube.ts';
import { serviceCopy } from './service.ts';

export const DATABASE_DEPLOYMENT = 'pno-db';

/** What a backup of the fixture's database runs: the shipped `db-dump` (pg_dump, with the DROPs that let it load over a database). */
export const DUMP: DatabaseDump = {
  deployment: DATABASE_DEPLOYMENT,
  container: 'postgres',
  dumpCommand: 'db-dump',
};

/** What a recovery runs to load it: the shipped `db-restore` (the dump's path appended), all or nothing. */
export const RESTORE: DatabaseRestore = {
  deployment: DATABASE_DEPLOYMENT,
  container: 'postgres',
  restoreCommand: 'db-restore',
};

/** A copy of the service with its database beside it, rolled out. */
export async function serviceWithDatabase(prefix: string): Promise<string> {
  const namespace = await serviceCopy(prefix);
  const text = await readFile(new URL('../../stack/kube/fixture-service/database.yaml', import.meta.url), 'utf8');
  await applyObjects(testKube(), fromYaml(text), { fieldManager: 'pno-test-fixtures', targetNamespace: namespace });
  const rollout = await waitForRollout(testKube(), namespace, DATABASE_DEPLOYMENT, { timeoutMs: 90_000, pollMs: 200 });
  if (!rollout.done || rollout.failed) throw new Error(`${namespace}/${DATABASE_DEPLOYMENT}: ${rollout.message}`);
  return namespace;
}

/** Runs SQL with psql in the database's pod; resolves to what it printed (unaligned, tuples only). */
export async function psql(namespace: string, sql: string): Promise<string> {
  const pod = await pickReadyPodOf(testKube(), namespace, DATABASE_DEPLOYMENT);
  const run = await execCommand(
    testKube(),
    { namespace, pod, container: 'postgres' },
    ['psql', '--no-psqlrc', '--tuples-only', '--no-align', '-v', 'ON_ERROR_STOP=1', '--command', sql],
    { outputLimitBytes: 1024 ** 2 },
  );
  if (run.exitCode !== 0) throw new Error(`psql in ${namespace}/${pod} exited ${run.exitCode}: ${run.stderr}`);
  return run.stdout;
}

/** Every row of the table, in key order, as COPY writes them: what a round trip must give back exactly. */
export const rowsOf = (namespace: string, table: string) =>
  psql(namespace, `COPY (SELECT * FROM ${table} ORDER BY 1) TO STDOUT`);
