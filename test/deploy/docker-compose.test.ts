// Docker cannot run here, so the production-like stack is checked as data: pinned images, health
// checks, start order, the worker's wiring (bucket, keys, alert sink, a kubeconfig reachable from a
// container) and the Alertmanager configuration by amtool. The Temporal server it pins runs for
// real in test/stack/temporal-postgres.test.ts.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  ports?: string[];
  extra_hosts?: string[];
}

const root = new URL('../../', import.meta.url);
const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  secrets?: Record<string, { file: string }>;
};
const services = compose.services;

describe('docker-compose.yml', () => {
  it('has the production-like stack', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'alertmanager',
        'minio',
        'minio-bucket',
        'postgresql',
        'temporal',
        'temporal-namespace',
        'temporal-schema',
        'temporal-ui',
        'worker',
      ].sort(),
    );
  });

  it('pins every image to an exact version', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build) continue;
      expect(service.image, name).toMatch(/^[\w./-]+:(?!latest$)[\w.-]*\d[\w.-]*$/);
    }
  });

  it('health-checks every long-running service and starts each after what it needs', () => {
    for (const name of ['postgresql', 'temporal', 'temporal-ui', 'minio', 'alertmanager']) {
      expect(services[name]?.healthcheck?.test?.length, name).toBeGreaterThan(1);
    }
    expect(services['temporal-schema']?.depends_on).toEqual({ postgresql: { condition: 'service_healthy' } });
    expect(services.temporal?.depends_on).toEqual({
      'temporal-schema': { condition: 'service_completed_successfully' },
    });
    expect(services['temporal-ui']?.depends_on?.temporal?.condition).toBe('service_healthy');
    expect(services['minio-bucket']?.depends_on).toEqual({ minio: { condition: 'service_healthy' } });
    expect(services.worker?.depends_on).toEqual({
      'temporal-namespace': { condition: 'service_completed_successfully' },
      'minio-bucket': { condition: 'service_completed_successfully' },
      alertmanager: { condition: 'service_healthy' },
    });
  });

  it('builds the worker from the Dockerfile and wires it to the stack', () => {
    const worker = services.worker!;
    expect(worker.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    expect(worker.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(worker.environment?.S3_ENDPOINT).toBe('http://minio:9000');
    // The bucket the setup job creates, the keys as Docker secrets, the alert sink, the host by name.
    expect(worker.environment?.S3_BUCKET).toBe(services['minio-bucket']?.environment?.S3_BUCKET);
    expect(worker.environment?.PNO_BACKUP_KEY_FILE).toBe('/run/secrets/backup-key');
    expect(worker.environment?.PNO_PAYLOAD_KEY_FILE).toBe('/run/secrets/payload-key');
    expect(compose.secrets).toEqual({
      'backup-key': { file: './secrets/backup.key' },
      'payload-key': { file: './secrets/payload.key' },
    });
    expect(worker.environment?.PNO_ALERTMANAGER_URL).toBe('http://alertmanager:9093');
    expect(worker.extra_hosts).toContain('host.docker.internal:host-gateway');
    expect(services['temporal-ui']?.ports).toContain('8233:8080');
    const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:24\.\d+\.\d+/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toContain('PNO_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js');
  });

  it('mounts only setup scripts that exist', () => {
    for (const service of Object.values(services) as (Service & { volumes?: string[] })[]) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./')) expect(() => readFileSync(new URL(source, root))).not.toThrow();
      }
    }
  });

  it('gives Alertmanager a configuration amtool accepts', async () => {
    const config = new URL('deploy/compose/alertmanager.yml', root).pathname;
    const { stdout } = await promisify(execFile)('amtool', ['check-config', config]);
    expect(stdout).toContain('SUCCESS');
  });
});
