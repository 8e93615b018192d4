// A minimal `docker save` archive (manifest.json, image config, one layer) holding the files a
// scanner reads: /etc/debian_version, the dpkg status database, Python package metadata. Lets the
// real trivy scan an "image" offline with `--input`.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { buffer } from 'node:stream/consumers';
import tar from 'tar-stream';

async function tarOf(entries: Record<string, string | Buffer>): Promise<Buffer> {
  const pack = tar.pack();
  const done = buffer(pack);
  for (const [name, content] of Object.entries(entries)) pack.entry({ name, mtime: new Date(0) }, content);
  pack.finalize();
  return done;
}

export interface DebianPackage {
  name: string;
  version: string;
  /** The source package when it differs (libssl3 comes from openssl). */
  source?: string;
}

export interface FixtureImage {
  repoTag: string;
  debianVersion: string;
  debs: DebianPackage[];
  /** Python distributions installed in site-packages. */
  python: { name: string; version: string }[];
}

function dpkgStatus(debs: DebianPackage[]): string {
  return debs
    .map((d) =>
      [
        `Package: ${d.name}`,
        'Status: install ok installed',
        'Architecture: amd64',
        ...(d.source ? [`Source: ${d.source}`] : []),
        `Version: ${d.version}`,
        `Description: ${d.name}`,
        '',
      ].join('\n'),
    )
    .join('\n');
}

/** With `bare`, the layer holds only a static binary: no OS files, no package databases. */
export async function writeImageArchive(
  path: string,
  image: FixtureImage,
  options: { bare?: boolean } = {},
): Promise<void> {
  const site = 'usr/local/lib/python3.11/site-packages';
  const layer = await tarOf(
    options.bare
      ? { 'app/server': '\u007fELF static binary' }
      : {
          'etc/debian_version': `${image.debianVersion}\n`,
          'etc/os-release': `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n`,
          'var/lib/dpkg/status': dpkgStatus(image.debs),
          ...Object.fromEntries(
            image.python.map((p) => [
              `${site}/${p.name}-${p.version}.dist-info/METADATA`,
              `Metadata-Version: 2.1\nName: ${p.name}\nVersion: ${p.version}\n`,
            ]),
          ),
        },
  );
  const diffId = createHash('sha256').update(layer).digest('hex');
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: { User: '1000', Cmd: ['python', '-m', 'pno.serve'] },
    rootfs: { type: 'layers', diff_ids: [`sha256:${diffId}`] },
    history: [{ created: '2026-01-01T00:00:00Z', created_by: 'pno test fixture' }],
  });
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
  const archive = await tarOf({
    [configName]: config,
    [`${diffId}/layer.tar`]: layer,
    'manifest.json': JSON.stringify([
      { Config: configName, RepoTags: [image.repoTag], Layers: [`${diffId}/layer.tar`] },
    ]),
  });
  await writeFile(path, archive);
}

/** The running image of the suite: fixable openssl and idna criticals, an unfixed zlib one. */
export const running: FixtureImage = {
  repoTag: 'registry.example.com/pno/pno-inference:1.4.0',
  debianVersion: '12.5',
  debs: [
    { name: 'libssl3', version: '3.0.11-1~deb12u2', source: 'openssl' },
    { name: 'openssl', version: '3.0.11-1~deb12u2' },
    { name: 'zlib1g', version: '1:1.2.13.dfsg-1', source: 'zlib' },
    { name: 'apt', version: '2.6.1' },
  ],
  python: [
    { name: 'idna', version: '3.6' },
    { name: 'numpy', version: '1.26.4' },
  ],
};
/** The same image with openssl and idna updated. */
export const patched: FixtureImage = {
  ...running,
  repoTag: 'registry.example.com/pno/pno-inference:1.4.1',
  debs: running.debs.map((d) =>
    d.source === 'openssl' || d.name === 'openssl' ? { ...d, version: '3.0.14-1~deb12u2' } : d,
  ),
  python: [
    { name: 'idna', version: '3.7' },
    { name: 'numpy', version: '1.26.4' },
  ],
};
