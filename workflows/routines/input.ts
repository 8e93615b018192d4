// Inputs of the four maintenance routines: the service target every routine acts on, defaulted so
// `--input '{}'` runs against production, and each routine's own fields.
import { z } from 'zod';
import { DEFAULT_BACKUP_PREFIX } from '../../types/index.ts';
import { backupInputSchema, restoreDrillInputSchema } from '../backup/input.ts';
import { modelHealthInputSchema } from '../model/input.ts';
import { securityUpdateInputSchema } from '../security/input.ts';
import { boolean, commandName, integer, isoDate, nestedObject, objectKeyPrefix } from '../shared/fields.ts';
import { childInput, defaultsOf, inputObject } from '../shared/input.ts';
import { targetFields } from '../shared/target.ts';

/** The guide's maintenance windows, in minutes: how long each routine may run. */
export const MAINTENANCE_WINDOW_MINUTES = { daily: 30, weekly: 120, monthly: 240, quarterly: 480 } as const;
export type MaintenanceRoutine = keyof typeof MAINTENANCE_WINDOW_MINUTES;

/** The window a routine's steps run in; the schedules set it from the configuration's maintenanceWindows. */
const windowMs = (routine: MaintenanceRoutine) =>
  integer(10_000, 24 * 3600_000)
    .default(MAINTENANCE_WINDOW_MINUTES[routine] * 60_000)
    .describe(
      `The maintenance window (ms): steps still running this long after the start are stopped, reported as stopped and alerted (\`routine_${routine}_overran\`). The guide's: ${MAINTENANCE_WINDOW_MINUTES[routine]} minutes.`,
    );

/** What every routine needs to know about the service. */
const routineTarget = {
  namespace: targetFields.namespace,
  selector: targetFields.selector,
  deployment: targetFields.deployment,
  container: targetFields.container,
  hpaName: targetFields.hpaName,
  service: targetFields.service,
  apiBaseUrl: targetFields.apiBaseUrl,
};

export const dailyInputSchema = inputObject({
  ...routineTarget,
  windowMs: windowMs('daily'),
  logRotateCommand: commandName
    .default('log-rotate')
    .describe(
      "The configured command run in one pod of the service, as the guide's `kubectl exec deployment/... -- logrotate` (`log-rotate`: `logrotate -f /etc/logrotate.conf`).",
    ),
  backupPrefix: objectKeyPrefix
    .default(DEFAULT_BACKUP_PREFIX)
    .describe('Where the nightly backups are, for the backup verification.'),
  maxBackupAgeHours: integer(1, 24 * 365)
    .default(24)
    .describe(
      "The latest backup older than this is a failure: last night's backup (the `pno-nightly-backup` schedule, 00:30 UTC) did not happen.",
    ),
  latencyQuery: targetFields.latencyQuery,
  latencyProbes: integer(1, 1000)
    .default(10)
    .describe('How many `/health` probes the performance analysis sends when Prometheus has no latency figure.'),
  latencyP95LimitMs: integer(1, 600_000)
    .default(500)
    .describe("A p95 latency above this (Prometheus', else the probes') is a warning: the guide's 0.5 s alert."),
  scanTimeoutMs: integer(10_000, 3600_000)
    .default(10 * 60_000)
    .describe('Time the vulnerability scan of the running image may take.'),
  parallel: boolean
    .default(true)
    .describe('Steps side by side (default), or one after another to keep load on the service low.'),
});
export type DailyInput = z.input<typeof dailyInputSchema>;
export type ParsedDailyInput = z.output<typeof dailyInputSchema>;
export const dailyDefaults = defaultsOf(dailyInputSchema);

const databaseMaintenance = nestedObject(
  {
    container: z.string({ error: 'must name the database container' }),
    maintenanceCommand: commandName.default('db-maintenance'),
  },
  {
    unknownKey: 'is not a field of a database',
    notObject: 'must be {"container": ..., "maintenanceCommand": "db-maintenance"} or null',
  },
);

export const weeklyInputSchema = inputObject({
  ...routineTarget,
  windowMs: windowMs('weekly'),
  modelCheck: childInput(modelHealthInputSchema, 'modelHealthWorkflow')
    .default({})
    .describe("modelHealthWorkflow's input for the model integrity step."),
  database: databaseMaintenance
    .nullable()
    .default(null)
    .describe('The database to maintain with `VACUUM ANALYZE`; null when the service has none.'),
});
export type WeeklyInput = z.input<typeof weeklyInputSchema>;
export type ParsedWeeklyInput = z.output<typeof weeklyInputSchema>;
export const weeklyDefaults = defaultsOf(weeklyInputSchema);

export const monthlyInputSchema = inputObject({
  ...routineTarget,
  windowMs: windowMs('monthly'),
  backup: childInput(backupInputSchema, 'backupWorkflow')
    .default({})
    .describe("backupWorkflow's input for the full backup (its namespace defaults to the routine's)."),
  securityUpdate: childInput(securityUpdateInputSchema, 'securityUpdateWorkflow')
    .default({})
    .describe("securityUpdateWorkflow's input for the security updates (its namespace defaults to the routine's)."),
  modelCheck: childInput(modelHealthInputSchema, 'modelHealthWorkflow')
    .default({})
    .describe("modelHealthWorkflow's input for the retraining check."),
  restoreDrill: childInput(restoreDrillInputSchema, 'restoreDrillWorkflow')
    .default({})
    .describe("restoreDrillWorkflow's input for the restore drill (its prefix defaults to the backup's)."),
  modelTrainedAt: isoDate('must be an ISO date or empty', true)
    .default('')
    .describe('When the served model was trained (ISO date); empty when unknown.'),
  maxModelAgeDays: integer(1, 3650).default(90).describe('A model older than this is due for retraining.'),
  infrastructureManifests: z
    .string({ error: 'must be YAML text' })
    .meta({ rule: 'must be YAML text' })
    .default('')
    .describe('Manifests (YAML, no Secrets) for the infrastructure-update step; empty skips it.'),
});
export type MonthlyInput = z.input<typeof monthlyInputSchema>;
export type ParsedMonthlyInput = z.output<typeof monthlyInputSchema>;
export const monthlyDefaults = defaultsOf(monthlyInputSchema);

const runbooksRule = 'must be a list of {"name": ..., "lastReviewed": "<ISO date>"}';
const runbook = nestedObject(
  {
    name: z.string({ error: runbooksRule }),
    lastReviewed: isoDate(runbooksRule).describe('ISO date of the last review.'),
  },
  { unknownKey: 'is not a field of a runbook', notObject: runbooksRule },
);

export const quarterlyInputSchema = inputObject({
  ...routineTarget,
  windowMs: windowMs('quarterly'),
  benchmark: childInput(modelHealthInputSchema, 'modelHealthWorkflow')
    .default({ samples: 100 })
    .describe('The latency benchmark: modelHealthWorkflow over more samples than the weekly check.'),
  benchmarkP95LimitMs: integer(1, 600_000).default(500).describe('p95 latency per sample above this is a warning.'),
  runbooks: z
    .array(runbook, { error: runbooksRule })
    .meta({ rule: runbooksRule })
    .default([])
    .describe('Runbooks and when each was last reviewed; empty skips the documentation review.'),
  runbookMaxAgeDays: integer(1, 3650).default(90).describe('A runbook not reviewed for longer is stale.'),
});
export type QuarterlyInput = z.input<typeof quarterlyInputSchema>;
export type ParsedQuarterlyInput = z.output<typeof quarterlyInputSchema>;
export const quarterlyDefaults = defaultsOf(quarterlyInputSchema);
