// Models fetched from S3 (the real local MinIO): streamed to a temp file, checked, and deleted.
import { readdir, mkdtemp, readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createModelActivities } from '../../activities/model/index.ts';
import { freshBucket, testS3 } from '../helpers/s3.ts';
import { closedPort } from '../helpers/net.ts';
import { goodModel, validationSet } from './fixtures.ts';

async function uploadedModel() {
  const bucket = await freshBucket('model');
  await testS3().send(
    new PutObjectCommand({ Bucket: bucket, Key: 'models/pno.onnx', Body: await readFile(goodModel) }),
  );
  return bucket;
}

describe('s3 model source', () => {
  it('checks integrity of the downloaded object and deletes the temp copy', async () => {
    const bucket = await uploadedModel();
    const tempDir = await mkdtemp(join(tmpdir(), 'pno-model-test-'));
    const { checkModelIntegrity } = createModelActivities({ s3: testS3(), tempDir });
    const facts = await checkModelIntegrity({ source: { kind: 's3', bucket, key: 'models/pno.onnx' } });
    expect(facts.model).toBe(`s3://${bucket}/models/pno.onnx`);
    expect(facts.sha256).toBe(
      createHash('sha256')
        .update(await readFile(goodModel))
        .digest('hex'),
    );
    expect(facts.nonFinite).toEqual([]);
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('runs inference on the downloaded object', async () => {
    const bucket = await uploadedModel();
    const { runModelInference } = createModelActivities({ s3: testS3(), defaultValidationSetPath: validationSet });
    const facts = await runModelInference({
      source: { kind: 's3', bucket, key: 'models/pno.onnx' },
      validationSetPath: '',
      samples: 10,
      meanOutput: 'mean',
      logVarianceOutput: 'log_variance',
    });
    expect(facts).toMatchObject({ model: `s3://${bucket}/models/pno.onnx`, samples: 10, nonFiniteOutputs: {} });
  });

  it('reports a missing object as an integrity fact', async () => {
    const bucket = await freshBucket('model');
    const { checkModelIntegrity } = createModelActivities({ s3: testS3() });
    const facts = await checkModelIntegrity({ source: { kind: 's3', bucket, key: 'nope.onnx' } });
    expect(facts).toEqual({
      model: `s3://${bucket}/nope.onnx`,
      readError: `s3://${bucket}/nope.onnx: NoSuchKey (HTTP 404)`,
    });
  });

  it('leaves an unreachable S3 retryable and cleans up', async () => {
    const tempDir = await mkdtemp(join(tmpdir(), 'pno-model-test-'));
    const s3 = new S3Client({
      endpoint: `http://127.0.0.1:${await closedPort()}`,
      region: 'us-east-1',
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const { checkModelIntegrity } = createModelActivities({ s3, tempDir });
    const error = await checkModelIntegrity({ source: { kind: 's3', bucket: 'models', key: 'pno.onnx' } }).catch(
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ApplicationFailure);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    expect(await readdir(tempDir)).toEqual([]);
  });
});
