// Input schemas of the backup, disaster-recovery and restore-drill workflows.
import { describe, expect, it } from 'vitest';
import {
  backupDefaults,
  backupInputSchema,
  disasterRecoveryDefaults,
  disasterRecoveryInputSchema,
  restoreDrillDefaults,
  restoreDrillInputSchema,
} from '../../workflows/backup/input.ts';
import { parseInput } from '../../workflows/shared/input.ts';
import { COMMAND_RULE, expectRefused, refusal } from './helpers.ts';

describe('backupWorkflow input', () => {
  const refused = (raw: unknown) => refusal(backupInputSchema, 'backupWorkflow', raw);

  it('defaults to the production service, everything but a database, 30 days kept', () => {
    expect(backupDefaults).toEqual({
      namespace: 'production',
      selector: 'app=pno-physics-bench',
      container: 'pno-inference',
      monitoringNamespace: 'monitoring',
      modelsDir: '',
      components: ['resources', 'monitoring', 'models'],
      database: null,
      prefix: 'pno/backups',
      retentionDays: 30,
      keepAtLeast: 3,
      retentionDryRun: false,
    });
  });

  it("takes a database dump as a container and a configured command, in the service's pod unless a Deployment is named", () => {
    const database = { container: 'postgres', dumpCommand: 'db-dump-custom' };
    expect(parseInput(backupInputSchema, 'backupWorkflow', { database }).database).toEqual({
      deployment: '',
      ...database,
    });
    expect(parseInput(backupInputSchema, 'backupWorkflow', { database: { container: 'pg' } }).database).toEqual({
      deployment: '',
      container: 'pg',
      dumpCommand: 'db-dump',
    });
    const own = { ...database, deployment: 'pno-db' };
    expect(parseInput(backupInputSchema, 'backupWorkflow', { database: own }).database).toEqual(own);
  });

  it.each([
    [{ namespace: 'Prod' }, 'namespace', 'must be a Kubernetes name'],
    [{ selector: 'app' }, 'selector', 'must be a label selector'],
    [{ modelsDir: 'models' }, 'modelsDir', 'must be an absolute path in the pod, or empty'],
    [{ components: [] }, 'components', 'must be a non-empty list of resources, monitoring, models'],
    [
      { components: ['resources', 'secrets'] },
      'components[1]',
      'must be a non-empty list of resources, monitoring, models',
    ],
    [{ database: { dumpCommand: 'db-dump' } }, 'database.container', 'must name the container to dump in'],
    [{ database: { container: 'pg', dumpCommand: 'pg_dump pno' } }, 'database.dumpCommand', COMMAND_RULE],
    [{ database: { deployment: 'DB', container: 'pg' } }, 'database.deployment', 'must be a Kubernetes name, or empty'],
    [{ database: { container: 'pg', dumpCommand: ['pg_dump'] } }, 'database.dumpCommand', COMMAND_RULE],
    [{ database: { container: 'pg', shell: true } }, 'database.shell', 'is not a field of a database dump'],
    [
      { database: 'postgres' },
      'database',
      'must be {"deployment": ..., "container": ..., "dumpCommand": "db-dump"} or null',
    ],
    [{ prefix: '../other' }, 'prefix', 'must be an object key prefix like pno/backups'],
    [{ retentionDays: 0 }, 'retentionDays', 'must be an integer from 1 to 3650'],
    [{ keepAtLeast: -1 }, 'keepAtLeast', 'must be an integer from 0 to 1000'],
    [{ retentionDryRun: 'yes' }, 'retentionDryRun', 'must be true or false'],
    [{ colour: 'blue' }, 'colour', "is not a field of backupWorkflow's input"],
  ])('refuses %j, naming %s', (raw, field, rule) => expectRefused(refused(raw), field, rule));
});

