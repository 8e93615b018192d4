// The network rule, enforced by the API server: a pod that may run on the real node must never make
// its kubelet pull an image (a pull would resolve and contact a registry outside this machine). A
// ValidatingAdmissionPolicy refuses such a pod unless every container says `imagePullPolicy: Never`;
// the images it can use are the ones the node imported (stack/kube/images.ts).
import type { KubeClients } from '../../activities/kubernetes/clients.ts';
import { applyObjects } from '../../activities/kubernetes/resources.ts';

const NAME = 'pno-real-node-never-pulls';

export async function applyPullGuard(admin: KubeClients, taintKey: string, nodeName: string): Promise<void> {
  const never = (list: string) => `${list}.all(c, has(c.imagePullPolicy) && c.imagePullPolicy == 'Never')`;
  const onRealNode =
    `(has(object.spec.nodeName) && object.spec.nodeName == '${nodeName}') || ` +
    `(has(object.spec.tolerations) && object.spec.tolerations.exists(t, has(t.key) && t.key == '${taintKey}'))`;
  const neverPulls =
    `${never('object.spec.containers')} && ` +
    `(!has(object.spec.initContainers) || ${never('object.spec.initContainers')})`;
  const policy = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: NAME },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: [
          { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods'] },
        ],
      },
      validations: [
        {
          expression: `!(${onRealNode}) || (${neverPulls})`,
          message: 'a pod for the real node must set imagePullPolicy: Never on every container: nothing is pulled here',
        },
      ],
    },
  };
  const binding = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: NAME },
    spec: { policyName: NAME, validationActions: ['Deny'] },
  };
  await applyObjects(admin, [policy, binding] as never, { fieldManager: 'pno-stack' });
}
