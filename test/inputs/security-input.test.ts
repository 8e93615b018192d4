// Input schemas of the security update, the certificate check and the security audit.
import { describe, expect, it } from 'vitest';
import {
  certificateExpiryDefaults,
  certificateExpiryInputSchema,
  securityAuditDefaults,
  securityAuditInputSchema,
  securityUpdateDefaults,
  securityUpdateInputSchema,
} from '../../workflows/security/input.ts';
import { parseInput } from '../../workflows/shared/input.ts';
import { expectRefused, refusal } from './helpers.ts';

describe('securityUpdateWorkflow input', () => {
  const parse = (raw: unknown) => parseInput(securityUpdateInputSchema, 'securityUpdateWorkflow', raw);
  const refused = (raw: unknown) => refusal(securityUpdateInputSchema, 'securityUpdateWorkflow', raw);

  it('defaults to scanning production and changing nothing', () => {
    expect(securityUpdateDefaults).toEqual({
      namespace: 'production',
      deployment: 'pno-physics-bench',
      container: 'pno-inference',
      selector: 'app=pno-physics-bench',
      imageStep: 'candidate',
      candidateImage: '',
      builderImage: 'gcr.io/kaniko-project/executor:v1.23.2',
      buildRepository: '',
      buildPushSecret: '',
      buildTimeoutMs: 1_800_000,
      requireApproval: false,
      approvalTimeoutMs: 86_400_000,
      scanTimeoutMs: 600_000,
      rolloutTimeoutMs: 300_000,
      verifyApi: true,
      apiBaseUrl: '',
      modelCheck: {},
    });
  });

  it('takes a candidate, a build Job to a repository, or no model check', () => {
    expect(parse({ candidateImage: 'registry.example.com/pno/pno-inference:1.4.1' }).candidateImage).toBe(
      'registry.example.com/pno/pno-inference:1.4.1',
    );
    expect(
      parse({
        imageStep: 'build-job',
        buildRepository: 'registry.example.com/pno/pno-inference',
        buildPushSecret: 'push',
      }),
    ).toMatchObject({ imageStep: 'build-job' });
    expect(parse({ modelCheck: null }).modelCheck).toBeNull();
  });

  it.each([
    [
      { candidateImage: '--config=/etc/passwd' },
      'candidateImage',
      'must be an image reference like registry.example.com/pno/pno-inference:1.4.1',
    ],
    [{ candidateImage: `r/${'a'.repeat(520)}` }, 'candidateImage', 'must be an image reference'],
    [{ imageStep: 'rebuild' }, 'imageStep', 'must be candidate or build-job'],
    [
      { imageStep: 'build-job', candidateImage: 'r/pno:1', buildRepository: 'r/pno' },
      'candidateImage',
      'must be empty when imageStep is build-job',
    ],
    [{ imageStep: 'build-job' }, 'buildRepository', 'must be an image reference'],
    [
      { imageStep: 'build-job', buildRepository: 'registry.example.com/pno:1.4.1' },
      'buildRepository',
      'must be a repository without tag or digest',
    ],
    [{ builderImage: 'kaniko executor' }, 'builderImage', 'must be an image reference'],
    [{ buildPushSecret: 'Push_Secret' }, 'buildPushSecret', 'must be a Kubernetes name'],
    [{ buildTimeoutMs: 59_999 }, 'buildTimeoutMs', 'must be an integer from 60000 to 21600000'],
    [{ requireApproval: 'yes' }, 'requireApproval', 'must be true or false'],
    [{ approvalTimeoutMs: 999 }, 'approvalTimeoutMs', 'must be an integer from 1000 to 2592000000'],
    [{ scanTimeoutMs: 1 }, 'scanTimeoutMs', 'must be an integer from 10000 to 3600000'],
    [{ rolloutTimeoutMs: 3_600_001 }, 'rolloutTimeoutMs', 'must be an integer from 1000 to 3600000'],
    [{ verifyApi: 0 }, 'verifyApi', 'must be true or false'],
    [{ apiBaseUrl: 'file:///etc' }, 'apiBaseUrl', 'must use http or https'],
    [{ modelCheck: [] }, 'modelCheck', "must be modelHealthWorkflow's input object"],
    [{ modelCheck: { samples: 0 } }, 'modelCheck.samples', 'must be an integer from 1 to 10000'],
    [{ deployment: 'Pno' }, 'deployment', 'must be a Kubernetes name'],
  ])('refuses %j, naming %s', (raw, field, rule) => expectRefused(refused(raw), field, rule));
});

