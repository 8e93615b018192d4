// Turns a ModelSource into a local file the checks can read, and cleans up after.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import type { KubeClients } from '../kubernetes/clients.ts';
import { copyFromPod } from '../kubernetes/copy.ts';
import { pickReadyPod } from '../kubernetes/status.ts';
import { FailureType, type ModelSource } from '../../types/index.ts';
import { modelFailure } from './failures.ts';
import { downloadObject } from './s3-download.ts';

export interface ModelDeps {
  /** The model a `file` source with an empty path means (the worker's PNO_MODEL_PATH). */
  defaultModelPath?: string;
  /** The validation set used when a workflow leaves its path empty (PNO_VALIDATION_SET_PATH). */
  defaultValidationSetPath?: string;
  /** Client for `s3` sources; without one they fail for good. */
  s3?: S3Client;
  /** Cluster access for `pod` sources (copy out of a running pod); without it they fail for good. */
  kube?: KubeClients;
  /** Where downloaded models are staged; the OS temp dir by default. */
  tempDir?: string;
}

export interface LocalModel {
  path: string;
  /** The source, described for reports: `file:/models/pno.onnx`, `s3://bucket/key`. */
  model: string;
  /** Deletes anything staged for this check. */
  release(): Promise<void>;
}

export function describeSource(source: ModelSource, deps: ModelDeps): string {
  switch (source.kind) {
    case 'file':
      return `file:${source.path || deps.defaultModelPath || '(no path)'}`;
    case 's3':
      return `s3://${source.bucket}/${source.key}`;
    case 'pod':
      return `pod:${source.namespace}/${source.selector}${source.container ? `/${source.container}` : ''}:${source.path}`;
  }
}

export async function fetchModel(source: ModelSource, deps: ModelDeps): Promise<LocalModel> {
  const model = describeSource(source, deps);
  switch (source.kind) {
    case 'file': {
      const path = source.path || deps.defaultModelPath;
      if (!path) {
        throw modelFailure(
          FailureType.invalidInput,
          'no model path: pass source.path in the input or set PNO_MODEL_PATH on the worker',
        );
      }
      return { path, model, release: async () => {} };
    }
    case 's3': {
      if (!deps.s3)
        throw modelFailure(FailureType.unsupportedSource, `${model}: this worker has no S3 client configured`);
      const dir = await mkdtemp(join(deps.tempDir ?? tmpdir(), 'pno-model-'));
      const release = () => rm(dir, { recursive: true, force: true });
      try {
        const path = join(dir, 'model.onnx');
        await downloadObject(deps.s3, source.bucket, source.key, path);
        return { path, model, release };
      } catch (err) {
        await release();
        throw err;
      }
    }
    case 'pod': {
      if (!deps.kube)
        throw modelFailure(FailureType.unsupportedSource, `${model}: this worker has no Kubernetes access configured`);
      const dir = await mkdtemp(join(deps.tempDir ?? tmpdir(), 'pno-model-'));
      const release = () => rm(dir, { recursive: true, force: true });
      try {
        const pod = await pickReadyPod(deps.kube, source.namespace, source.selector);
        // The model is checked as the pod serves it: copied out of the running container, as `kubectl cp`.
        const target = { namespace: source.namespace, pod, container: source.container ?? '' };
        await copyFromPod(deps.kube, target, dirname(source.path), dir, { only: basename(source.path) });
        return { path: join(dir, basename(source.path)), model: `${model} (${pod})`, release };
      } catch (err) {
        await release();
        throw err;
      }
    }
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    await pipeline(createReadStream(path), hash);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      throw modelFailure(FailureType.modelUnavailable, `cannot read model ${path} (${code})`);
    }
    throw err;
  }
  return hash.digest('hex');
}
