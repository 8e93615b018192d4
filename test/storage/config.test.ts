// The worker's storage settings: defaults, and bad values named by their variable.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, readWorkerConfig } from '../../workers/config.ts';

describe('worker storage configuration', () => {
  it('defaults to bucket pno-backups on AWS, with no backup key', () => {
    const config = readWorkerConfig({});
    expect(config.s3).toEqual({ region: 'us-east-1', bucket: 'pno-backups' });
    expect(config.backupKey).toBeUndefined();
  });

  it('reads endpoint, region, bucket and the key (by id only)', () => {
    const key = randomBytes(32);
    const config = readWorkerConfig({
      S3_ENDPOINT: 'http://minio:9000',
      S3_REGION: 'eu-west-1',
      S3_BUCKET: 'dr.backups',
      PNO_BACKUP_KEY: key.toString('base64'),
    });
    expect(config.s3).toEqual({ endpoint: 'http://minio:9000', region: 'eu-west-1', bucket: 'dr.backups' });
    expect(config.backupKey?.material()).toEqual(key);
    expect(JSON.stringify(config)).not.toContain(key.toString('base64'));
  });

  it('names every bad storage variable', () => {
    const badKey = 'c2hvcnQ=';
    let problems: string[] = [];
    try {
      readWorkerConfig({
        S3_ENDPOINT: 'minio:9000',
        S3_REGION: 'EU West',
        S3_BUCKET: 'No_Such',
        PNO_BACKUP_KEY: badKey,
      });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      problems = (err as ConfigError).problems;
    }
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'PNO_BACKUP_KEY',
      'S3_BUCKET',
      'S3_ENDPOINT',
      'S3_REGION',
    ]);
    expect(problems.join('\n')).not.toContain(badKey);
  });
});
