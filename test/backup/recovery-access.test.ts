// Disaster recovery asks the API server what it may do before it does anything (SelfSubjectAccessReview),
// so a recovery that would be refused halfway fails at once, naming the permission, and before the
// backup is even read. Real API server, real RBAC and admission policy of deploy/rbac.yaml.
import { WorkflowFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { disasterRecoveryWorkflow } from '../../workflows/index.ts';
import { accountKube, freshNamespace, testKube } from '../helpers/kube.ts';
import { historyEvents, withWorker } from '../helpers/temporal.ts';
import { backupSetup } from './fixtures.ts';

// No test here reaches the service's API: recovery stops long before its verification.
const unusedApi = 'http://127.0.0.1:9';

/** Runs a recovery that must fail; returns its failure's innermost message and the activities it scheduled. */
async function refusedRecovery(setup: Awaited<ReturnType<typeof backupSetup>>, input: object) {
  return withWorker(setup.activities, async ({ client, taskQueue }) => {
    const workflowId = `dr-refused-${Date.now().toString(36)}`;
    const error = await client.workflow
      .execute(disasterRecoveryWorkflow, { taskQueue, workflowId, args: [{ prefix: setup.prefix, ...input }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    let cause: Error | undefined = (error as WorkflowFailedError).cause;
    while (cause?.cause instanceof Error) cause = cause.cause;
    const scheduled = (await historyEvents(client, workflowId))
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter(Boolean);
    return { cause: cause as Error & { type?: string }, scheduled };
  });
}

describe('disaster recovery checks its rights first', () => {
  it('refuses to grant itself rights in kube-system: fails before reading any backup, binds nothing', async () => {
    const { cause, scheduled } = await refusedRecovery(await backupSetup(unusedApi), {
      targetNamespace: 'kube-system',
      force: true,
    });
    expect(cause).toMatchObject({
      type: 'Forbidden',
      message: expect.stringContaining('namespace kube-system is not labelled pno.dev/maintained-by=pno-maintenance'),
    });
    expect(scheduled).toEqual(['reviewAccess', 'bindOwnRole']);
    const bindings = await testKube().rbac.listNamespacedRoleBinding({ namespace: 'kube-system' });
    expect(bindings.items.map((b) => b.metadata?.name)).not.toContain('pno-maintenance-workloads');
  });

  it('names what an identity without the shipped RBAC may not do, and that it cannot grant it', async () => {
    const home = await freshNamespace('nobody');
    const setup = await backupSetup(unusedApi, await accountKube(home, 'nobody'));
    const target = await freshNamespace('dr-nobody');
    const { cause, scheduled } = await refusedRecovery(setup, { targetNamespace: target, includeMonitoring: true });
    expect(cause).toMatchObject({ type: 'Forbidden' });
    expect(cause.message).toContain(`the worker may not list pods in ${target} (and `);
    expect(cause.message).toContain(
      'cannot grant itself pno-maintenance-workloads there: it may not create namespaces cluster-wide; ' +
        `create rolebindings.rbac.authorization.k8s.io in ${target}; ` +
        `bind clusterroles.rbac.authorization.k8s.io pno-maintenance-workloads in ${target}`,
    );
    expect(scheduled).toEqual(['reviewAccess']);
  });
});
