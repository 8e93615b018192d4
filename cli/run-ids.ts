// Workflow ids a person can read and type: what the run does, to which namespace, and when (UTC to
// the second), e.g. `backup-production-20261201T020000Z`. A backup's object is named after its run,
// so a manual backup lands at pno/backups/backup-production-20261201T020000Z.tar.gz.enc.
export type RunKind = 'backup' | 'restore' | 'drill';

export function readableRunId(kind: RunKind, namespace: string, at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
  return `${kind}-${namespace}-${stamp}`;
}
