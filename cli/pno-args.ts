// Parses `pno`'s arguments into a typed command. Every mistake is a UsageError naming the argument
// (the process exits 2); nothing connects before the whole command line is understood.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { OutputFormat } from './context.ts';

export const usage = `usage: pno <command> [arguments] [-o json]

  backup list [--prefix <prefix>]        the backups in the bucket: size, age, key id, format, verification
  backup create [--namespace <ns>] [--wait]
                                         start a backup as backup-<ns>-<UTC time> (the service's namespace)
  backup describe latest|<key>           one backup: size, age, key id, format, and what its run reported
  backup verify latest|<key> [--key-file <file>…]
                                         read the object back here and check every entry (writes nothing)
  backup download latest|<key> [--out <file>] [--pieces <dir>]
                                         the sealed object as stored; --pieces: every piece object too
  backup decrypt <object> --key-file <file> [--key-file <file>…] [--pieces <dir>] [-o <out>]
                                         what a backup object seals (stdout without -o): a .tar.gz (v1),
                                         a .tar.zst of the small files (v2), or with --pieces a .tar of
                                         every file; each --key-file holds a base64 key, a retired one too
  restore create --from latest|<key> --to <ns> [--wait]
                                         start a disaster recovery as restore-<ns>-<UTC time>
  restore approve|reject <workflow id> --by <name> [--reason <text>]
  approve|reject <workflow id> --by <name> [--reason <text>]
                                         decide a run waiting for approval (a restore, a security update)
  drill run [--wait]                     start a restore drill as drill-<ns>-<UTC time>
  report get <kind> [--date <yyyy-mm-dd>]
                                         the newest stored report of a kind (routine-daily, security, …)
  approvals                              every run waiting for a decision, its age and what it would change
  watch <workflow id>                    follow a run's progress until it ends (exit 1 when it failed)
  schedules <command> …                  the schedules commands (pno schedules help)

  -o json   print one JSON document instead of text (not for decrypt, where -o names the file)

Connects like the worker: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE (and TLS or API key), S3_ENDPOINT,
S3_BUCKET, PNO_CONFIG_FILE, PNO_PAYLOAD_KEY_FILE.`;

export class UsageError extends Error {
  override name = 'UsageError';
}

type Output = { format: OutputFormat };
export type Command =
  | { name: 'help' }
  | { name: 'schedules'; args: string[] }
  | { name: 'backup decrypt'; object: string; keyFiles: string[]; out?: string; pieces?: string }
  | ({ name: 'backup list'; prefix?: string } & Output)
  | ({ name: 'backup create'; namespace?: string; wait: boolean } & Output)
  | ({ name: 'backup describe'; backup: string } & Output)
  | ({ name: 'backup verify'; backup: string; keyFiles: string[] } & Output)
  | ({ name: 'backup download'; backup: string; out?: string; pieces?: string } & Output)
  | ({ name: 'drill run'; wait: boolean } & Output)
  | ({ name: 'report get'; kind: string; date?: string } & Output)
  | ({ name: 'restore create'; from: string; to: string; wait: boolean } & Output)
  | ({ name: 'decide'; workflowId: string; approve: boolean; by: string; reason?: string } & Output)
  | ({ name: 'approvals' } & Output)
  | ({ name: 'watch'; workflowId: string } & Output);

type Options = NonNullable<ParseArgsConfig['options']>;
const output: Options = { output: { type: 'string', short: 'o' } };

function parse(args: string[], options: Options) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function formatOf(values: Record<string, unknown>): OutputFormat {
  const o = values.output;
  if (o === undefined) return 'text';
  if (o === 'json') return 'json';
  throw new UsageError(`-o: must be json (got ${JSON.stringify(o)})`);
}

function onePositional(positionals: string[], what: string): string {
  const [value, ...extra] = positionals;
  if (!value) throw new UsageError(`${what}: missing`);
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  return value;
}

function noPositionals(positionals: string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
}

