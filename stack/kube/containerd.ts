// A containerd of the node's own: config, root, state and socket under the node's directory, the
// CRI plugin set up for this machine, and the local images imported into the k8s.io namespace.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startProcess, waitUntil, type ServerProcess } from '../process.ts';
import { toolsDir } from '../tools.ts';
import { withoutTagOrDigest } from '../../workflows/security/policy.ts';
import { host } from './host-command.ts';

export interface Containerd {
  socket: string;
  process: ServerProcess;
  /** Runs `ctr` against this containerd in the namespace the CRI uses. */
  ctr(args: string[]): Promise<string>;
}

function config(dir: string, socket: string, cniConfDir: string, pauseImage: string): string {
  return `version = 2
root = ${JSON.stringify(join(dir, 'root'))}
state = ${JSON.stringify(join(dir, 'state'))}
# Plugins that would reach outside the node's directory (/opt/containerd) or need other filesystems.
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp"]

[grpc]
  address = ${JSON.stringify(socket)}
[ttrpc]
  address = ${JSON.stringify(`${socket}.ttrpc`)}
[debug]
  address = ""
[metrics]
  address = ""

[plugins."io.containerd.grpc.v1.cri"]
  # No registry is reachable: the sandbox image is the local pause image, imported at start.
  sandbox_image = ${JSON.stringify(pauseImage)}
  # This machine refuses a negative oom_score_adj even to root; the CRI asks -998 for sandboxes.
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  disable_apparmor = true
  enable_selinux = false
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = ${JSON.stringify(cniConfDir)}
    max_conf_num = 1
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        # cgroup v1 without systemd: the kubelet's cgroupfs driver.
        SystemdCgroup = false
        # runc's state beside containerd's, not in /run/containerd/runc.
        Root = ${JSON.stringify(join(dir, 'state/runc'))}
`;
}

/** Starts containerd in `dir` and imports every image tarball setup built. */
export async function startContainerd(
  dir: string,
  cniConfDir: string,
  pauseImage: string,
  /** Further names for imported images (the names pods use for them). */
  tags: Record<string, string[]>,
  logFile: string,
): Promise<Containerd> {
  await mkdir(dir, { recursive: true });
  const socket = join(dir, 'containerd.sock');
  const configPath = join(dir, 'config.toml');
  await writeFile(configPath, config(dir, socket, cniConfDir, pauseImage));
  const proc = startProcess('containerd', 'containerd', ['--config', configPath, '--log-level', 'warn'], { logFile });
  const ctr = ctrAt(socket);
  await waitUntil('containerd', async () => (await ctr(['version'])).includes('Server'), {
    timeoutMs: 30_000,
    process: proc,
  });
  const images = join(toolsDir, 'share/images');
  for (const name of (await readdir(images)).filter((f) => f.endsWith('.tar'))) {
    await ctr(['images', 'import', join(images, name)]);
  }
  for (const [image, names] of Object.entries(tags)) {
    for (const name of names) await ctr(['images', 'tag', '--force', image, name]);
  }
  await nameByDigest(ctr);
  return { socket, process: proc, ctr };
}

/** `ctr` against the containerd at `socket`, in the namespace the CRI uses. */
function ctrAt(socket: string): Containerd['ctr'] {
  return (args) => host('ctr', ['--address', socket, '--namespace', 'k8s.io', ...args]);
}

/** Imports an image tarball (docker-archive) into a running node's containerd, by tag and by digest. */
export async function importImage(socket: string, tarball: string): Promise<void> {
  const ctr = ctrAt(socket);
  await ctr(['images', 'import', tarball]);
  await nameByDigest(ctr);
}

/** Removes an image (by its name) and the `repository@digest` name importImage gave it. */
export async function removeImage(socket: string, name: string): Promise<void> {
  const ctr = ctrAt(socket);
  const image = (await listImages(ctr)).find(({ ref }) => ref === name);
  await ctr(['images', 'rm', name, ...(image?.digest ? [`${withoutTagOrDigest(name)}@${image.digest}`] : [])]);
}

/** Every image name containerd holds, with the digest it names. */
async function listImages(ctr: Containerd['ctr']): Promise<{ ref: string; digest: string }[]> {
  const rows = (await ctr(['images', 'list'])).split('\n').slice(1).filter(Boolean);
  return rows.map((row) => row.split(/\s+/)).map(([ref = '', , digest = '']) => ({ ref, digest }));
}

/**
 * Gives each tagged image its `repository@sha256:…` name too, as a registry pull would: an import
 * records only the tag, and the CRI finds an image by digest (a rollout pinned to what was
 * scanned, with imagePullPolicy Never) only under such a name.
 */
async function nameByDigest(ctr: Containerd['ctr']): Promise<void> {
  for (const { ref, digest } of await listImages(ctr)) {
    if (!ref || !digest.startsWith('sha256:') || ref.includes('@') || ref.startsWith('sha256:')) continue;
    await ctr(['images', 'tag', '--force', ref, `${withoutTagOrDigest(ref)}@${digest}`]);
  }
}

/** Kills and removes every container left in the node's containerd (what the kubelet did not remove). */
export async function removeAllContainers(containerd: Containerd): Promise<string[]> {
  const ids = (await containerd.ctr(['containers', 'list', '--quiet'])).split('\n').filter(Boolean);
  for (const id of ids) {
    await containerd.ctr(['tasks', 'kill', '--signal', 'SIGKILL', id]).catch(() => undefined);
    await containerd.ctr(['tasks', 'delete', '--force', id]).catch(() => undefined);
    await containerd.ctr(['containers', 'delete', id]).catch(() => undefined);
  }
  return ids;
}
