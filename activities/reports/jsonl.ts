// Appends one line to a JSON Lines object. S3 has no append, so this reads the object, adds the line
// and writes it back only if nobody wrote in between (If-Match on the ETag read, If-None-Match: * for
// a new object). Each line starts with its id, and a line whose id is already there is not added
// again: a retried activity, or a workflow replayed from a reset, leaves exactly one line.
import { GetObjectCommand, PutObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../types/index.ts';
import { classifyS3Error } from '../storage/errors.ts';

export interface AppendResult {
  key: string;
  appended: boolean;
  /** Lines in the object after this call. */
  lines: number;
}

/** Bounds that keep a read-modify-write of one day's history cheap. */
export const MAX_LINE_BYTES = 16 * 1024;
export const MAX_OBJECT_BYTES = 32 * 1024 * 1024;
/** Lost races re-read and try again this many times before the activity's own retry takes over. */
const ATTEMPTS = 5;

export function jsonLine(id: string, record: Record<string, unknown>): string {
  const { id: _ignored, ...rest } = record;
  return JSON.stringify({ id, ...rest });
}

/** How a line with this id begins: the id is always the first member. */
export function linePrefix(id: string): string {
  return `{"id":${JSON.stringify(id)},`;
}

export async function appendJsonLine(
  s3: S3Client,
  bucket: string,
  key: string,
  id: string,
  record: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<AppendResult> {
  const line = jsonLine(id, record);
  if (Buffer.byteLength(line) > MAX_LINE_BYTES) {
    throw ApplicationFailure.nonRetryable(`line for ${id} is over ${MAX_LINE_BYTES} bytes`, FailureType.invalidInput);
  }
  for (let attempt = 1; ; attempt++) {
    const current = await readText(s3, bucket, key, signal);
    const lines = current ? current.text.split('\n').filter((l) => l !== '') : [];
    if (lines.some((l) => l.startsWith(linePrefix(id)))) return { key, appended: false, lines: lines.length };
    const body = `${lines.join('\n')}${lines.length > 0 ? '\n' : ''}${line}\n`;
    if (Buffer.byteLength(body) > MAX_OBJECT_BYTES) {
      throw ApplicationFailure.nonRetryable(
        `s3://${bucket}/${key} would grow over ${MAX_OBJECT_BYTES} bytes`,
        FailureType.invalidRequest,
      );
    }
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: 'application/x-ndjson',
          ...(current ? { IfMatch: current.etag } : { IfNoneMatch: '*' }),
        }),
        { abortSignal: signal },
      );
      return { key, appended: true, lines: lines.length + 1 };
    } catch (err) {
      if (!lostRace(err) || attempt >= ATTEMPTS) throw classify(err, `append to s3://${bucket}/${key}`);
    }
  }
}

async function readText(s3: S3Client, bucket: string, key: string, signal?: AbortSignal) {
  try {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    return { text: (await got.Body?.transformToString('utf8')) ?? '', etag: got.ETag ?? '' };
  } catch (err) {
    if (err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.$metadata.httpStatusCode === 404))
      return undefined;
    throw classifyS3Error(err, `read s3://${bucket}/${key}`);
  }
}

/** Someone wrote between our read and our write: 412 from If-Match/If-None-Match, 409 from a concurrent conditional write. */
function lostRace(err: unknown): boolean {
  return (
    err instanceof S3ServiceException && (err.$metadata.httpStatusCode === 412 || err.$metadata.httpStatusCode === 409)
  );
}

function classify(err: unknown, where: string): unknown {
  // Races lost again and again are still races: retryable, never a permanent failure.
  if (lostRace(err)) return new Error(`${where}: lost ${ATTEMPTS} write races in a row`);
  return classifyS3Error(err, where);
}
