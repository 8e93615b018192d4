// Parses the schedules CLI's arguments into a typed command. Every mistake is a UsageError whose
// message names the argument and what it should be.
import { ScheduleOverlapPolicy } from '@temporalio/client';

export type Command =
  | { name: 'help' }
  | { name: 'sync' }
  | { name: 'list' }
  | { name: 'pause' | 'unpause'; schedule: string; note?: string }
  | { name: 'trigger'; schedule: string; overlap?: ScheduleOverlapPolicy }
  | { name: 'backfill'; schedule: string; start: Date; end: Date; overlap?: ScheduleOverlapPolicy };

export class UsageError extends Error {
  override name = 'UsageError';
}

export const usage = `usage: npm run schedules -- <command> [arguments]

  sync                                   make the server's schedules match schedules/definitions.ts
  list                                   the product's schedules: state, next and last runs
  pause <schedule> [--note <text>]       stop starting runs (running ones go on)
  unpause <schedule> [--note <text>]
  trigger <schedule> [--overlap <policy>]
                                         start a run now; the policy defaults to the schedule's own
  backfill <schedule> --start <time> --end <time> [--overlap <policy>]
                                         take the runs the schedule would have taken in that period

  <schedule>  an id (pno-daily-maintenance) or its name without the prefix (daily-maintenance)
  <time>      ISO-8601 with a zone, e.g. 2030-01-05T00:00:00Z
  <policy>    skip, buffer-one, buffer-all, cancel-other, terminate-other, allow-all

The server comes from TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE (and TLS settings), as for the worker.`;

const flagsOf: Record<Command['name'], string[]> = {
  help: [],
  sync: [],
  list: [],
  pause: ['note'],
  unpause: ['note'],
  trigger: ['overlap'],
  backfill: ['start', 'end', 'overlap'],
};

const policies = Object.fromEntries(
  Object.values(ScheduleOverlapPolicy)
    .filter((p): p is Exclude<ScheduleOverlapPolicy, undefined> => p !== undefined)
    .map((p) => [p.toLowerCase().replace(/_/g, '-'), p]),
) as Record<string, ScheduleOverlapPolicy>;

export function parseArgs(argv: string[]): Command {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') return { name: 'help' };
  if (!(name in flagsOf))
    throw new UsageError(
      `unknown command ${JSON.stringify(name)}: expected one of ${Object.keys(flagsOf)
        .filter((c) => c !== 'help')
        .join(', ')}`,
    );
  const command = name as Command['name'];
  const { positional, flags } = split(command, rest);

  const needsSchedule = command !== 'sync' && command !== 'list';
  if (!needsSchedule && positional.length > 0)
    throw new UsageError(`${command}: takes no <schedule> (got ${JSON.stringify(positional[0])})`);
  if (needsSchedule && positional.length === 0)
    throw new UsageError(`${command}: missing <schedule>, e.g. daily-maintenance`);
  if (positional.length > 1)
    throw new UsageError(`${command}: one <schedule> at a time (got ${positional.join(', ')})`);
  const schedule = positional[0] ?? '';

  switch (command) {
    case 'sync':
    case 'list':
      return { name: command };
    case 'pause':
    case 'unpause':
      return { name: command, schedule, ...(flags.note !== undefined ? { note: flags.note } : {}) };
    case 'trigger':
      return { name: command, schedule, ...overlapOf(command, flags) };
    case 'backfill': {
      const start = timeOf(command, 'start', flags.start);
      const end = timeOf(command, 'end', flags.end);
      if (end <= start)
        throw new UsageError(`backfill: --end must be after --start (got ${flags.start} .. ${flags.end})`);
      return { name: command, schedule, start, end, ...overlapOf(command, flags) };
    }
    default:
      return { name: 'help' };
  }
}

function split(command: Command['name'], args: string[]) {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [flag = '', inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (!flagsOf[command].includes(flag)) {
      const allowed = flagsOf[command].map((f) => `--${f}`).join(', ') || 'none';
      throw new UsageError(`${command}: unknown option --${flag} (options: ${allowed})`);
    }
    const value = inline ?? args[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--')))
      throw new UsageError(`${command}: --${flag} needs a value`);
    flags[flag] = value;
  }
  return { positional, flags };
}

function timeOf(command: string, flag: string, value: string | undefined): Date {
  const example = 'an ISO-8601 time with a zone, e.g. 2030-01-05T00:00:00Z';
  if (value === undefined) throw new UsageError(`${command}: missing --${flag} (${example})`);
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(value);
  const time = new Date(value);
  if (!hasZone || Number.isNaN(time.getTime()))
    throw new UsageError(`${command}: --${flag} must be ${example} (got ${JSON.stringify(value)})`);
  return time;
}

function overlapOf(command: string, flags: Record<string, string>): { overlap?: ScheduleOverlapPolicy } {
  if (flags.overlap === undefined) return {};
  const policy = policies[flags.overlap.toLowerCase()];
  if (!policy)
    throw new UsageError(
      `${command}: --overlap must be one of ${Object.keys(policies).join(', ')} (got ${JSON.stringify(flags.overlap)})`,
    );
  return { overlap: policy };
}
