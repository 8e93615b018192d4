// Inputs of the security workflows: the update (scan, candidate, rollout), the certificate check and
// the audit. With `--input '{}'` each scans production and changes nothing.
import { z } from 'zod';
import { modelHealthInputSchema } from '../model/input.ts';
import { boolean, emptyOr, integer, kubeName } from '../shared/fields.ts';
import { childInput, defaultsOf, inputObject } from '../shared/input.ts';
import { serviceTarget, targetFields } from '../shared/target.ts';

const imageRule = 'must be an image reference like registry.example.com/pno/pno-inference:1.4.1';
/** An image reference: registry/repo[:tag][@sha256:digest], no spaces, not an option. */
const imageRef = z
  .string({ error: imageRule })
  .max(512, { error: imageRule })
  .regex(/^[a-z0-9][a-z0-9._\-/:]*(@sha256:[0-9a-f]{64})?$/, { error: imageRule });
const imageRefOrEmpty = emptyOr(imageRef, imageRule);

const buildJobOnly = 'must be empty when imageStep is build-job (the Job makes the candidate)';

export const securityUpdateInputSchema = inputObject({
  namespace: targetFields.namespace,
  deployment: targetFields.deployment,
  container: targetFields.container.describe(
    "The container whose image is scanned and replaced (the guide's `pno-inference`).",
  ),
  selector: targetFields.selector.describe("The deployment's pods, for the post-rollout health check."),
  imageStep: z
    .enum(['candidate', 'build-job'], { error: 'must be candidate or build-job' })
    .meta({ rule: 'must be candidate or build-job' })
    .default('candidate')
    .describe(
      "Where the replacement image comes from: `candidate` (built by the team's pipeline and named in `candidateImage`; empty means scan and report only), or `build-job` (a Kubernetes Job builds the guide's Dockerfile updates on top of the running image and pushes to `buildRepository`).",
    ),
  candidateImage: imageRefOrEmpty.default('').describe('The replacement image; empty means scan and report only.'),
  builderImage: imageRef
    .meta({ rule: imageRule })
    .default('gcr.io/kaniko-project/executor:v1.23.2')
    .describe('The image the build Job runs (kaniko).'),
  buildRepository: imageRefOrEmpty
    .default('')
    .describe('Repository the build Job pushes to; the tag comes from the workflow id.'),
  buildPushSecret: emptyOr(kubeName, 'must be a Kubernetes name (lowercase letters, digits and -, at most 63)')
    .default('')
    .describe('docker-registry Secret (name only) the build Job pushes with; empty for none.'),
  buildTimeoutMs: integer(60_000, 6 * 3600_000)
    .default(30 * 60_000)
    .describe('Time the build Job may take.'),
  requireApproval: boolean
    .default(false)
    .describe(
      "Wait for an `approve` update (or signal) before touching production even where the configuration's `security.requireApproval` is off (it is on by default); an input cannot turn approval off.",
    ),
  approvalTimeoutMs: integer(1_000, 30 * 24 * 3600_000)
    .default(24 * 3600_000)
    .describe('How long to wait for approval; no decision means NOT_APPROVED.'),
  scanTimeoutMs: integer(10_000, 3600_000)
    .default(10 * 60_000)
    .describe('Time one trivy scan may take.'),
  rolloutTimeoutMs: integer(1_000, 3600_000)
    .default(300_000)
    .describe("The guide's `kubectl rollout status --timeout=300s`."),
  verifyApi: boolean
    .default(true)
    .describe("Probe /health and /ready after the rollout; empty URL means the worker's PNO_API_URL."),
  apiBaseUrl: targetFields.apiBaseUrl,
  modelCheck: childInput(modelHealthInputSchema, 'modelHealthWorkflow')
    .nullable()
    .default({})
    .describe("The ONNX model check run after the rollout (modelHealthWorkflow's input); null skips it."),
}).superRefine((input, ctx) => {
  if (input.imageStep !== 'build-job') return;
  const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (input.candidateImage !== '') problem('candidateImage', buildJobOnly);
  if (input.buildRepository === '') problem('buildRepository', imageRule);
  else if (/[:@]/.test(input.buildRepository.split('/').at(-1) ?? ''))
    problem('buildRepository', 'must be a repository without tag or digest');
});
export type SecurityUpdateInput = z.input<typeof securityUpdateInputSchema>;
export type ParsedSecurityUpdateInput = z.output<typeof securityUpdateInputSchema>;
export const securityUpdateDefaults = defaultsOf(securityUpdateInputSchema);

/** The namespaces to look at: the service's by default. */
function namespaces(rule: string) {
  return z.array(kubeName, { error: rule }).min(1, { error: rule }).meta({ rule }).default([serviceTarget.namespace]);
}

export const certificateExpiryInputSchema = inputObject({
  namespaces: namespaces('must be a non-empty array of namespace names').describe(
    'Namespaces whose TLS Secrets and Certificates are checked.',
  ),
  warnDays: integer(1, 3650)
    .default(30)
    .describe('A certificate expiring within this many days is a warning; more than criticalDays.'),
  criticalDays: integer(0, 365).default(7).describe('Within this many days it is critical.'),
  service: targetFields.service.describe('The service named in alerts.'),
}).superRefine((input, ctx) => {
  if (input.warnDays <= input.criticalDays) {
    ctx.addIssue({
      code: 'custom',
      path: ['warnDays'],
      message: `must be more than criticalDays (${input.criticalDays})`,
    });
  }
});
export type CertificateExpiryInput = z.input<typeof certificateExpiryInputSchema>;
export type ParsedCertificateExpiryInput = z.output<typeof certificateExpiryInputSchema>;
export const certificateExpiryDefaults = defaultsOf(certificateExpiryInputSchema);

const roleRule = 'must be a role name';
const workloadRule = 'must be Kind/name, e.g. Deployment/pno-physics-bench';

export const securityAuditInputSchema = inputObject({
  namespaces: namespaces('must be a non-empty array').describe('Namespaces whose workloads are audited.'),
  full: boolean
    .default(false)
    .describe("The quarterly full audit: adds trivy's misconfiguration checks on each namespace's manifests."),
  adminRoles: z
    .array(z.string({ error: roleRule }).regex(/^[a-z0-9:.-]{1,253}$/, { error: roleRule }), {
      error: 'must be a non-empty array',
    })
    .min(1, { error: 'must be a non-empty array' })
    .meta({ rule: 'must be a non-empty array of role names' })
    .default(['cluster-admin'])
    .describe('Roles whose bindings are findings.'),
  apiAccessWorkloads: z
    .array(
      z
        .string({ error: workloadRule })
        .regex(/^(Deployment|StatefulSet|DaemonSet|Job|CronJob|Pod)\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
          error: workloadRule,
        }),
      { error: 'must be an array' },
    )
    .meta({ rule: 'must be an array of Kind/name' })
    .default([])
    .describe('`Kind/name` of workloads that use the Kubernetes API and so need their service account token.'),
  scanTimeoutMs: integer(10_000, 3600_000)
    .default(5 * 60_000)
    .describe('Time one misconfiguration scan may take.'),
  service: targetFields.service.describe('The service named in alerts.'),
});
export type SecurityAuditInput = z.input<typeof securityAuditInputSchema>;
export type ParsedSecurityAuditInput = z.output<typeof securityAuditInputSchema>;
export const securityAuditDefaults = defaultsOf(securityAuditInputSchema);