describe('certificateExpiryWorkflow input', () => {
  const refused = (raw: unknown) => refusal(certificateExpiryInputSchema, 'certificateExpiryWorkflow', raw);

  it('defaults to the production namespace, warning at 30 days and critical at 7', () => {
    expect(certificateExpiryDefaults).toEqual({
      namespaces: ['production'],
      warnDays: 30,
      criticalDays: 7,
      service: 'pno-physics-bench',
    });
  });

  it.each([
    [{ namespaces: [] }, 'namespaces', 'must be a non-empty array of namespace names'],
    [{ namespaces: 'production' }, 'namespaces', 'must be a non-empty array of namespace names'],
    [{ namespaces: ['production', 'Bad'] }, 'namespaces[1]', 'must be a Kubernetes name'],
    [{ warnDays: 0 }, 'warnDays', 'must be an integer from 1 to 3650'],
    [{ criticalDays: 366 }, 'criticalDays', 'must be an integer from 0 to 365'],
    [{ warnDays: 7 }, 'warnDays', 'must be more than criticalDays (7)'],
    [{ warnDays: 10, criticalDays: 20 }, 'warnDays', 'must be more than criticalDays (20)'],
    [{ service: '' }, 'service', 'must be a non-empty name'],
  ])('refuses %j, naming %s', (raw, field, rule) => expectRefused(refused(raw), field, rule));
});

describe('securityAuditWorkflow input', () => {
  const refused = (raw: unknown) => refusal(securityAuditInputSchema, 'securityAuditWorkflow', raw);

  it('defaults to the weekly audit of production', () => {
    expect(securityAuditDefaults).toEqual({
      namespaces: ['production'],
      full: false,
      adminRoles: ['cluster-admin'],
      apiAccessWorkloads: [],
      scanTimeoutMs: 300_000,
      service: 'pno-physics-bench',
    });
  });

  it.each([
    [{ namespaces: [] }, 'namespaces', 'must be a non-empty array'],
    [{ namespaces: ['ok', 'NO'] }, 'namespaces[1]', 'must be a Kubernetes name'],
    [{ full: 'yes' }, 'full', 'must be true or false'],
    [{ adminRoles: [] }, 'adminRoles', 'must be a non-empty array'],
    [{ adminRoles: ['Cluster Admin'] }, 'adminRoles[0]', 'must be a role name'],
    [
      { apiAccessWorkloads: ['pno-physics-bench'] },
      'apiAccessWorkloads[0]',
      'must be Kind/name, e.g. Deployment/pno-physics-bench',
    ],
    [{ apiAccessWorkloads: 'Deployment/x' }, 'apiAccessWorkloads', 'must be an array'],
    [{ scanTimeoutMs: 3_600_001 }, 'scanTimeoutMs', 'must be an integer from 10000 to 3600000'],
    [{ service: 7 }, 'service', 'must be a non-empty name'],
  ])('refuses %j, naming %s', (raw, field, rule) => expectRefused(refused(raw), field, rule));

  it('accepts an empty list of API workloads and a full audit', () => {
    expect(
      parseInput(securityAuditInputSchema, 'securityAuditWorkflow', {
        full: true,
        apiAccessWorkloads: ['Deployment/pno-physics-bench'],
      }),
    ).toMatchObject({ full: true });
  });
});
