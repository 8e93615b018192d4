// The product's configuration file (PNO_CONFIG_FILE): the service it looks after, the commands a
// workflow may name, the retention no input can go below, and each schedule's input. Read by the
// worker and by `schedules sync`; every default here is also spelled out in the shipped file.
import { z } from 'zod';
import { DEFAULT_COMMANDS } from '../activities/kubernetes/commands.ts';
import { TASK_QUEUE } from '../types/index.ts';
import { commandName, integer, kubeName, boolean } from '../workflows/shared/fields.ts';
import { serviceTarget, targetFields } from '../workflows/shared/target.ts';
import { MAINTENANCE_WINDOW_MINUTES } from '../workflows/routines/input.ts';

const strict = <Shape extends z.core.$ZodLooseShape>(shape: Shape, what: string) =>
  z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `is not a field of ${what}` : `must be ${what}`),
  });

const argumentArray = z
  .array(z.string({ error: 'must be a non-empty string' }).min(1, { error: 'must be a non-empty string' }), {
    error: 'must be an argument array, run without a shell, like [logrotate, -f, /etc/logrotate.conf]',
  })
  .min(1, { error: 'must be an argument array with at least the program' });

/** The service every schedule's input defaults to (the input fields of the same names). */
const service = strict(
  {
    namespace: targetFields.namespace,
    deployment: targetFields.deployment,
    selector: targetFields.selector,
    container: targetFields.container,
    hpaName: targetFields.hpaName,
    service: targetFields.service,
    apiBaseUrl: targetFields.apiBaseUrl,
    latencyQuery: targetFields.latencyQuery,
    monitoringNamespace: targetFields.monitoringNamespace,
  },
  'the service: namespace, deployment, selector, container, hpaName, service, apiBaseUrl, latencyQuery, monitoringNamespace',
);

const schedule = strict(
  {
    enabled: boolean.default(true),
    /** Merged over the service's fields; checked against the workflow's input schema at load. */
    input: z.record(z.string(), z.unknown(), { error: 'must be a map of input fields' }).default({}),
  },
  'a schedule: enabled and input',
);

export const productConfigSchema = strict(
  {
    taskQueue: kubeName.default(TASK_QUEUE),
    service: service.default({ ...serviceTarget }),
    retention: strict(
      {
        minDays: integer(1, 3650).default(7),
        minKeep: integer(0, 1000).default(3),
      },
      'retention minimums: minDays and minKeep',
    ).default({ minDays: 7, minKeep: 3 }),
    security: strict(
      {
        registries: z
          .array(
            z
              .string({ error: 'must be a registry host like registry.example.com' })
              .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/, {
                error: 'must be a registry host like registry.example.com',
              }),
            { error: 'must be a list of registry hosts' },
          )
          .default([]),
        requireApproval: boolean.default(true),
      },
      'security rules: registries and requireApproval',
    ).default({ registries: [], requireApproval: true }),
    maintenanceWindows: strict(
      {
        daily: integer(1, 1440).default(MAINTENANCE_WINDOW_MINUTES.daily),
        weekly: integer(1, 1440).default(MAINTENANCE_WINDOW_MINUTES.weekly),
        monthly: integer(1, 1440).default(MAINTENANCE_WINDOW_MINUTES.monthly),
        quarterly: integer(1, 1440).default(MAINTENANCE_WINDOW_MINUTES.quarterly),
      },
      'maintenance windows in minutes: daily, weekly, monthly, quarterly',
    ).default({ ...MAINTENANCE_WINDOW_MINUTES }),
    commands: z
      .record(commandName, argumentArray, {
        error: (issue) =>
          issue.code === 'invalid_key'
            ? 'is not a command name (lowercase letters, digits and -, like log-rotate)'
            : 'must map command names to argument arrays',
      })
      .default(() => Object.fromEntries(Object.entries(DEFAULT_COMMANDS).map(([name, argv]) => [name, [...argv]]))),
    schedules: z
      .record(z.string(), schedule, { error: 'must map schedule names (without pno-) to settings' })
      .default({}),
  },
  'the configuration: taskQueue, service, retention, security, maintenanceWindows, commands, schedules',
);

export type ProductConfig = z.output<typeof productConfigSchema>;
export type ProductConfigInput = z.input<typeof productConfigSchema>;

/** Every default: what runs when no file is given, and what the shipped file spells out. */
export function defaultProductConfig(): ProductConfig {
  return productConfigSchema.parse({});
}
