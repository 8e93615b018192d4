// API errors become the right kind of failure: permanent ones non-retryable and typed, transient ones plain.
import * as k8s from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { kubeClientsFrom } from '../../activities/kubernetes/clients.ts';
import { applyObjects } from '../../activities/kubernetes/resources.ts';
import { getHpa } from '../../activities/kubernetes/status.ts';
import { closedPort } from '../helpers/net.ts';
import { freshNamespace, testKube } from '../helpers/kube.ts';

describe('Kubernetes errors', () => {
  it('404 is a non-retryable NotFound naming the object', async () => {
    const err = await getHpa(testKube(), 'production', 'no-such-hpa').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'NotFound', nonRetryable: true });
    expect((err as Error).message).toContain('read HPA production/no-such-hpa');
  });

  it('422 (an invalid object) is a non-retryable InvalidRequest', async () => {
    const namespace = await freshNamespace('invalid');
    const bad = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Not_A_Valid_Name', namespace }, data: {} };
    await expect(applyObjects(testKube(), [bad], { fieldManager: 'test' })).rejects.toMatchObject({
      type: 'InvalidRequest',
      nonRetryable: true,
    });
  });

  it('a refused connection stays a plain, retryable error', async () => {
    const config = new k8s.KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: 'c', server: `https://127.0.0.1:${await closedPort()}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'x' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const err = await getHpa(kubeClientsFrom(config), 'production', 'pno-hpa').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ApplicationFailure);
    expect(String((err as Error).message) + String((err as Error).cause)).toMatch(/ECONNREFUSED/);
  });
});
