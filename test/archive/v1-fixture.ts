// The committed format-v1 backup (test/fixtures/archive) and what it must read back as, written out
// in full: these literals are the v1 format's contract with every backup already stored.
import { readFileSync } from 'node:fs';
import { BackupKey, type EntryPlace } from '../../activities/archive/index.ts';
import type { BackupManifest } from '../../types/index.ts';

const fixture = (name: string) => new URL(`../fixtures/archive/${name}`, import.meta.url);

export function loadV1Fixture(): { sealed: Buffer; key: BackupKey } {
  const keyText = readFileSync(fixture('test-only-key.not-secret.b64'), 'utf8').trim();
  return { sealed: readFileSync(fixture('backup-v1.tar.gz.enc')), key: new BackupKey(Buffer.from(keyText, 'base64')) };
}

export const V1_KEY_ID = '33abdc7fec607abf';
export const V1_OBJECT_BYTES = 5478;

export const V1_MANIFEST: BackupManifest = {
  format: 'pno-backup',
  manifestVersion: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  namespace: 'production',
  components: ['resources', 'monitoring', 'models', 'database'],
  productVersion: '0.1.0',
  workflowId: 'backup-fixture-v1',
  runId: '00000000-0000-4000-8000-000000000001',
  entries: [
    {
      path: 'resources/ConfigMap/pno-config.yaml',
      size: 131,
      sha256: 'e36c452634c41d1b7f1cad08a614f917fbf871c499c45354cf3e99f0dd64d344',
    },
    {
      path: 'resources/Secret/pno-secrets.yaml',
      size: 151,
      sha256: '6f051746d9804fbc440eeb94dee68df2b699a50acdb7358b1cfc8068969758e4',
    },
    {
      path: 'resources/Service/pno-physics-bench.yaml',
      size: 237,
      sha256: '6a6609bc6a64b21d43010e0e33527458922174ebb8a4136df6928c065168a0e4',
    },
    {
      path: 'resources/Deployment/pno-physics-bench.yaml',
      size: 483,
      sha256: 'c2e7f6c1c4ce0b2829419106ec209c993fac2c49b8b239bab290606e5c95c4b9',
    },
    {
      path: 'cluster/PersistentVolume/pno-models-production.yaml',
      size: 217,
      sha256: 'ff79e52f7e7cc01309c732b7f22bf78aad85cd502cc4b891d0710751d7f6793c',
    },
    {
      path: 'monitoring/ConfigMap/monitoring-config.yaml',
      size: 245,
      sha256: 'b1fdd0a7c114de1e7481fe95d70580f7d3d1ee9079711800c41ac2d66ffc8d6d',
    },
    {
      path: 'models/pno_model.onnx',
      size: 2048,
      sha256: 'cd80f7c86e0bac6d84a1caeeb7c80f11045f957feb558d148f2b99f99ebae98b',
    },
    {
      path: 'models/checkpoints/epoch-12.bin',
      size: 1024,
      sha256: '97c0fb57cfceb6ce8b7fd4ac71785b3e04ac7d708c9dd0f28075d9f2ad2db513',
    },
    {
      path: 'models/config.json',
      size: 45,
      sha256: '6863927d9db267ed95182224d1ab16167679e0dff63d202f6729676b5aa12ca3',
    },
    {
      path: 'database/dump.sql',
      size: 141,
      sha256: 'f443a40cd717359c7d03d71e0372b4e948f7362db62cc4c10d6fe6bfbe55c50b',
    },
  ],
  totalBytes: 4722,
};

/** Where the v1 layout places each entry, in archive order. */
export const V1_PLACES: [string, EntryPlace][] = [
  ['resources/ConfigMap/pno-config.yaml', { section: 'resources', relative: 'ConfigMap/pno-config.yaml' }],
  ['resources/Secret/pno-secrets.yaml', { section: 'resources', relative: 'Secret/pno-secrets.yaml' }],
  ['resources/Service/pno-physics-bench.yaml', { section: 'resources', relative: 'Service/pno-physics-bench.yaml' }],
  [
    'resources/Deployment/pno-physics-bench.yaml',
    { section: 'resources', relative: 'Deployment/pno-physics-bench.yaml' },
  ],
  [
    'cluster/PersistentVolume/pno-models-production.yaml',
    { section: 'cluster', relative: 'PersistentVolume/pno-models-production.yaml' },
  ],
  [
    'monitoring/ConfigMap/monitoring-config.yaml',
    { section: 'monitoring', relative: 'ConfigMap/monitoring-config.yaml' },
  ],
  ['models/pno_model.onnx', { section: 'models', relative: 'pno_model.onnx' }],
  ['models/checkpoints/epoch-12.bin', { section: 'models', relative: 'checkpoints/epoch-12.bin' }],
  ['models/config.json', { section: 'models', relative: 'config.json' }],
  ['database/dump.sql', { section: 'database', relative: 'dump.sql' }],
];

/** The models tree as a restore must write it into a pod: path in the models directory → SHA-256. */
export const V1_MODEL_FILES: Record<string, string> = {
  'pno_model.onnx': 'cd80f7c86e0bac6d84a1caeeb7c80f11045f957feb558d148f2b99f99ebae98b',
  'checkpoints/epoch-12.bin': '97c0fb57cfceb6ce8b7fd4ac71785b3e04ac7d708c9dd0f28075d9f2ad2db513',
  'config.json': '6863927d9db267ed95182224d1ab16167679e0dff63d202f6729676b5aa12ca3',
};
