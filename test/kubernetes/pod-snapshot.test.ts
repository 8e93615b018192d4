// What counts as a ready pod: Running, every container ready, and not on its way out.
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { podSnapshot } from '../../activities/kubernetes/status.ts';

const pod = (overrides: { deleting?: boolean; ready?: boolean; phase?: string } = {}): V1Pod => ({
  metadata: { name: 'p', ...(overrides.deleting ? { deletionTimestamp: new Date() } : {}) },
  spec: { containers: [{ name: 'c' }], nodeName: 'pno-node-0' },
  status: {
    phase: overrides.phase ?? 'Running',
    containerStatuses: [
      { name: 'c', ready: overrides.ready ?? true, restartCount: 2, image: 'i', imageID: '', started: true },
    ],
  },
});

describe('podSnapshot', () => {
  it('is ready when Running with every container ready', () => {
    expect(podSnapshot(pod())).toEqual({
      name: 'p',
      phase: 'Running',
      ready: true,
      restarts: 2,
      nodeName: 'pno-node-0',
    });
  });

  it('is not ready while being deleted, though its containers still say ready for the grace period', () => {
    expect(podSnapshot(pod({ deleting: true }))).toMatchObject({ phase: 'Running', ready: false });
  });

  it('is not ready with a container unready, or outside Running', () => {
    expect(podSnapshot(pod({ ready: false })).ready).toBe(false);
    expect(podSnapshot(pod({ phase: 'Pending' })).ready).toBe(false);
  });
});
