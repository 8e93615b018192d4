// One real node per machine: kubelet cgroups (/kubepods), the node bridge, iptables chains and the
// kernel settings the kubelet tunes are machine-wide, so a second node would fight the first. A lock
// file holds the owner's pid; a lock whose process is gone is stale and taken over.
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

/** Takes the machine's real-node lock or fails naming the process that holds it. Returns the release. */
export async function takeNodeLock(path = NODE_LOCK): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await open(path, 'wx');
      await file.writeFile(`${process.pid}\n`);
      await file.close();
      return () => rm(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (owner > 0 && alive(owner)) {
        throw new Error(
          `a real Kubernetes node already runs on this machine (process ${owner} holds ${path}); stop it first: one node per machine`,
        );
      }
      await rm(path, { force: true });
    }
  }
  throw new Error(`could not take ${path}`);
}
