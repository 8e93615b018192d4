// Trivy scans: an image for vulnerabilities, a directory of manifests for misconfigurations. The
// worker's configuration says where trivy and its database live and whether it may download.
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, type ConfigScan, type ImageScan } from '../../types/index.ts';
import { commonArgs, runTrivyJson, type TrivyRunOptions } from './trivy-process.ts';
import { parseConfigReport, parseVulnerabilityReport } from './trivy-report.ts';

export interface TrivyConfig {
  /** The binary: a path, or a name looked up on PATH. */
  path: string;
  /** Where the vulnerability DB and checks bundle live; unset means trivy's default (~/.cache/trivy). */
  cacheDir?: string;
  /** Never download: scan with the DB and checks already in the cache (air-gapped workers). */
  offline?: boolean;
  /** A mirror of the vulnerability DB (OCI reference), e.g. on an internal registry. */
  dbRepository?: string;
  /**
   * Where `trivy image` may read images (its --image-src), in order. Unset is trivy's default, which
   * ends with pulling from the image's registry; `['containerd']` reads only a node's own images.
   */
  imageSources?: ImageSource[];
  /** The containerd to read images from (socket and namespace; the kubelet's CRI uses `k8s.io`). */
  containerd?: { address: string; namespace: string };
}

export const IMAGE_SOURCES = ['docker', 'containerd', 'podman', 'remote'] as const;
export type ImageSource = (typeof IMAGE_SOURCES)[number];

type RunOptions = Omit<TrivyRunOptions, 'env'>;

/** An image reference or path that trivy could read as an option is refused. */
function requireOperand(field: string, value: string): string {
  if (value === '' || value.startsWith('-') || /[\s\0]/.test(value)) {
    throw ApplicationFailure.nonRetryable(
      `${field}: must be an image reference or path, not ${JSON.stringify(value)}`,
      FailureType.invalidInput,
    );
  }
  return value;
}

function dbArgs(config: TrivyConfig): string[] {
  return [
    ...(config.offline ? ['--skip-db-update', '--skip-java-db-update'] : []),
    ...(config.dbRepository ? ['--db-repository', config.dbRepository] : []),
  ];
}

/** `trivy image`: vulnerabilities of OS and language packages. `archive` scans a saved tarball instead of pulling. */
export async function scanImage(
  config: TrivyConfig,
  image: string,
  options: RunOptions & { archive?: string },
): Promise<ImageScan> {
  const source = options.archive
    ? ['--input', requireOperand('archive', options.archive)]
    : ['--', requireOperand('image', image)];
  const args = [
    'image',
    ...commonArgs({ timeoutMs: options.timeoutMs, cacheDir: config.cacheDir }),
    '--scanners',
    'vuln',
    ...dbArgs(config),
    ...(config.imageSources && !options.archive ? ['--image-src', config.imageSources.join(',')] : []),
    ...source,
  ];
  const env = config.containerd
    ? {
        ...process.env,
        CONTAINERD_ADDRESS: config.containerd.address,
        CONTAINERD_NAMESPACE: config.containerd.namespace,
      }
    : undefined;
  const report = await runTrivyJson(config.path, args, { ...options, ...(env ? { env } : {}) });
  return parseVulnerabilityReport(report, image);
}

/** `trivy config`: its built-in misconfiguration checks (Kubernetes, Dockerfile, ...) on a directory. */
export async function scanConfigDir(
  config: TrivyConfig,
  dir: string,
  label: string,
  options: RunOptions,
): Promise<ConfigScan> {
  const args = [
    'config',
    ...commonArgs({ timeoutMs: options.timeoutMs, cacheDir: config.cacheDir }),
    // Offline, trivy uses the checks compiled into the binary instead of fetching the latest bundle.
    ...(config.offline ? ['--skip-check-update'] : []),
    '--',
    requireOperand('dir', dir),
  ];
  return parseConfigReport(await runTrivyJson(config.path, args, options), label);
}
