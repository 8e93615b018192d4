// One real node per machine: kubelet cgroups (/kubepods), the node bridge, iptables chains and the
// kernel settings the kubelet tunes are machine-wide, so a second node would fight the first. A lock
// file holds the owner's pid and the node's directory; a lock whose process is gone is stale: what
// that node left (its processes, mounts, chains) is cleaned up by the caller, then the lock taken over.
import { open, readFile, rm } from 'node:fs/promises';

export const NODE_LOCK = '/run/pno-real-node.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface NodeLockOptions {
  path?: string;
  /** The node's directory, recorded so a later taker can clean up after this node if it dies. */
  dir?: string;
  /** Called with the directory a dead owner recorded, before its lock is taken over. */
  onStale?: (previousDir: string | undefined) => Promise<void>;
}

/** Takes the machine's real-node lock or fails naming the process that holds it. Returns the release. */
export async function takeNodeLock(options: NodeLockOptions = {}): Promise<() => Promise<void>> {
  const path = options.path ?? NODE_LOCK;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await open(path, 'wx');
      await file.writeFile(`${process.pid}\n${options.dir ?? ''}\n`);
      await file.close();
      return () => rm(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const [pidLine, dirLine] = (await readFile(path, 'utf8').catch(() => '')).split('\n');
      const owner = Number(pidLine?.trim());
      if (owner > 0 && alive(owner)) {
        throw new Error(
          `a real Kubernetes node already runs on this machine (process ${owner} holds ${path}); stop it first: one node per machine`,
        );
      }
      await options.onStale?.(dirLine?.trim() || undefined);
      await rm(path, { force: true });
    }
  }
  throw new Error(`could not take ${path}`);
}
