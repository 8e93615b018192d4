// The product's schedules, as data: the guide's maintenance calendar and its monitors. `sync` makes
// the server match this list. Times are UTC (a calendar spec with no time zone is read in UTC).
import { ScheduleOverlapPolicy, type CalendarSpec } from '@temporalio/client';
import { defaultProductConfig, type ProductConfig } from '../config/schema.ts';
import { inputSchemas, type WorkflowType } from '../workflows/inputs.ts';

/** Every schedule the product owns has an id with this prefix; others are never touched. */
export const SCHEDULE_PREFIX = 'pno-';

export interface ScheduleDefinition {
  id: string;
  description: string;
  workflowType: string;
  input: Record<string, unknown>;
  /** PnoRoutine on every run the schedule starts, so runs are filterable from their first event. */
  routine: string;
  /** PnoTargetNamespace on every run. */
  targetNamespace?: string;
  /** Calendar specs, read in UTC. */
  calendars?: CalendarSpec[];
  /** Cron expressions, read in UTC. */
  cron?: string[];
  /** Fixed intervals, e.g. '1 minute'. */
  every?: string;
  overlap: ScheduleOverlapPolicy;
  /** How late a missed run may still start after an outage; older ones are dropped. */
  catchupWindow: string;
  /** Each run starts up to this much after its time (a fixed offset per run, chosen by the server). */
  jitter?: string;
}

/**
 * Temporal matches a calendar only when every field matches (no cron-style "day of month OR day of
 * week"), so Sunday within days 1-7 is exactly the month's first Sunday.
 */
const firstSunday = { dayOfWeek: 'SUNDAY', dayOfMonth: { start: 1, end: 7 } } as const;

/**
 * The product's schedules as the configuration has them: each input is the service's fields the
 * workflow takes, a routine's maintenance window, then the schedule's own `input`; a schedule with
 * `enabled: false` is left out (and `sync` deletes it).
 */
export function scheduleDefinitions(config: ProductConfig = defaultProductConfig()): ScheduleDefinition[] {
  return baseDefinitions(config.service.namespace)
    .filter((d) => config.schedules[scheduleName(d)]?.enabled !== false)
    .map((d) => ({
      ...d,
      input: {
        ...serviceFieldsOf(d.workflowType, config.service),
        ...windowOf(d.routine, config.maintenanceWindows),
        ...config.schedules[scheduleName(d)]?.input,
      },
    }));
}

/** A maintenance routine's window from the configuration, as its input's `windowMs`. */
function windowOf(routine: string, windows: ProductConfig['maintenanceWindows']): { windowMs?: number } {
  return routine in windows ? { windowMs: windows[routine as keyof typeof windows] * 60_000 } : {};
}

/** The name a configuration file gives a schedule: its id without the prefix. */
export const scheduleName = (d: { id: string }) => d.id.slice(SCHEDULE_PREFIX.length);

/** Every schedule name a configuration may set. */
export const scheduleNames = (): string[] => baseDefinitions('production').map(scheduleName);

/** The service's fields that `workflowType`'s input has, by the same names. */
function serviceFieldsOf(workflowType: string, service: ProductConfig['service']): Record<string, unknown> {
  const shape = inputSchemas[workflowType as WorkflowType].shape as Record<string, unknown>;
  return Object.fromEntries(Object.entries(service).filter(([field]) => field in shape));
}