function required(values: Record<string, unknown>, flag: string, what: string): string {
  const value = values[flag];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${flag}: ${what}`);
  return value;
}

const kubeName = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
function namespaceFlag(values: Record<string, unknown>, flag: string): string | undefined {
  const value = values[flag];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !kubeName.test(value))
    throw new UsageError(`--${flag}: must be a Kubernetes namespace name (got ${JSON.stringify(value)})`);
  return value;
}

function decision(args: string[], approve: boolean): Command {
  const { values, positionals } = parse(args, { ...output, by: { type: 'string' }, reason: { type: 'string' } });
  const workflowId = onePositional(positionals, '<workflow id>');
  const by = required(values, 'by', 'name who decides (recorded in the run)');
  const reason = typeof values.reason === 'string' ? values.reason : undefined;
  return { name: 'decide', workflowId, approve, by, ...(reason ? { reason } : {}), format: formatOf(values) };
}

function backupCommand(verb: string | undefined, args: string[]): Command {
  switch (verb) {
    case 'list': {
      const { values, positionals } = parse(args, { ...output, prefix: { type: 'string' } });
      noPositionals(positionals);
      const prefix = typeof values.prefix === 'string' ? values.prefix : undefined;
      return { name: 'backup list', ...(prefix ? { prefix } : {}), format: formatOf(values) };
    }
    case 'create': {
      const { values, positionals } = parse(args, {
        ...output,
        namespace: { type: 'string' },
        wait: { type: 'boolean' },
      });
      noPositionals(positionals);
      const namespace = namespaceFlag(values, 'namespace');
      return {
        name: 'backup create',
        ...(namespace ? { namespace } : {}),
        wait: values.wait === true,
        format: formatOf(values),
      };
    }
    case 'describe': {
      const { values, positionals } = parse(args, output);
      return { name: 'backup describe', backup: onePositional(positionals, 'latest|<key>'), format: formatOf(values) };
    }
    case 'verify': {
      const { values, positionals } = parse(args, { ...output, 'key-file': { type: 'string', multiple: true } });
      const backup = onePositional(positionals, 'latest|<key>');
      return {
        name: 'backup verify',
        backup,
        keyFiles: (values['key-file'] as string[] | undefined) ?? [],
        format: formatOf(values),
      };
    }
    case 'download': {
      const { values, positionals } = parse(args, { ...output, out: { type: 'string' }, pieces: { type: 'string' } });
      const backup = onePositional(positionals, 'latest|<key>');
      const out = typeof values.out === 'string' ? values.out : undefined;
      const pieces = typeof values.pieces === 'string' ? values.pieces : undefined;
      return {
        name: 'backup download',
        backup,
        ...(out ? { out } : {}),
        ...(pieces ? { pieces } : {}),
        format: formatOf(values),
      };
    }
    case 'decrypt': {
      const { values, positionals } = parse(args, {
        'key-file': { type: 'string', multiple: true },
        out: { type: 'string', short: 'o' },
        pieces: { type: 'string' },
      });
      const [object, ...extra] = positionals;
      if (!object) throw new UsageError('<object>: name the backup object file to decrypt');
      if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
      const keyFiles = (values['key-file'] as string[] | undefined) ?? [];
      if (keyFiles.length === 0) throw new UsageError('--key-file: name the file holding the backup key');
      const out = typeof values.out === 'string' ? values.out : undefined;
      const pieces = typeof values.pieces === 'string' ? values.pieces : undefined;
      return { name: 'backup decrypt', object, keyFiles, ...(out ? { out } : {}), ...(pieces ? { pieces } : {}) };
    }
    default:
      throw new UsageError(
        `unknown backup command ${JSON.stringify(verb ?? '')} (try: list, create, describe, verify, download, decrypt)`,
      );
  }
}

function restoreCommand(verb: string | undefined, args: string[]): Command {
  switch (verb) {
    case 'create': {
      const { values, positionals } = parse(args, {
        ...output,
        from: { type: 'string' },
        to: { type: 'string' },
        wait: { type: 'boolean' },
      });
      noPositionals(positionals);
      const from = required(values, 'from', 'name the backup: latest, or its key (pno backup list)');
      const to = namespaceFlag(values, 'to');
      if (!to) throw new UsageError('--to: name the namespace to restore into');
      return { name: 'restore create', from, to, wait: values.wait === true, format: formatOf(values) };
    }
    case 'approve':
    case 'reject':
      return decision(args, verb === 'approve');
    default:
      throw new UsageError(`unknown restore command ${JSON.stringify(verb ?? '')} (try: create, approve, reject)`);
  }
}

export function parseCommand(argv: string[]): Command {
  const [group, ...rest] = argv;
  if (group === undefined || group === 'help' || group === '--help' || group === '-h') return { name: 'help' };
  switch (group) {
    case 'backup':
      return backupCommand(rest[0], rest.slice(1));
    case 'restore':
      return restoreCommand(rest[0], rest.slice(1));
    case 'approve':
    case 'reject':
      return decision(rest, group === 'approve');
    case 'approvals': {
      const { values, positionals } = parse(rest, output);
      noPositionals(positionals);
      return { name: 'approvals', format: formatOf(values) };
    }
    case 'watch': {
      const { values, positionals } = parse(rest, output);
      return { name: 'watch', workflowId: onePositional(positionals, '<workflow id>'), format: formatOf(values) };
    }
    case 'drill': {
      if (rest[0] !== 'run') throw new UsageError(`unknown drill command ${JSON.stringify(rest[0] ?? '')} (try: run)`);
      const { values, positionals } = parse(rest.slice(1), { ...output, wait: { type: 'boolean' } });
      noPositionals(positionals);
      return { name: 'drill run', wait: values.wait === true, format: formatOf(values) };
    }
    case 'report': {
      if (rest[0] !== 'get') throw new UsageError(`unknown report command ${JSON.stringify(rest[0] ?? '')} (try: get)`);
      const { values, positionals } = parse(rest.slice(1), { ...output, date: { type: 'string' } });
      const kind = onePositional(positionals, '<kind>');
      if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(kind))
        throw new UsageError(`<kind>: must be a report kind like routine-daily (got ${JSON.stringify(kind)})`);
      const date = typeof values.date === 'string' ? values.date : undefined;
      if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date))
        throw new UsageError(`--date: must be yyyy-mm-dd (got ${JSON.stringify(date)})`);
      return { name: 'report get', kind, ...(date ? { date } : {}), format: formatOf(values) };
    }
    case 'schedules':
      return { name: 'schedules', args: rest };
    default:
      throw new UsageError(
        `unknown command ${JSON.stringify(group)} (try: backup, restore, approve, reject, approvals, watch, drill, report, schedules)`,
      );
  }
}
