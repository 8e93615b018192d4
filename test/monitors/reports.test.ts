// putReport and appendJsonLine against the real MinIO: keys from the workflow id and day, and a
// history append that stays one line per id through retries and concurrent writers.
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { beforeEach, describe, expect, it } from 'vitest';
import { createReportActivities } from '../../activities/reports/index.ts';
import { FailureType } from '../../types/index.ts';
import { freshBucket, testS3 } from '../helpers/s3.ts';

let bucket: string;
beforeEach(async () => {
  bucket = await freshBucket('reports');
});

async function text(key: string, s3: S3Client = testS3()): Promise<string> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await got.Body?.transformToString('utf8')) ?? '';
}

const inActivity = (workflowId: string, scheduledAt: string) =>
  new MockActivityEnvironment(
    {
      workflowExecution: { workflowId, runId: 'run-1' },
      scheduledTimestampMs: Date.parse(scheduledAt),
    },
    { logger: new DefaultLogger('ERROR', () => undefined) },
  );

describe('putReport', () => {
  it('writes reports/<kind>/<day>/<workflowId>.json, the day from the first scheduling, and overwrites on retry', async () => {
    const { putReport } = createReportActivities({ s3: testS3(), bucket });
    const env = inActivity('daily/2030-01-05T02:00:00Z', '2030-01-05T23:59:59Z');
    const first: { key: string } = await env.run(putReport, { kind: 'daily', report: { status: 'PASS', attempt: 1 } });
    expect(first.key).toBe('reports/daily/2030-01-05/daily%2F2030-01-05T02:00:00Z.json');
    const second: { key: string } = await env.run(putReport, { kind: 'daily', report: { status: 'PASS', attempt: 2 } });
    expect(second.key).toBe(first.key);
    expect(JSON.parse(await text(first.key))).toEqual({ status: 'PASS', attempt: 2 });
  });

  it('takes an explicit date, and refuses a bad kind or date for good', async () => {
    const { putReport } = createReportActivities({ s3: testS3(), bucket });
    const env = inActivity('wf-1', '2030-01-05T10:00:00Z');
    await expect(env.run(putReport, { kind: 'weekly', report: {}, date: '2030-01-07' })).resolves.toMatchObject({
      key: 'reports/weekly/2030-01-07/wf-1.json',
    });
    for (const bad of [{ kind: '../etc' }, { kind: 'weekly', date: '7 Jan' }]) {
      const err = await env.run(putReport, { report: {}, ...bad }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApplicationFailure);
      expect((err as ApplicationFailure).type).toBe(FailureType.invalidInput);
    }
  });
});

describe('appendJsonLine', () => {
  const key = 'monitoring/health/2030-01-05.jsonl';

  it('creates the day object, appends one line per id, and ignores an id it already has', async () => {
    const { appendJsonLine } = createReportActivities({ s3: testS3(), bucket });
    expect(await appendJsonLine({ key, id: 'run-a', record: { status: 'HEALTHY' } })).toEqual({
      key,
      appended: true,
      lines: 1,
    });
    expect(await appendJsonLine({ key, id: 'run-b', record: { status: 'DEGRADED', id: 'ignored' } })).toEqual({
      key,
      appended: true,
      lines: 2,
    });
    expect(await appendJsonLine({ key, id: 'run-a', record: { status: 'changed on retry' } })).toEqual({
      key,
      appended: false,
      lines: 2,
    });
    const lines = (await text(key)).split('\n');
    expect(lines).toEqual(['{"id":"run-a","status":"HEALTHY"}', '{"id":"run-b","status":"DEGRADED"}', '']);
  });

  it('keeps a line written by another writer between its read and its write', async () => {
    // A client that, just before our first write, lets a competing writer append its own line.
    const real = testS3();
    let raced = false;
    const racing = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return async (command: unknown, options?: unknown) => {
          if (command instanceof PutObjectCommand && !raced) {
            raced = true;
            await real.send(
              new PutObjectCommand({ Bucket: bucket, Key: key, Body: '{"id":"other","by":"competitor"}\n' }),
            );
          }
          return real.send(command as never, options as never);
        };
      },
    });
    const { appendJsonLine } = createReportActivities({ s3: racing, bucket });
    expect(await appendJsonLine({ key, id: 'mine', record: { n: 1 } })).toEqual({ key, appended: true, lines: 2 });
    expect(raced).toBe(true);
    expect(await text(key)).toBe('{"id":"other","by":"competitor"}\n{"id":"mine","n":1}\n');
  });

  it('loses no line when many runs append at once', async () => {
    const { appendJsonLine } = createReportActivities({ s3: testS3(), bucket });
    const ids = Array.from({ length: 6 }, (_, i) => `run-${i}`);
    await Promise.all(ids.map((id) => appendJsonLine({ key, id, record: { ok: true } })));
    const seen = (await text(key))
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { id: string }).id);
    expect(seen.sort()).toEqual(ids);
  });

  it('refuses a key that is not a plain .jsonl path', async () => {
    const { appendJsonLine } = createReportActivities({ s3: testS3(), bucket });
    for (const bad of ['../x.jsonl', 'monitoring//x.jsonl', 'monitoring/health/x.json']) {
      const err = await appendJsonLine({ key: bad, id: 'a', record: {} }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApplicationFailure);
      expect((err as ApplicationFailure).message).toContain('key: must be a path of plain segments');
    }
  });
});
