// Worker configuration: defaults, and every bad value reported at start with the variable's name.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackupKey } from '../../activities/archive/keys.ts';
import { ConfigError, readWorkerConfig } from '../../workers/config.ts';
import { connectionOptions } from '../../workers/connection.ts';

const problemsOf = (env: NodeJS.ProcessEnv) => {
  try {
    readWorkerConfig(env);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems;
  }
};

describe('readWorkerConfig', () => {
  it('defaults to a local dev server and no TLS', () => {
    const config = readWorkerConfig({});
    expect(config.temporal).toEqual({ address: 'localhost:7233', namespace: 'default' });
    expect(config.logLevel).toBe('INFO');
    expect(config.syncSchedules).toBe(false);
    expect(config.workflowBundlePath).toBeUndefined();
  });

  it('names every bad variable at once', () => {
    const problems = problemsOf({
      TEMPORAL_ADDRESS: 'no-port',
      LOG_LEVEL: 'LOUD',
      PNO_API_URL: 'api.example.com',
      PNO_SYNC_SCHEDULES: 'maybe',
      PNO_WORKFLOW_BUNDLE: '/nonexistent/bundle.js',
      KUBECONFIG: '/nonexistent/kubeconfig',
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'KUBECONFIG',
      'LOG_LEVEL',
      'PNO_API_URL',
      'PNO_SYNC_SCHEDULES',
      'PNO_WORKFLOW_BUNDLE',
      'TEMPORAL_ADDRESS',
    ]);
    expect(problems.find((p) => p.startsWith('PNO_WORKFLOW_BUNDLE'))).toContain('ENOENT');
  });

  it('seals payloads with PNO_PAYLOAD_KEY, keeps retired keys for reading, and refuses retired keys alone', () => {
    const [current, old] = [randomBytes(32), randomBytes(32)];
    const dir = mkdtempSync(join(tmpdir(), 'pno-config-'));
    const retired = join(dir, 'retired');
    writeFileSync(retired, `${old.toString('base64')}\n`);
    expect(readWorkerConfig({}).payloadKeys).toBeUndefined();
    const config = readWorkerConfig({
      PNO_PAYLOAD_KEY: current.toString('base64'),
      PNO_PAYLOAD_RETIRED_KEYS_FILE: retired,
    });
    expect(config.payloadKeys?.current.id).toBe(new BackupKey(current).id);
    expect(config.payloadKeys?.retired.map((k) => k.id)).toEqual([new BackupKey(old).id]);
    expect(problemsOf({ PNO_PAYLOAD_RETIRED_KEYS_FILE: retired })).toEqual([
      'PNO_PAYLOAD_RETIRED_KEYS_FILE: needs PNO_PAYLOAD_KEY or PNO_PAYLOAD_KEY_FILE, the key that seals',
    ]);
    expect(problemsOf({ PNO_PAYLOAD_KEY: 'short' })).toEqual([
      'PNO_PAYLOAD_KEY: must be the base64 of 32 random bytes (e.g. `openssl rand -base64 32`)',
    ]);
  });

  it('reads latency from PNO_PROMETHEUS_URL only when it is an http(s) URL', () => {
    expect(readWorkerConfig({}).prometheusUrl).toBeUndefined();
    expect(readWorkerConfig({ PNO_PROMETHEUS_URL: 'http://prometheus.monitoring.svc:9090' }).prometheusUrl).toBe(
      'http://prometheus.monitoring.svc:9090',
    );
    expect(problemsOf({ PNO_PROMETHEUS_URL: 'prometheus:9090' })).toEqual([
      'PNO_PROMETHEUS_URL: must be an http(s) URL (got "prometheus:9090")',
    ]);
  });

  it('serves metrics only where PNO_METRICS_ADDRESS says, and refuses one that is not host:port', () => {
    expect(readWorkerConfig({}).metricsAddress).toBeUndefined();
    expect(readWorkerConfig({ PNO_METRICS_ADDRESS: '0.0.0.0:9464' }).metricsAddress).toBe('0.0.0.0:9464');
    expect(readWorkerConfig({ PNO_METRICS_ADDRESS: '[::]:9464' }).metricsAddress).toBe('[::]:9464');
    for (const bad of ['9464', 'localhost:', 'localhost:70000', 'http://0.0.0.0:9464'])
      expect(problemsOf({ PNO_METRICS_ADDRESS: bad }), bad).toEqual([
        `PNO_METRICS_ADDRESS: must be host:port, e.g. 0.0.0.0:9464 (got ${JSON.stringify(bad)})`,
      ]);
  });

  it('reads the restore stage and the retired backup keys, naming a bad line by its number', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pno-config-'));
    const [a, b] = [randomBytes(32), randomBytes(32)];
    const keys = join(dir, 'retired');
    writeFileSync(keys, `# rotated 2026-11\n${a.toString('base64')}\n\n${b.toString('base64')}\n`);
    const config = readWorkerConfig({
      PNO_BACKUP_RETIRED_KEYS_FILE: keys,
      PNO_RESTORE_STAGE_DIR: '/var/tmp/pno',
      PNO_RESTORE_STAGE_LIMIT_MIB: '512',
    });
    expect(config.retiredKeys.map((k) => k.id)).toEqual([new BackupKey(a).id, new BackupKey(b).id]);
    expect(config.restoreStage).toEqual({ dir: '/var/tmp/pno', limitBytes: 512 * 1024 ** 2 });

    writeFileSync(keys, `${a.toString('base64')}\nnot-a-key\n`);
    const problems = problemsOf({
      PNO_BACKUP_RETIRED_KEYS_FILE: keys,
      PNO_RESTORE_STAGE_DIR: 'relative',
      PNO_RESTORE_STAGE_LIMIT_MIB: '0',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^PNO_BACKUP_RETIRED_KEYS_FILE line 2: must be the base64 of 32 random bytes/),
      'PNO_RESTORE_STAGE_DIR: must be an absolute path (got "relative")',
      'PNO_RESTORE_STAGE_LIMIT_MIB: must be a whole number of MiB above 0 (got "0")',
    ]);
    expect(problems.join('\n')).not.toContain('not-a-key');
  });

  it('requires both halves of an mTLS pair', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pno-config-'));
    writeFileSync(join(dir, 'client.pem'), 'cert');
    expect(problemsOf({ TEMPORAL_TLS_CERT: join(dir, 'client.pem') })).toEqual([
      'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: set both for mTLS, or neither',
    ]);
  });

  it('turns on TLS for Temporal Cloud API keys and reads certificate files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pno-config-'));
    writeFileSync(join(dir, 'ca.pem'), 'ca-bytes');
    const config = readWorkerConfig({
      TEMPORAL_ADDRESS: 'my-ns.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'my-ns.a1b2c',
      TEMPORAL_API_KEY: 'secret-key',
      TEMPORAL_TLS_CA: join(dir, 'ca.pem'),
    });
    const options = connectionOptions(config.temporal);
    expect(options.apiKey).toBe('secret-key');
    expect(Buffer.from(options.tls?.serverRootCACertificate ?? []).toString()).toBe('ca-bytes');
  });
});
