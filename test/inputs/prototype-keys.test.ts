// Every registered workflow, started on the real dev server with a prototype member's name as a key,
// fails at once as invalid input: in its first workflow task, without a retried task, and with no
// activity registered to reach.
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { FailureType } from '../../types/index.ts';
import * as registered from '../../workflows/index.ts';
import { historyEvents, withWorker } from '../helpers/temporal.ts';

// Raw JSON, as the temporal CLI sends it: a JS literal `{ __proto__: … }` would set the prototype instead of a key.
const inputs = ['{"constructor":1}', '{"toString":1}', '{"__proto__":{"x":1}}'];
const workflowTypes = Object.keys(registered);

describe('prototype names as input keys', () => {
  it(
    'fail every workflow type in its first task as a non-retryable InvalidInput naming the key',
    { timeout: 120_000 },
    async () => {
      const runs = workflowTypes.flatMap((type) =>
        inputs.map((json) => ({ type, json, field: Object.keys(JSON.parse(json) as object)[0]! })),
      );
      expect(runs).toHaveLength(workflowTypes.length * 3);

      const outcomes = await withWorker({}, ({ client, taskQueue }) =>
        Promise.all(
          runs.map(async (run) => {
            const workflowId = `prototype-key-${run.type}-${run.field}-${randomUUID()}`;
            const input: unknown = JSON.parse(run.json);
            const error = await client.workflow
              .execute(run.type, { taskQueue, workflowId, args: [input], workflowExecutionTimeout: '1 minute' })
              .then(
                () => undefined,
                (err: unknown) => err,
              );
            return { ...run, error, events: (await historyEvents(client, workflowId)).map((e) => e.typeName) };
          }),
        ),
      );

      for (const { type, field, error, events } of outcomes) {
        const label = `${type} ${field}`;
        expect(error, label).toBeInstanceOf(WorkflowFailedError);
        const cause = (error as WorkflowFailedError).cause;
        expect(cause, label).toBeInstanceOf(ApplicationFailure);
        const failure = cause as ApplicationFailure;
        expect(failure.type, label).toBe(FailureType.invalidInput);
        expect(failure.nonRetryable, label).toBe(true);
        expect(failure.details, label).toEqual([{ field }]);
        expect(failure.message, label).toMatch(
          new RegExp(`^invalid input: ${field} is not a field of ${type}'s input \\(got `),
        );
        expect(events, label).not.toContain('EVENT_TYPE_WORKFLOW_TASK_FAILED');
        expect(
          events.filter((e) => e === 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED'),
          label,
        ).toHaveLength(1);
        expect(events, label).not.toContain('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED');
        expect(events.at(-1), label).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_FAILED');
      }
    },
  );
});
