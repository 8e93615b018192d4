// The configuration file: the shipped one is every default spelled out, a file's service and
// schedule inputs become the schedules' inputs, and every bad value is refused at once by its path.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseProductConfig, ProductConfigError, readProductConfig } from '../../config/load.ts';
import { defaultProductConfig } from '../../config/schema.ts';
import { DEFAULT_COMMANDS } from '../../activities/kubernetes/commands.ts';
import { scheduleDefinitions } from '../../schedules/definitions.ts';
import { readWorkerConfig, ConfigError } from '../../workers/config.ts';

const shipped = new URL('../../config/pno-maintenance.yaml', import.meta.url);

const problemsOf = (text: string): string[] => {
  try {
    parseProductConfig(text, 'test.yaml');
    return [];
  } catch (err) {
    if (!(err instanceof ProductConfigError)) throw err;
    return err.problems;
  }
};

describe('the configuration file', () => {
  it('ships every default spelled out: the same service, commands, retention and schedules', () => {
    const file = readProductConfig(shipped.pathname);
    const defaults = defaultProductConfig();
    expect({ ...file, schedules: {} }).toEqual(defaults);
    expect(scheduleDefinitions(file)).toEqual(scheduleDefinitions(defaults));
    expect(file.commands).toEqual(DEFAULT_COMMANDS);
    expect(file.retention).toEqual({ minDays: 7, minKeep: 3 });
  });

  it("puts the service's fields into each schedule's input, under the schedule's own, and leaves disabled ones out", () => {
    const config = parseProductConfig(
      [
        'service: {namespace: staging, hpaName: staging-hpa}',
        'schedules:',
        '  daily-maintenance: {input: {latencyProbes: 3}}',
        '  health-monitor: {enabled: false}',
      ].join('\n'),
      'test.yaml',
    );
    const byId = Object.fromEntries(scheduleDefinitions(config).map((d) => [d.id, d]));
    expect(byId['pno-health-monitor']).toBeUndefined();
    expect(byId['pno-daily-maintenance']).toMatchObject({
      targetNamespace: 'staging',
      input: { namespace: 'staging', hpaName: 'staging-hpa', latencyProbes: 3 },
    });
    // Only the fields a workflow takes: the backup has no HPA.
    expect(byId['pno-nightly-backup']!.input).toMatchObject({
      namespace: 'staging',
      selector: 'app=pno-physics-bench',
    });
    expect(byId['pno-nightly-backup']!.input).not.toHaveProperty('hpaName');
    for (const d of Object.values(byId)) expect(d.targetNamespace).toBe('staging');
  });

  it("gives each scheduled routine its maintenance window, unless the schedule's input sets one", () => {
    const config = parseProductConfig(
      'maintenanceWindows: {daily: 45}\nschedules: {weekly-maintenance: {input: {windowMs: 60000}}}',
      'test.yaml',
    );
    const windows = Object.fromEntries(scheduleDefinitions(config).map((d) => [d.id, d.input.windowMs]));
    expect(windows).toMatchObject({
      'pno-daily-maintenance': 45 * 60_000,
      'pno-weekly-maintenance': 60_000,
      'pno-monthly-maintenance': 4 * 3600_000,
      'pno-quarterly-maintenance': 8 * 3600_000,
    });
    // Only routines have a window.
    expect(windows['pno-nightly-backup']).toBeUndefined();
    expect(problemsOf('schedules: {daily-maintenance: {input: {windowMs: 1000}}}')).toEqual([
      'schedules.daily-maintenance.input.windowMs must be an integer from 10000 to 86400000 (got 1000)',
    ]);
  });

  it.each([
    ['taskQueue: "Bad Queue"', 'taskQueue must be a Kubernetes name'],
    ['service: {namespace: Prod}', 'service.namespace must be a Kubernetes name'],
    ['service: {replicas: 3}', 'service.replicas is not a field of the service'],
    ['commands: {log-rotate: "logrotate -f /etc/logrotate.conf"}', 'commands.log-rotate must be an argument array'],
    ['commands: {log-rotate: []}', 'commands.log-rotate must be an argument array with at least the program'],
    ['commands: {Log: [true]}', 'commands.Log is not a command name'],
    ['retention: {minDays: 0}', 'retention.minDays must be an integer from 1 to 3650'],
    [
      'security: {registries: ["https://ghcr.io"]}',
      'security.registries[0] must be a registry host like registry.example.com',
    ],
    ['security: {requireApproval: "no"}', 'security.requireApproval must be true or false'],
    ['maintenanceWindows: {daily: 0}', 'maintenanceWindows.daily must be an integer from 1 to 1440'],
    ['maintenanceWindows: {nightly: 30}', 'maintenanceWindows.nightly is not a field of maintenance windows'],
    ['colour: blue', 'colour is not a field of the configuration'],
    ['schedules: {hourly-backup: {}}', 'schedules.hourly-backup is not a schedule of the product'],
    [
      'schedules: {daily-maintenance: {input: {latencyProbes: 0}}}',
      'schedules.daily-maintenance.input.latencyProbes must be an integer from 1 to 1000',
    ],
    [
      'schedules: {daily-maintenance: {input: {colour: 1}}}',
      "schedules.daily-maintenance.input.colour is not a field of dailyMaintenanceWorkflow's input",
    ],
    [
      'schedules: {daily-maintenance: {input: {logRotateCommand: rotate-all}}}',
      'schedules.daily-maintenance.input.logRotateCommand names no command in commands (got "rotate-all"; commands: db-dump, db-maintenance, db-restore, log-rotate)',
    ],
    [
      'schedules: {nightly-backup: {input: {retentionDays: 1}}}',
      'schedules.nightly-backup.input.retentionDays 1 is below retention.minDays (7)',
    ],
    [
      'schedules: {monthly-maintenance: {input: {backup: {keepAtLeast: 0}}}}',
      'schedules.monthly-maintenance.input.backup.keepAtLeast 0 is below retention.minKeep (3)',
    ],
    ['taskQueue: a\ntaskQueue: b', 'not YAML: Map keys must be unique'],
  ])('refuses %j, naming the path', (text, problem) => {
    const problems = problemsOf(text);
    expect(
      problems.some((p) => p.startsWith(problem)),
      problems.join('\n'),
    ).toBe(true);
  });

  it('replaces the default commands: a file lists the ones its schedules name, or is refused naming the schedule', () => {
    expect(problemsOf('commands: {log-rotate: [logrotate, -f, /etc/logrotate.conf]}')).toEqual([]);
    expect(problemsOf('commands: {db-dump: [pg_dump]}')).toEqual([
      'schedules.daily-maintenance.input.logRotateCommand names no command in commands (got "log-rotate"; commands: db-dump)',
    ]);
  });

  it('reports every problem at once, and the worker names the file', () => {
    const text = 'taskQueue: "A"\nretention: {minKeep: -1}\nschedules: {daily-maintenance: {input: {parallel: 1}}}';
    expect(problemsOf(text)).toHaveLength(2); // the schema's two; schedules are checked once the schema passes
    const env = { PNO_CONFIG_FILE: '/nonexistent/pno.yaml' };
    expect(() => readWorkerConfig(env)).toThrow(ConfigError);
    try {
      readWorkerConfig(env);
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([
        'PNO_CONFIG_FILE /nonexistent/pno.yaml: cannot read the file (ENOENT)',
      ]);
    }
  });

  it('is what the worker and the schedules run with', async () => {
    const config = readWorkerConfig({ PNO_CONFIG_FILE: shipped.pathname });
    expect(config.product.commands['log-rotate']).toEqual(['logrotate', '-f', '/etc/logrotate.conf']);
    expect(readWorkerConfig({}).product).toEqual(defaultProductConfig());
    expect(await readFile(shipped, 'utf8')).toContain(
      'db-restore: [psql, -v, ON_ERROR_STOP=1, --single-transaction, --file]',
    );
  });
});
