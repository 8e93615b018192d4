// The local images' names, pinned in scripts/tools/versions.env (ensure-node-images.sh tags the
// tarballs with them), so pod specs and the containerd config name exactly what was imported.
import { readFile } from 'node:fs/promises';

export interface LocalImages {
  pause: string;
  fixtureService: string;
  /** The fixture service started with --never-ready: its readiness probe never passes. */
  neverReady: string;
  /** Further names per imported image, tagged in the node's containerd (never pulled). */
  tags: Record<string, string[]>;
}

export async function localImages(): Promise<LocalImages> {
  const text = await readFile(new URL('../../scripts/tools/versions.env', import.meta.url), 'utf8');
  const pin = (key: string) => {
    const value = new RegExp(`^${key}=(.+)$`, 'm')
      .exec(text)?.[1]
      ?.trim()
      .replace(/^"(.*)"$/, '$1');
    if (!value) throw new Error(`scripts/tools/versions.env has no ${key}`);
    return value;
  };
  const fixtureService = pin('FIXTURE_SERVICE_IMAGE');
  const neverReady = pin('NEVER_READY_IMAGE');
  const list = (key: string) => pin(key).split(/\s+/).filter(Boolean);
  return {
    pause: pin('PAUSE_IMAGE'),
    fixtureService,
    neverReady,
    tags: { [fixtureService]: list('SERVICE_IMAGE_TAGS'), [neverReady]: list('NEVER_READY_IMAGE_TAGS') },
  };
}
