// A pod's models directory as change tokens, from one `find … -exec stat` (GNU and busybox alike),
// so a backup can tell which large files are unchanged before reading any. The pod's output is
// untrusted: a line that does not parse, a name that is not a clean relative path, or anything but
// regular files and directories makes the listing unusable, and the backup reads every file as
// before (where the tar's own checks refuse what they refuse).
import { isRacy } from '../archive/index.ts';
import { entryPathProblem } from '../archive/entry-path.ts';
import type { KubeClients } from '../kubernetes/clients.ts';
import { execCommand, type ExecTarget } from '../kubernetes/exec.ts';

export interface ListedFile {
  size: number;
  /** Absent for a file changed too recently to vouch for (isRacy). */
  changeToken?: string;
}

/** File type, size, device, inode, modification and change times (with nanoseconds), then the name. */
const FORMAT = '%F|%s|%d|%i|%y|%z|%n';
/** `2026-12-03 16:33:09.723053885 +0000`, as both stats print %y and %z. */
const TIME = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,9}))? ([+-]\d\d)(\d\d)$/;
const LISTING_LIMIT_BYTES = 16 * 1024 * 1024;

function timeMs(text: string): number | undefined {
  const m = TIME.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(3, '0').slice(0, 3)}${m[4]}:${m[5]}`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Parses the listing of `dir`; undefined when any line is not what the command prints. */
export function parseListing(text: string, dir: string, nowMs: number): Map<string, ListedFile> | undefined {
  const files = new Map<string, ListedFile>();
  const under = `${dir.replace(/\/+$/, '')}/`;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const fields = line.split('|');
    if (fields.length < 7) return undefined;
    const [type, size, device, inode, modified, changed] = fields;
    const name = fields.slice(6).join('|');
    if (!type!.startsWith('regular') || !/^\d+$/.test(size!) || !/^\d+$/.test(device!) || !/^\d+$/.test(inode!))
      return undefined;
    const changedMs = timeMs(changed!);
    if (changedMs === undefined || timeMs(modified!) === undefined || !name.startsWith(under)) return undefined;
    const relative = name.slice(under.length);
    if (entryPathProblem(relative) || files.has(relative)) return undefined;
    const bytes = Number(size);
    files.set(relative, {
      size: bytes,
      ...(isRacy(changedMs, nowMs) ? {} : { changeToken: `pod:${device}:${inode}:${bytes}:${modified}:${changed}` }),
    });
  }
  return files;
}

/** Lists `dir` in the pod; undefined when the pod cannot (no find or stat, a file vanished meanwhile). */
export async function listPodFiles(
  kube: KubeClients,
  target: ExecTarget,
  dir: string,
  options: { signal?: AbortSignal; now?: () => number } = {},
): Promise<Map<string, ListedFile> | undefined> {
  let result;
  try {
    result = await execCommand(
      kube,
      target,
      ['find', dir, '!', '-type', 'd', '-exec', 'stat', '-c', FORMAT, '{}', '+'],
      {
        signal: options.signal,
        outputLimitBytes: LISTING_LIMIT_BYTES,
      },
    );
  } catch (err) {
    if (options.signal?.aborted) throw err;
    return undefined;
  }
  if (result.exitCode !== 0) return undefined;
  return parseListing(result.stdout, dir, (options.now ?? Date.now)());
}
