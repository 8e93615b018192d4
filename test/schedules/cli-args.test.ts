// The schedules CLI's argument parsing: typed commands, and usage errors that name the argument.
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../schedules/cli-args.ts';

const usageError = (argv: string[]) => {
  try {
    parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
};

describe('parseArgs', () => {
  it('reads each command', () => {
    expect(parseArgs([])).toEqual({ name: 'help' });
    expect(parseArgs(['sync'])).toEqual({ name: 'sync' });
    expect(parseArgs(['list'])).toEqual({ name: 'list' });
    expect(parseArgs(['pause', 'daily-maintenance', '--note', 'change freeze'])).toEqual({
      name: 'pause',
      schedule: 'daily-maintenance',
      note: 'change freeze',
    });
    expect(parseArgs(['unpause', 'pno-daily-maintenance'])).toEqual({
      name: 'unpause',
      schedule: 'pno-daily-maintenance',
    });
    expect(parseArgs(['trigger', 'health-monitor', '--overlap=allow-all'])).toEqual({
      name: 'trigger',
      schedule: 'health-monitor',
      overlap: 'ALLOW_ALL',
    });
    expect(
      parseArgs([
        'backfill',
        'monthly-maintenance',
        '--start',
        '2030-01-01T00:00:00Z',
        '--end',
        '2030-03-01T00:00:00+01:00',
      ]),
    ).toEqual({
      name: 'backfill',
      schedule: 'monthly-maintenance',
      start: new Date('2030-01-01T00:00:00Z'),
      end: new Date('2030-02-28T23:00:00Z'),
    });
  });

  it.each([
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['pause'], 'pause: missing <schedule>'],
    [['sync', 'extra'], 'sync: takes no <schedule>'],
    [['trigger', 'a', 'b'], 'trigger: one <schedule> at a time'],
    [
      ['trigger', 'a', '--overlap', 'sometimes'],
      'trigger: --overlap must be one of skip, buffer-one, buffer-all, cancel-other, terminate-other, allow-all',
    ],
    [['trigger', 'a', '--note', 'x'], 'trigger: unknown option --note (options: --overlap)'],
    [['pause', 'a', '--note'], 'pause: --note needs a value'],
    [['backfill', 'a', '--end', '2030-01-02T00:00:00Z'], 'backfill: missing --start'],
    [['backfill', 'a', '--start', '2030-01-02T00:00:00Z'], 'backfill: missing --end'],
    [
      ['backfill', 'a', '--start', '2030-01-02', '--end', '2030-01-03T00:00:00Z'],
      'backfill: --start must be an ISO-8601 time with a zone',
    ],
    [
      ['backfill', 'a', '--start', '2030-01-02T00:00:00Z', '--end', '2030-01-01T00:00:00Z'],
      'backfill: --end must be after --start',
    ],
  ])('%j is a usage error naming the argument', (argv, message) => {
    expect(usageError(argv)).toContain(message);
  });
});
