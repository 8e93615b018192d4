// The worker's scanner settings from the environment.
import { describe, expect, it } from 'vitest';
import { ConfigError, readWorkerConfig } from '../../workers/config.ts';

describe('trivy settings', () => {
  it('default to `trivy` on PATH, its own cache, downloads allowed', () => {
    expect(readWorkerConfig({}).trivy).toEqual({ path: 'trivy', offline: false });
  });

  it('take a path, a cache, offline mode and a DB mirror', () => {
    const config = readWorkerConfig({
      PNO_TRIVY_PATH: '/opt/trivy/bin/trivy',
      PNO_TRIVY_CACHE_DIR: '/var/cache/trivy',
      PNO_TRIVY_OFFLINE: 'true',
      PNO_TRIVY_DB_REPOSITORY: 'registry.internal/mirror/trivy-db:2',
    });
    expect(config.trivy).toEqual({
      path: '/opt/trivy/bin/trivy',
      cacheDir: '/var/cache/trivy',
      offline: true,
      dbRepository: 'registry.internal/mirror/trivy-db:2',
    });
  });

  it("read images only from a node's containerd when told", () => {
    const config = readWorkerConfig({
      PNO_TRIVY_IMAGE_SRC: 'containerd',
      PNO_TRIVY_CONTAINERD_ADDRESS: '/run/containerd/containerd.sock',
    });
    expect(config.trivy).toEqual({
      path: 'trivy',
      offline: false,
      imageSources: ['containerd'],
      containerd: { address: '/run/containerd/containerd.sock', namespace: 'k8s.io' },
    });
  });

  it('name the variable when a value is wrong', () => {
    try {
      readWorkerConfig({
        PNO_TRIVY_CACHE_DIR: 'relative/cache',
        PNO_TRIVY_OFFLINE: 'maybe',
        PNO_TRIVY_IMAGE_SRC: 'containerd,registry',
        PNO_TRIVY_CONTAINERD_ADDRESS: 'containerd.sock',
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.map((p) => p.split(':')[0]).sort()).toEqual([
        'PNO_TRIVY_CACHE_DIR',
        'PNO_TRIVY_CONTAINERD_ADDRESS',
        'PNO_TRIVY_IMAGE_SRC',
        'PNO_TRIVY_OFFLINE',
      ]);
    }
  });
});
