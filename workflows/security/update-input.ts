// securityUpdateWorkflow's input: defaults that scan production with `--input '{}'` (and change
// nothing: no candidate), and validation that names the field and the rule.
import type { ModelHealthInput } from '../model/input.ts';
import { invalidInput, requireHttpUrl, requireInteger, requireKubeName, requireSelector, withDefaults } from '../shared/input.ts';

export interface SecurityUpdateInput {
  namespace?: string;
  deployment?: string;
  /** The container whose image is scanned and replaced (the guide's `pno-inference`). */
  container?: string;
  /** The deployment's pods, for the post-rollout health check. */
  selector?: string;
  /**
   * Where the replacement image comes from: `candidate` (built by the team's pipeline and named in
   * `candidateImage`; empty means scan and report only), or `build-job` (a Kubernetes Job builds the
   * guide's Dockerfile updates on top of the running image and pushes to `buildRepository`).
   */
  imageStep?: 'candidate' | 'build-job';
  candidateImage?: string;
  builderImage?: string;
  /** Repository the build Job pushes to; the tag comes from the workflow id. */
  buildRepository?: string;
  /** docker-registry Secret (name only) the build Job pushes with; empty for none. */
  buildPushSecret?: string;
  buildTimeoutMs?: number;
  /** Wait for an `approve` update (or signal) before touching production. */
  requireApproval?: boolean;
  approvalTimeoutMs?: number;
  scanTimeoutMs?: number;
  /** The guide's `kubectl rollout status --timeout=300s`. */
  rolloutTimeoutMs?: number;
  /** Probe /health and /ready after the rollout; empty URL means the worker's PNO_API_URL. */
  verifyApi?: boolean;
  apiBaseUrl?: string;
  /** The ONNX model check run after the rollout (modelHealthWorkflow's input); null skips it. */
  modelCheck?: ModelHealthInput | null;
}

export const securityUpdateDefaults: Required<SecurityUpdateInput> = {
  namespace: 'production',
  deployment: 'pno-physics-bench',
  container: 'pno-inference',
  selector: 'app=pno-physics-bench',
  imageStep: 'candidate',
  candidateImage: '',
  builderImage: 'gcr.io/kaniko-project/executor:v1.23.2',
  buildRepository: '',
  buildPushSecret: '',
  buildTimeoutMs: 30 * 60_000,
  requireApproval: false,
  approvalTimeoutMs: 24 * 3600_000,
  scanTimeoutMs: 10 * 60_000,
  rolloutTimeoutMs: 300_000,
  verifyApi: true,
  apiBaseUrl: '',
  modelCheck: {},
};

/** An image reference: registry/repo[:tag][@sha256:digest], no spaces, not an option. */
const imageRef = /^[a-z0-9][a-z0-9._\-/:]*(@sha256:[0-9a-f]{64})?$/;

export function validateSecurityUpdateInput(raw: unknown): Required<SecurityUpdateInput> {
  const input = withDefaults('securityUpdateWorkflow', raw, securityUpdateDefaults);
  requireKubeName('namespace', input.namespace);
  requireKubeName('deployment', input.deployment);
  requireKubeName('container', input.container);
  requireSelector('selector', input.selector);
  if (input.imageStep !== 'candidate' && input.imageStep !== 'build-job') throw invalidInput('imageStep', 'must be candidate or build-job', input.imageStep);
  if (input.candidateImage !== '') requireImage('candidateImage', input.candidateImage);
  if (input.imageStep === 'build-job') {
    if (input.candidateImage !== '') throw invalidInput('candidateImage', 'must be empty when imageStep is build-job (the Job makes the candidate)', input.candidateImage);
    requireImage('builderImage', input.builderImage);
    requireImage('buildRepository', input.buildRepository);
    if (/[:@]/.test(input.buildRepository.split('/').at(-1) ?? '')) throw invalidInput('buildRepository', 'must be a repository without tag or digest', input.buildRepository);
    if (input.buildPushSecret !== '') requireKubeName('buildPushSecret', input.buildPushSecret);
  }
  requireInteger('buildTimeoutMs', input.buildTimeoutMs, 60_000, 6 * 3600_000);
  if (typeof input.requireApproval !== 'boolean') throw invalidInput('requireApproval', 'must be true or false', input.requireApproval);
  requireInteger('approvalTimeoutMs', input.approvalTimeoutMs, 1_000, 30 * 24 * 3600_000);
  requireInteger('scanTimeoutMs', input.scanTimeoutMs, 10_000, 3600_000);
  requireInteger('rolloutTimeoutMs', input.rolloutTimeoutMs, 1_000, 3600_000);
  if (typeof input.verifyApi !== 'boolean') throw invalidInput('verifyApi', 'must be true or false', input.verifyApi);
  if (input.apiBaseUrl !== '') requireHttpUrl('apiBaseUrl', input.apiBaseUrl);
  if (input.modelCheck !== null && (typeof input.modelCheck !== 'object' || Array.isArray(input.modelCheck))) {
    throw invalidInput('modelCheck', "must be modelHealthWorkflow's input object, or null to skip the model check", input.modelCheck);
  }
  return input;
}

function requireImage(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length > 512 || !imageRef.test(value)) {
    throw invalidInput(field, 'must be an image reference like registry.example.com/pno/pno-inference:1.4.1', value);
  }
  return value;
}
