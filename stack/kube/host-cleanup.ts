// Removes what a stopped node leaves on the host: mounts under its directory (container root
// filesystems, sandbox shm, network namespaces, volume tmpfs), shims still serving its containerd,
// the kubelet's pod cgroups and its /var/log/containers links.
import { readdir, readFile, readlink, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { waitUntil } from '../process.ts';
import { host } from './host-command.ts';

/** Mount points at or below `dir`, deepest first. */
async function mountsUnder(dir: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const points = text
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => !!p)
    // mountinfo escapes spaces and other characters as octal.
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
  return [...new Set(points.filter((p) => p === dir || p.startsWith(`${dir}/`)))].sort((a, b) => b.length - a.length);
}

export async function unmountUnder(dir: string): Promise<string[]> {
  const points = await mountsUnder(dir);
  for (const point of points) await host('umount', [point]).catch(() => host('umount', ['-l', point]));
  return points;
}

/** Pids of the processes (not this one) one of whose arguments matches. */
async function processesWith(matches: (arg: string) => boolean): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').some(matches)) pids.push(Number(entry));
  }
  return pids;
}

/** SIGKILLs the processes one of whose arguments matches, and waits until they are gone. */
async function killProcessesWith(what: string, matches: (arg: string) => boolean): Promise<number[]> {
  const pids = await processesWith(matches);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  if (pids.length > 0)
    await waitUntil(`${what} gone`, async () => (await processesWith(matches)).length === 0, { timeoutMs: 10_000 });
  return pids;
}

/** Kills the processes with `needle` as an argument (the shims serving the node's containerd socket). */
export function killProcessesMentioning(needle: string): Promise<number[]> {
  return killProcessesWith('node shims', (arg) => arg === needle);
}

/** Kills every process working in `dir` (an abandoned cluster's servers, containerd and shims). */
export function killProcessesUnder(dir: string): Promise<number[]> {
  return killProcessesWith(`processes in ${dir}`, (arg) => arg.includes(`${dir}/`));
}

/** SIGKILLs every process still in the kubelet's pod cgroups (containers whose shim was killed). */
export async function killKubepodsTasks(): Promise<number> {
  let killed = 0;
  const visit = async (path: string) => {
    const procs = await readFile(join(path, 'cgroup.procs'), 'utf8').catch(() => '');
    for (const pid of procs.split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
        killed++;
      } catch {
        // Already gone.
      }
    }
    for (const entry of await readdir(path, { withFileTypes: true }).catch(() => []))
      if (entry.isDirectory()) await visit(join(path, entry.name));
  };
  for (const hierarchy of await readdir('/sys/fs/cgroup').catch(() => [] as string[]))
    await visit(join('/sys/fs/cgroup', hierarchy, 'kubepods'));
  return killed;
}

/** Every cgroup directory the kubelet made (kubepods…), bottom up, in every mounted hierarchy. */
export async function removeKubepodsCgroups(): Promise<string[]> {
  const removed: string[] = [];
  const remove = async (path: string) => {
    for (const entry of await readdir(path, { withFileTypes: true }))
      if (entry.isDirectory()) await remove(join(path, entry.name));
    await rmdir(path);
    removed.push(path);
  };
  for (const hierarchy of await readdir('/sys/fs/cgroup').catch(() => [] as string[])) {
    const root = join('/sys/fs/cgroup', hierarchy, 'kubepods');
    if (
      await readdir(root).then(
        () => true,
        () => false,
      )
    ) {
      // A cgroup can be removed only once the kernel has let go of its last task: retry briefly.
      await waitUntil(`remove cgroup ${root}`, () => remove(root).then(() => true), { timeoutMs: 15_000 });
    }
  }
  return removed;
}

/** The kubelet links container logs into /var/log/containers (a fixed path); drop the links into `dir`. */
export async function removeContainerLogLinks(dir: string, removeDirectory: boolean): Promise<void> {
  const links = await readdir('/var/log/containers').catch(() => [] as string[]);
  for (const name of links) {
    const path = join('/var/log/containers', name);
    const target = await readlink(path).catch(() => '');
    if (target.startsWith(`${dir}/`)) await rm(path, { force: true });
  }
  // The directory goes too when the kubelet made it (and nothing else has put a file there since).
  if (removeDirectory) await rmdir('/var/log/containers').catch(() => undefined);
}

/** containerd 1.6 puts shim sockets in /run/containerd/s whatever its state dir: drop the empty directories it made. */
export async function removeEmptyRunDirs(made: boolean): Promise<void> {
  if (!made) return;
  for (const dir of ['/run/containerd/s', '/run/containerd/runc', '/run/containerd'])
    await rmdir(dir).catch(() => undefined);
}
