// The local images' names, pinned in scripts/tools/versions.env (ensure-node-images.sh tags the
// tarballs with them), so pod specs and the containerd config name exactly what was imported.
import { readFile } from 'node:fs/promises';

export async function localImages(): Promise<{ pause: string; fixtureService: string }> {
  const text = await readFile(new URL('../../scripts/tools/versions.env', import.meta.url), 'utf8');
  const pin = (key: string) => {
    const value = new RegExp(`^${key}=(.+)$`, 'm').exec(text)?.[1]?.trim();
    if (!value) throw new Error(`scripts/tools/versions.env has no ${key}`);
    return value;
  };
  return { pause: pin('PAUSE_IMAGE'), fixtureService: pin('FIXTURE_SERVICE_IMAGE') };
}
