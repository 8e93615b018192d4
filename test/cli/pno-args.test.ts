// `pno`'s command line, parsed before anything connects: each command's arguments, readable run ids,
// and every usage mistake named by its argument.
import { describe, expect, it } from 'vitest';
import { parseCommand, UsageError } from '../../cli/pno-args.ts';
import { readableRunId } from '../../cli/run-ids.ts';

describe('pno arguments', () => {
  it('reads each command', () => {
    expect(parseCommand(['backup', 'list', '-o', 'json'])).toEqual({ name: 'backup list', format: 'json' });
    expect(parseCommand(['backup', 'describe', 'latest'])).toEqual({
      name: 'backup describe',
      backup: 'latest',
      format: 'text',
    });
    expect(parseCommand(['backup', 'create', '--namespace', 'staging', '--wait'])).toEqual({
      name: 'backup create',
      namespace: 'staging',
      wait: true,
      format: 'text',
    });
    expect(parseCommand(['restore', 'create', '--from', 'latest', '--to', 'production'])).toEqual({
      name: 'restore create',
      from: 'latest',
      to: 'production',
      wait: false,
      format: 'text',
    });
    expect(parseCommand(['restore', 'approve', 'restore-production-20261201T020000Z', '--by', 'oncall'])).toEqual({
      name: 'decide',
      workflowId: 'restore-production-20261201T020000Z',
      approve: true,
      by: 'oncall',
      format: 'text',
    });
    expect(parseCommand(['reject', 'pno-security-update-manual', '--by', 'cab', '--reason', 'freeze'])).toMatchObject({
      name: 'decide',
      approve: false,
      reason: 'freeze',
    });
    expect(parseCommand(['watch', 'backup-x', '-o', 'json'])).toEqual({
      name: 'watch',
      workflowId: 'backup-x',
      format: 'json',
    });
    expect(parseCommand(['schedules', 'trigger', 'nightly-backup'])).toEqual({
      name: 'schedules',
      args: ['trigger', 'nightly-backup'],
    });
  });

  it.each([
    [['backup', 'list', '-o', 'yaml'], '-o: must be json (got "yaml")'],
    [['backup', 'create', '--namespace', 'Prod'], '--namespace: must be a Kubernetes namespace name (got "Prod")'],
    [['restore', 'create', '--to', 'production'], '--from: name the backup'],
    [['restore', 'create', '--from', 'latest'], '--to: name the namespace to restore into'],
    [['restore', 'approve', '--by', 'me'], '<workflow id>: missing'],
    [['approve', 'run-1'], '--by: name who decides'],
    [['approvals', 'extra'], 'unexpected argument "extra"'],
    [['watch'], '<workflow id>: missing'],
    [['backup', 'describe'], 'latest|<key>: missing'],
    [['report', 'get', 'Daily'], '<kind>: must be a report kind like routine-daily (got "Daily")'],
    [['report', 'get', 'routine-daily', '--date', 'yesterday'], '--date: must be yyyy-mm-dd (got "yesterday")'],
    [['backup', 'list', '--colour'], "Unknown option '--colour'"],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(() => parseCommand(argv)).toThrow(message);
  });

  it('names runs by what, where and when', () => {
    expect(readableRunId('backup', 'production', new Date('2026-12-01T02:00:00.123Z'))).toBe(
      'backup-production-20261201T020000Z',
    );
  });
});
