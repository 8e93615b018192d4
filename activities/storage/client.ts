import { S3Client } from '@aws-sdk/client-s3';

export interface S3ClientSettings {
  /** Custom endpoint for S3-compatible stores (MinIO); unset means AWS. */
  endpoint?: string;
  region: string;
  /** Explicit credentials; unset means the AWS default chain (env, profile, IRSA, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export function createS3Client(settings: S3ClientSettings): S3Client {
  return new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
  });
}
