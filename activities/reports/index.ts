// Reports and history lines in the bucket: `putReport` writes one JSON report per workflow and day;
// `appendJsonLine` adds one line per run to a day's JSON Lines history. Both can run twice with the
// same effect.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { asyncLocalStorage } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../types/index.ts';
import type { StorageDeps } from '../storage/index.ts';
import { s3Call } from '../storage/errors.ts';
import { appendJsonLine, type AppendResult } from './jsonl.ts';
import { reportKey, requirePlainKey, utcDay } from './keys.ts';

export { reportKey, utcDay } from './keys.ts';
export type { AppendResult } from './jsonl.ts';

/** Reports are read by people and dashboards; a bigger one is a bug in the workflow that built it. */
const MAX_REPORT_BYTES = 5 * 1024 * 1024;

function requireStorage(deps: StorageDeps | undefined): StorageDeps {
  if (!deps)
    throw ApplicationFailure.nonRetryable(
      'no S3 storage configured on this worker (S3_BUCKET, S3_ENDPOINT)',
      FailureType.invalidInput,
    );
  return deps;
}

function activityInfo() {
  const info = asyncLocalStorage.getStore()?.info;
  if (!info?.workflowExecution) throw new Error('reports: not running inside a workflow activity');
  return {
    info,
    workflowId: info.workflowExecution.workflowId,
    signal: asyncLocalStorage.getStore()?.cancellationSignal,
  };
}

export function createReportActivities(deps?: StorageDeps) {
  return {
    /**
     * Writes `report` to `reports/<kind>/<yyyy-mm-dd>/<workflowId>.json`. The day is `date` or, by
     * default, the UTC day the activity was first scheduled, so a retry after midnight overwrites.
     */
    async putReport(input: {
      kind: string;
      report: unknown;
      date?: string;
    }): Promise<{ bucket: string; key: string; bytes: number }> {
      const { s3, bucket } = requireStorage(deps);
      const { info, workflowId, signal } = activityInfo();
      const key = reportKey(input.kind, input.date ?? utcDay(new Date(info.scheduledTimestampMs)), workflowId);
      const body = `${JSON.stringify(input.report, null, 2)}\n`;
      const bytes = Buffer.byteLength(body);
      if (bytes > MAX_REPORT_BYTES)
        throw ApplicationFailure.nonRetryable(
          `report for ${key} is ${bytes} bytes, over ${MAX_REPORT_BYTES}`,
          FailureType.invalidInput,
        );
      await s3Call(`put s3://${bucket}/${key}`, () =>
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }), {
          abortSignal: signal,
        }),
      );
      return { bucket, key, bytes };
    },

    /** Adds `record` as one line (led by `id`) to the JSON Lines object `key`, unless a line with that id is there. */
    async appendJsonLine(input: { key: string; id: string; record: Record<string, unknown> }): Promise<AppendResult> {
      const { s3, bucket } = requireStorage(deps);
      if (input.id === '') throw ApplicationFailure.nonRetryable('id: must not be empty', FailureType.invalidInput);
      const signal = asyncLocalStorage.getStore()?.cancellationSignal;
      return appendJsonLine(s3, bucket, requirePlainKey(input.key, '.jsonl'), input.id, input.record, signal);
    },
  };
}