describe('disasterRecoveryWorkflow input', () => {
  const refused = (raw: unknown) => refusal(disasterRecoveryInputSchema, 'disasterRecoveryWorkflow', raw);

  it('defaults to restoring the latest backup into production, asking before it restores over Ready pods', () => {
    expect(disasterRecoveryDefaults).toEqual({
      backupKey: 'latest',
      prefix: 'pno/backups',
      targetNamespace: 'production',
      sourceNamespace: '',
      selector: 'app=pno-physics-bench',
      container: 'pno-inference',
      deployment: 'pno-physics-bench',
      modelsDir: '',
      modelFile: 'pno_model.onnx',
      includeMonitoring: false,
      database: null,
      monitoringNamespace: 'monitoring',
      force: false,
      approvalTimeoutMinutes: 60,
      readyTimeoutMinutes: 10,
      verify: true,
      apiBaseUrl: '',
      apiService: '',
    });
  });

  it.each([
    [{ backupKey: '' }, 'backupKey', 'must be an object key or "latest"'],
    [{ backupKey: '/etc/passwd' }, 'backupKey', 'must be an object key or "latest"'],
    [{ backupKey: 'pno/backups/../secrets' }, 'backupKey', 'must be an object key or "latest"'],
    [{ targetNamespace: 'Production' }, 'targetNamespace', 'must be a Kubernetes name'],
    [{ deployment: 'a_b' }, 'deployment', 'must be a Kubernetes name'],
    [{ modelFile: 'models/pno.onnx' }, 'modelFile', 'must be a file name'],
    [{ monitoringNamespace: 'kube system' }, 'monitoringNamespace', 'must be a Kubernetes name'],
    [{ sourceNamespace: 'Staging' }, 'sourceNamespace', 'must be a Kubernetes name, or empty'],
    [{ force: 1 }, 'force', 'must be true or false'],
    [{ database: { container: 'pg' } }, 'database.deployment', 'must be a Kubernetes name'],
    [
      { database: { deployment: 'pno-db', container: 'pg', restoreCommand: 'psql < dump.sql' } },
      'database.restoreCommand',
      COMMAND_RULE,
    ],
    [
      { database: { deployment: 'pno-db', container: 'pg', dumpCommand: 'db-dump' } },
      'database.dumpCommand',
      'is not a field of a database restore',
    ],
    [{ approvalTimeoutMinutes: 7 * 24 * 60 + 1 }, 'approvalTimeoutMinutes', 'must be an integer from 1 to 10080'],
    [{ readyTimeoutMinutes: 0 }, 'readyTimeoutMinutes', 'must be an integer from 1 to 1440'],
    [{ apiBaseUrl: 'localhost:8000' }, 'apiBaseUrl', 'must use http or https'],
    [{ namespace: 'production' }, 'namespace', "is not a field of disasterRecoveryWorkflow's input"],
  ])('refuses %j, naming %s', (raw, field, rule) => expectRefused(refused(raw), field, rule));
});

describe('restoreDrillWorkflow input', () => {
  const refused = (raw: unknown) => refusal(restoreDrillInputSchema, 'restoreDrillWorkflow', raw);

  it('defaults to the scratch namespace, verified through its own Service, held to a 30-minute RTO', () => {
    expect(restoreDrillDefaults).toEqual({
      backupKey: 'latest',
      prefix: 'pno/backups',
      drillNamespace: 'pno-dr-drill',
      sourceNamespace: 'production',
      readyTimeoutMinutes: 10,
      apiBaseUrl: '',
      apiService: 'pno-physics-bench:8000',
      rtoTargetSeconds: 1800,
    });
  });

  it.each([
    [{ drillNamespace: 'production' }, 'drillNamespace', 'must not be production'],
    [{ drillNamespace: 'Drill' }, 'drillNamespace', 'must be a Kubernetes name'],
    [{ rtoTargetSeconds: 0 }, 'rtoTargetSeconds', 'must be'],
    [{ apiService: 'http://x' }, 'apiService', 'must be a Service and port like pno-physics-bench:8000, or empty'],
    [{ backupKey: '' }, 'backupKey', 'must be an object key or "latest"'],
    [{ readyTimeoutMinutes: 1441 }, 'readyTimeoutMinutes', 'must be an integer from 1 to 1440'],
    [{ force: true }, 'force', "is not a field of restoreDrillWorkflow's input"],
  ])('refuses %j, naming %s', (raw, field, rule) => expectRefused(refused(raw), field, rule));
});
