// What each schedules CLI command does, given a client. Kept apart from argument parsing and process
// wiring so tests run it against the dev server.
import {
  ScheduleNotFoundError,
  type Client,
  type ScheduleHandle,
  type ScheduleOverlapPolicy,
} from '@temporalio/client';
import { usage, type Command } from './cli-args.ts';
import type { ScheduleDefinition } from './definitions.ts';
import { syncSchedules, type SyncOptions } from './sync.ts';

export interface CommandContext {
  client: Client;
  definitions: ScheduleDefinition[];
  prefix: string;
  syncOptions?: SyncOptions;
  /** Registers the search attributes the schedules set (the CLI passes the worker's ensureSearchAttributes). */
  registerSearchAttributes?: () => Promise<string[]>;
  out: (line: string) => void;
}

/** A command that could not be carried out (e.g. an unknown schedule); the CLI exits 1 with its message. */
export class CommandError extends Error {
  override name = 'CommandError';
}

const policyName = (policy: ScheduleOverlapPolicy | undefined) => (policy ?? 'SKIP').toLowerCase().replace(/_/g, '-');

export async function runCommand(command: Command, ctx: CommandContext): Promise<void> {
  const { client, out } = ctx;
  switch (command.name) {
    case 'help':
      out(usage);
      return;
    case 'sync': {
      // The schedules set these search attributes on every run; the namespace must know them first.
      const added = await (ctx.registerSearchAttributes?.() ?? Promise.resolve([])).catch((err: unknown) => {
        out(
          `warning: could not register search attributes (${String(err)}); add PnoRoutine and PnoTargetNamespace by hand`,
        );
        return [];
      });
      if (added.length > 0) out(`registered search attributes: ${added.join(', ')}`);
      const result = await syncSchedules(client, ctx.definitions, ctx.prefix, ctx.syncOptions);
      for (const [what, ids] of Object.entries(result)) out(`${what}: ${ids.length === 0 ? '-' : ids.join(', ')}`);
      return;
    }
    case 'list': {
      const lines: string[] = [];
      for await (const summary of client.schedule.list()) {
        if (!summary.scheduleId.startsWith(ctx.prefix)) continue;
        const workflowType = summary.action?.type === 'startWorkflow' ? summary.action.workflowType : '?';
        const next = summary.info.nextActionTimes[0]?.toISOString() ?? '-';
        const last = summary.info.recentActions.at(-1);
        const lastRun = last ? `${last.takenAt.toISOString()} (${last.action.workflow.workflowId})` : '-';
        lines.push(
          `${summary.scheduleId}  ${summary.state.paused ? 'paused' : 'active'}  ${workflowType}  next ${next}  last ${lastRun}${summary.state.note ? `  — ${summary.state.note}` : ''}`,
        );
      }
      for (const line of lines.sort()) out(line);
      if (lines.length === 0) out(`no schedules with prefix ${ctx.prefix}; run "sync" to create them`);
      return;
    }
    case 'pause':
    case 'unpause': {
      const handle = await existing(ctx, command.schedule);
      const note = command.note ?? `${command.name}d with the schedules CLI`;
      await (command.name === 'pause' ? handle.pause(note) : handle.unpause(note));
      out(`${handle.scheduleId}: ${command.name}d (${note})`);
      return;
    }
    case 'trigger': {
      const handle = await existing(ctx, command.schedule);
      // The schedule's own policy unless told otherwise: a manual start must not run a routine twice at once.
      const overlap = command.overlap ?? (await handle.describe()).policies.overlap;
      await handle.trigger(overlap);
      out(`${handle.scheduleId}: triggered (overlap ${policyName(overlap)})`);
      return;
    }
    case 'backfill': {
      const handle = await existing(ctx, command.schedule);
      const overlap = command.overlap ?? (await handle.describe()).policies.overlap;
      await handle.backfill({ start: command.start, end: command.end, overlap });
      out(
        `${handle.scheduleId}: backfilling ${command.start.toISOString()} .. ${command.end.toISOString()} (overlap ${policyName(overlap)})`,
      );
      return;
    }
  }
}

/** The schedule by id or by its name without the prefix; an unknown one is an error naming what exists. */
async function existing(ctx: CommandContext, schedule: string): Promise<ScheduleHandle> {
  const id = schedule.startsWith(ctx.prefix) ? schedule : `${ctx.prefix}${schedule}`;
  const handle = ctx.client.schedule.getHandle(id);
  try {
    await handle.describe();
    return handle;
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
    const known = ctx.definitions.map((d) => d.id.slice(ctx.prefix.length)).join(', ');
    throw new CommandError(`schedule ${id} not found (the product's schedules: ${known}; run "sync" to create them)`);
  }
}
