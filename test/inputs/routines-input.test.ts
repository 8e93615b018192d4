// Input schemas of the four maintenance routines, including the child workflows' inputs they carry.
import { describe, expect, it } from 'vitest';
import {
  dailyDefaults,
  dailyInputSchema,
  monthlyDefaults,
  monthlyInputSchema,
  quarterlyDefaults,
  quarterlyInputSchema,
  weeklyDefaults,
  weeklyInputSchema,
} from '../../workflows/routines/input.ts';
import { parseInput } from '../../workflows/shared/input.ts';
import { COMMAND_RULE, expectRefused, refusal } from './helpers.ts';

const target = {
  namespace: 'production',
  selector: 'app=pno-physics-bench',
  deployment: 'pno-physics-bench',
  container: 'pno-inference',
  hpaName: 'pno-hpa',
  service: 'pno-physics-bench',
  apiBaseUrl: '',
};

describe('routine inputs', () => {
  it('default to the production service and each routine its own settings', () => {
    expect(dailyDefaults).toEqual({
      ...target,
      windowMs: 30 * 60_000,
      logRotateCommand: 'log-rotate',
      backupPrefix: 'pno/backups',
      maxBackupAgeHours: 24,
      latencyQuery: 'histogram_quantile(0.95, rate(pno_inference_duration_seconds_bucket[5m]))',
      latencyProbes: 10,
      latencyP95LimitMs: 500,
      scanTimeoutMs: 600_000,
      parallel: true,
    });
    expect(weeklyDefaults).toEqual({ ...target, windowMs: 2 * 3600_000, modelCheck: {}, database: null });
    expect(monthlyDefaults).toEqual({
      ...target,
      windowMs: 4 * 3600_000,
      backup: {},
      securityUpdate: {},
      modelCheck: {},
      restoreDrill: {},
      modelTrainedAt: '',
      maxModelAgeDays: 90,
      infrastructureManifests: '',
    });
    expect(quarterlyDefaults).toEqual({
      ...target,
      windowMs: 8 * 3600_000,
      benchmark: { samples: 100 },
      benchmarkP95LimitMs: 500,
      runbooks: [],
      runbookMaxAgeDays: 90,
    });
  });

  it.each([
    [{ namespace: 'Prod' }, 'namespace', 'must be a Kubernetes name'],
    [{ selector: '' }, 'selector', 'must be a label selector'],
    [{ service: '' }, 'service', 'must be a non-empty name'],
    [{ apiBaseUrl: 'api' }, 'apiBaseUrl', 'must be an absolute http(s) URL'],
    [{ logRotateCommand: 'logrotate -f /etc/logrotate.conf' }, 'logRotateCommand', COMMAND_RULE],
    [{ logRotateCommand: ['sh', '-c', 'env'] }, 'logRotateCommand', COMMAND_RULE],
    [{ backupPrefix: 'pno//backups' }, 'backupPrefix', 'must be an object key prefix'],
    [{ maxBackupAgeHours: 0 }, 'maxBackupAgeHours', 'must be an integer from 1 to 8760'],
    [{ latencyProbes: 1001 }, 'latencyProbes', 'must be an integer from 1 to 1000'],
    [{ latencyP95LimitMs: 0 }, 'latencyP95LimitMs', 'must be an integer from 1 to 600000'],
    [{ scanTimeoutMs: '10m' }, 'scanTimeoutMs', 'must be an integer from 10000 to 3600000'],
    [{ parallel: 'no' }, 'parallel', 'must be true or false'],
    [{ database: null }, 'database', "is not a field of dailyMaintenanceWorkflow's input"],
  ])('daily refuses %j, naming %s', (raw, field, rule) =>
    expectRefused(refusal(dailyInputSchema, 'dailyMaintenanceWorkflow', raw), field, rule),
  );

  it('weekly takes a database to maintain and a model check', () => {
    const database = { container: 'postgres' };
    expect(
      parseInput(weeklyInputSchema, 'weeklyMaintenanceWorkflow', { database, modelCheck: { samples: 3 } }),
    ).toMatchObject({ database: { ...database, maintenanceCommand: 'db-maintenance' }, modelCheck: { samples: 3 } });
  });

  it.each([
    [{ database: { maintenanceCommand: 'db-maintenance' } }, 'database.container', 'must name the database container'],
    [{ database: { container: 'pg', maintenanceCommand: ['psql'] } }, 'database.maintenanceCommand', COMMAND_RULE],
    [{ database: { container: 'pg', dumpCommand: 'db-dump' } }, 'database.dumpCommand', 'is not a field of a database'],
    [{ modelCheck: { samples: 0 } }, 'modelCheck.samples', 'must be an integer from 1 to 10000'],
    [
      { modelCheck: { meanOutput: 'mu' } },
      'modelCheck.meanOutput',
      'must name one of expectedOutputs (mean, log_variance)',
    ],
    [{ modelCheck: { colour: 'blue' } }, 'modelCheck.colour', "is not a field of modelHealthWorkflow's input"],
  ])('weekly refuses %j, naming %s', (raw, field, rule) =>
    expectRefused(refusal(weeklyInputSchema, 'weeklyMaintenanceWorkflow', raw), field, rule),
  );

  it("monthly passes the children's inputs on as given, so they still default the rest", () => {
    const input = parseInput(monthlyInputSchema, 'monthlyMaintenanceWorkflow', {
      backup: { retentionDays: 60 },
      securityUpdate: { requireApproval: true },
    });
    expect(input.backup).toEqual({ retentionDays: 60 });
    expect(input.securityUpdate).toEqual({ requireApproval: true });
  });

  it.each([
    [{ backup: { retentionDays: 0 } }, 'backup.retentionDays', 'must be an integer from 1 to 3650'],
    [{ backup: { colour: 'blue' } }, 'backup.colour', "is not a field of backupWorkflow's input"],
    [{ securityUpdate: { imageStep: 'build-job' } }, 'securityUpdate.buildRepository', 'must be an image reference'],
    [
      { securityUpdate: { candidateImage: '--config=/etc/passwd' } },
      'securityUpdate.candidateImage',
      'must be an image reference',
    ],
    [{ modelCheck: { source: { kind: 'ftp' } } }, 'modelCheck.source.kind', 'must be one of file, s3, pod'],
    [{ restoreDrill: { drillNamespace: 'production' } }, 'restoreDrill.drillNamespace', 'must not be production'],
    [{ modelTrainedAt: 'last spring' }, 'modelTrainedAt', 'must be an ISO date or empty'],
    [{ maxModelAgeDays: 0 }, 'maxModelAgeDays', 'must be an integer from 1 to 3650'],
    [{ infrastructureManifests: ['kind: ConfigMap'] }, 'infrastructureManifests', 'must be YAML text'],
  ])('monthly refuses %j, naming %s', (raw, field, rule) =>
    expectRefused(refusal(monthlyInputSchema, 'monthlyMaintenanceWorkflow', raw), field, rule),
  );

  it('quarterly takes runbooks with their review dates', () => {
    const runbooks = [{ name: 'disaster recovery', lastReviewed: '2026-09-01' }];
    expect(parseInput(quarterlyInputSchema, 'quarterlyMaintenanceWorkflow', { runbooks }).runbooks).toEqual(runbooks);
  });

  it.each([
    [
      { runbooks: [{ name: 'dr', lastReviewed: 'soon' }] },
      'runbooks[0].lastReviewed',
      'must be a list of {"name": ..., "lastReviewed": "<ISO date>"}',
    ],
    [{ runbooks: [{ lastReviewed: '2026-09-01' }] }, 'runbooks[0].name', 'must be a list of'],
    [{ runbooks: 'dr' }, 'runbooks', 'must be a list of'],
    [
      { runbooks: [{ name: 'dr', lastReviewed: '2026-09-01', owner: 'me' }] },
      'runbooks[0].owner',
      'is not a field of a runbook',
    ],
    [{ benchmark: { samples: 0 } }, 'benchmark.samples', 'must be an integer from 1 to 10000'],
    [{ benchmarkP95LimitMs: 0 }, 'benchmarkP95LimitMs', 'must be an integer from 1 to 600000'],
    [{ runbookMaxAgeDays: 3651 }, 'runbookMaxAgeDays', 'must be an integer from 1 to 3650'],
  ])('quarterly refuses %j, naming %s', (raw, field, rule) =>
    expectRefused(refusal(quarterlyInputSchema, 'quarterlyMaintenanceWorkflow', raw), field, rule),
  );
});