function baseDefinitions(production: string): ScheduleDefinition[] {
  return [
    {
      id: `${SCHEDULE_PREFIX}nightly-backup`,
      description: 'Nightly backup of production (00:30 UTC, before the daily routine verifies it at 02:00)',
      workflowType: 'backupWorkflow',
      input: {},
      routine: 'backup',
      targetNamespace: production,
      // Clear of the monthly window (01:00) and ahead of the daily routine's backup verification.
      calendars: [{ hour: 0, minute: 30, comment: 'every day 00:30 UTC' }],
      // A backup still running a day later is stuck; a second one would only race it for the same data.
      overlap: ScheduleOverlapPolicy.SKIP,
      // A late backup beats none: after an outage take it when the server is back, up to the next night's.
      catchupWindow: '20 hours',
      // Its own part of the half hour, as other nightly jobs start at the top of it.
      jitter: '10 minutes',
    },
    {
      id: `${SCHEDULE_PREFIX}daily-maintenance`,
      description: 'Daily maintenance (guide: 02:00 UTC, 30 minutes, no impact)',
      workflowType: 'dailyMaintenanceWorkflow',
      input: {},
      routine: 'daily',
      targetNamespace: production,
      calendars: [{ hour: 2, minute: 0, comment: 'every day 02:00 UTC' }],
      // A routine still running a day later is stuck; a second copy would race it on the same cluster.
      overlap: ScheduleOverlapPolicy.SKIP,
      // After an outage at 02:00, today's checks still run if the server is back by 06:00; later, the next night's run is as good.
      catchupWindow: '4 hours',
      // Off the top of the hour, where other nightly jobs pile up; five minutes means nothing to a no-impact routine.
      jitter: '5 minutes',
    },
    {
      id: `${SCHEDULE_PREFIX}weekly-maintenance`,
      description: 'Weekly maintenance (guide: Sunday 03:00 UTC, 2 hours, minimal impact)',
      workflowType: 'weeklyMaintenanceWorkflow',
      input: {},
      routine: 'weekly',
      targetNamespace: production,
      calendars: [{ dayOfWeek: 'SUNDAY', hour: 3, minute: 0, comment: 'Sundays 03:00 UTC' }],
      overlap: ScheduleOverlapPolicy.SKIP,
      // Rolling updates are fine on a Sunday morning; started after 09:00 the two hours would run toward Monday.
      catchupWindow: '6 hours',
      jitter: '5 minutes',
    },
    {
      id: `${SCHEDULE_PREFIX}monthly-maintenance`,
      description: 'Monthly maintenance (guide: first Sunday 01:00 UTC, 4 hours, planned window)',
      workflowType: 'monthlyMaintenanceWorkflow',
      input: {},
      routine: 'monthly',
      targetNamespace: production,
      calendars: [{ ...firstSunday, hour: 1, minute: 0, comment: 'first Sunday of the month 01:00 UTC' }],
      overlap: ScheduleOverlapPolicy.SKIP,
      // Moderate impact inside an announced 01:00-05:00 window: started after 02:00 it would overrun the
      // window, so a missed month is run on purpose (`schedules backfill`) rather than whenever the server returns.
      catchupWindow: '1 hour',
      // No jitter: a planned maintenance window starts when it was announced.
    },
    {
      id: `${SCHEDULE_PREFIX}quarterly-maintenance`,
      description: 'Quarterly maintenance (guide: first Sunday of the quarter 00:00 UTC, 8 hours, high impact)',
      workflowType: 'quarterlyMaintenanceWorkflow',
      input: {},
      routine: 'quarterly',
      targetNamespace: production,
      calendars: [
        {
          ...firstSunday,
          month: ['JANUARY', 'APRIL', 'JULY', 'OCTOBER'],
          hour: 0,
          minute: 0,
          comment: 'first Sunday of Jan/Apr/Jul/Oct 00:00 UTC',
        },
      ],
      overlap: ScheduleOverlapPolicy.SKIP,
      // High impact, eight hours, a window that needs people at hand: the same reasoning as monthly, stricter in effect.
      catchupWindow: '1 hour',
    },
    {
      id: `${SCHEDULE_PREFIX}health-monitor`,
      description: 'Health monitor: pods, API, resource usage and HPA every minute; daily JSONL history; alerts',
      workflowType: 'healthMonitorWorkflow',
      input: {},
      routine: 'health-monitor',
      targetNamespace: production,
      every: '1 minute',
      // A check still running when the next is due means the last one is slow: skip, never pile up.
      // SKIP also makes the scheduler watch each run, which is what passes one run's alert state to the next.
      overlap: ScheduleOverlapPolicy.SKIP,
      // A minute-old health sample is worthless; after an outage take one run, not a burst.
      catchupWindow: '1 minute',
      // No jitter: evenly spaced samples make the day's history a regular series.
    },
    ...(['auto-scaling', 'performance'] as const).map((kind): ScheduleDefinition => ({
      id: `${SCHEDULE_PREFIX}${kind}-optimizer`,
      description: `${kind === 'auto-scaling' ? 'Auto-scaling' : 'Performance'} optimizer: keeps one long-running instance sampling every 5 minutes`,
      workflowType: kind === 'auto-scaling' ? 'autoScalingOptimizerWorkflow' : 'performanceOptimizerWorkflow',
      input: {},
      routine: `${kind}-optimizer`,
      targetNamespace: production,
      every: '5 minutes',
      // The optimizer runs for good (continue-as-new keeps its 24-hour window), and the server counts a
      // continue-as-new chain as one running action: every tick is skipped while it lives, and the first
      // tick after it failed or was terminated starts a fresh one. The schedule is its keeper.
      overlap: ScheduleOverlapPolicy.SKIP,
      // Restart it once after an outage, not once per missed tick.
      catchupWindow: '5 minutes',
    })),
  ];
}
