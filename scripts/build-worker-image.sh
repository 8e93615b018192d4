#!/usr/bin/env bash
# Builds the worker's container image from this checkout, without Docker, a registry or a base image:
#   scripts/build-worker-image.sh OUT.tar [TAG]     (TAG: pno.local/pno-maintenance-worker:<version>)
# Inside: the Node binary that runs this script with the libraries it links, the product's code
# (compiled to JavaScript), its production dependencies with only this platform's native parts, the
# prebuilt workflow bundle, and trivy. No shell; deploy/worker.yaml runs it as uid 1000. The tarball
# is what `docker save` writes: `ctr images import`, `docker load` or a registry push take it.
set -euo pipefail
[ "$(uname -m)" = x86_64 ] || { echo "build-worker-image: builds linux/amd64 images only, on an x86_64 machine" >&2; exit 1; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS=${PNO_TOOLS_DIR:-$ROOT/.tools}
[ $# = 1 ] || [ $# = 2 ] || { sed -n '3p' "$0" >&2; exit 2; }
out=$(realpath -m "$1")
tag=${2:-pno.local/pno-maintenance-worker:$(node -p 'require(process.argv[1]).version' "$ROOT/package.json")}
source "$ROOT/scripts/tools/rootfs.sh"
node=$(command -v node)
case $("$node" --version) in v24.*) ;; *) echo "build-worker-image: needs Node 24 on PATH (./ops provides it)" >&2; exit 1 ;; esac
trivy=$TOOLS/bin/trivy
[ -x "$trivy" ] || { echo "build-worker-image: no trivy at $trivy (scripts/tools/ensure-trivy.sh builds it)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs app=$work/rootfs/app
mkdir -p "$app/dist" "$rootfs/usr/local/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
chmod 1777 "$rootfs/tmp"

cp -L "$node" "$rootfs/usr/local/bin/node"
copy_libraries "$rootfs" "$node"
cp -L "$trivy" "$rootfs/usr/local/bin/trivy"
copy_libraries "$rootfs" "$trivy"

# The runtime's code compiled to JavaScript, as the Dockerfile builds it (type stripping at run time
# would cost every worker ~37 MiB and its start); tests, the local stack and the scripts stay out.
(cd "$ROOT" && node_modules/.bin/tsc -p tsconfig.build.json --outDir "$app/dist" --sourceMap false)
cp "$ROOT/package.json" "$ROOT/package-lock.json" "$app/"
(cd "$app" && ONNXRUNTIME_NODE_INSTALL=skip npm ci --omit=dev --prefer-offline --no-audit --no-fund --loglevel=error)
# Native parts for other platforms: most of onnxruntime-node and the Temporal core bridge.
find "$app/node_modules/onnxruntime-node/bin" -mindepth 3 -maxdepth 3 -type d ! -path '*/linux/x64' -exec rm -rf {} +
find "$app/node_modules/@temporalio/core-bridge/releases" -mindepth 1 -maxdepth 1 -type d ! -name x86_64-unknown-linux-gnu -exec rm -rf {} +
while IFS= read -r -d '' addon; do copy_libraries "$rootfs" "$addon"; done \
  < <(find "$app/node_modules" -type f \( -name '*.node' -o -name '*.so*' \) -print0)
(cd "$ROOT" && "$node" workers/build-bundle.ts "$app/dist/workflow-bundle.js" >"$work/bundle.log" 2>&1) ||
  { cat "$work/bundle.log" >&2; exit 1; }

# Names for the worker's uid (node's os.userInfo), and /etc/hosts before DNS for lookups.
printf 'root:x:0:0:root:/root:/sbin/nologin\npno:x:1000:1000:pno maintenance worker:/tmp:/sbin/nologin\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\npno:x:1000:\n' > "$rootfs/etc/group"
printf 'hosts: files dns\n' > "$rootfs/etc/nsswitch.conf"
# The machine's CA bundle: trivy (Go) verifies its DB download and registries with it; a site's own CA
# goes in with NODE_EXTRA_CA_CERTS (Node carries its own roots) and SSL_CERT_DIR.
mkdir -p "$rootfs/etc/ssl/certs"
cp -L /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"

"$ROOT/scripts/tools/image-archive.sh" "$rootfs" "$tag" "$out" '["/usr/local/bin/node","/app/dist/workers/main.js"]' \
  '["PATH=/usr/local/bin:/usr/bin:/bin","HOME=/tmp","NODE_ENV=production","PNO_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js","PNO_TRIVY_PATH=/usr/local/bin/trivy","SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"]'
echo "$tag $out ($(du -h "$out" | cut -f1))"
