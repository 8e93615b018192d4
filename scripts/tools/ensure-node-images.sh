#!/usr/bin/env bash
# Ensures the local container images a real node runs, as docker-archive tarballs in
# "$PNO_TOOLS_DIR/share/images/" (no registry is reachable, so images are made from local files):
#   pause.tar            $PAUSE_IMAGE: a static pause (stack/images/pause/pause.c, gcc -static)
#   fixture-service.tar  $FIXTURE_SERVICE_IMAGE: the fixture service (stack/fixture-service, Go,
#                        CGO_ENABLED=0), busybox-static for sh/tar/cat…, Debian's logrotate with the
#                        shared libraries ldd lists, and the image files in stack/fixture-service/image.
#   fixture-service-never-ready.tar  $NEVER_READY_IMAGE: the same files, started with --never-ready.
#   postgres.tar         $POSTGRES_IMAGE: Debian's PostgreSQL (server, initdb, pg_dump, psql) with the
#                        shared libraries ldd lists, busybox-static, and the files in stack/images/postgres.
# Each tarball has a stamp of the hash of its inputs; unchanged inputs build nothing.
# Needs gcc, go, busybox-static, logrotate and postgresql-15 (ensure-node-runtime.sh installs the last three).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TOOLS=${PNO_TOOLS_DIR:-$ROOT/.tools}
OUT=$TOOLS/share/images
source "$ROOT/scripts/tools/versions.env"
mkdir -p "$OUT"
archive=$ROOT/scripts/tools/image-archive.sh
source "$ROOT/scripts/tools/rootfs.sh"

# Hash of everything an image is made from: its sources, this script, the packaged binaries, the tag.
inputs_hash() { { cat "$0" "$archive" "$ROOT/scripts/tools/rootfs.sh"; for f in "$@"; do
  if [ -d "$f" ]; then (cd "$f" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum); else sha256sum "$f"; fi; done; } |
  sha256sum | cut -d' ' -f1; }
fresh() { [ -s "$OUT/$1.tar" ] && [ "$(cat "$OUT/.$1.inputs" 2>/dev/null)" = "$2" ]; }

build_pause() {
  local rootfs=$1
  gcc -static -O2 -s -o "$rootfs/pause" "$ROOT/stack/images/pause/pause.c"
  "$archive" "$rootfs" "$PAUSE_IMAGE" "$OUT/pause.tar" '["/pause"]'
}

build_fixture_service() {
  local rootfs=$1
  add_busybox "$rootfs"
  (cd "$ROOT/stack/fixture-service" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath -ldflags '-s -w' -o "$rootfs/fixture-service" .)
  cp -r "$ROOT/stack/fixture-service/image/." "$rootfs/"
  mkdir -p "$rootfs/usr/sbin" "$rootfs/var/log/pno" "$rootfs/var/lib/logrotate" "$rootfs/app/models"
  copy_linked "$rootfs" /usr/sbin/logrotate
  "$archive" "$rootfs" "$FIXTURE_SERVICE_IMAGE" "$OUT/fixture-service.tar" '["/fixture-service"]'
  "$archive" "$rootfs" "$NEVER_READY_IMAGE" "$OUT/fixture-service-never-ready.tar" '["/fixture-service","--never-ready"]'
}

PG=/usr/lib/postgresql/15
build_postgres() {
  local rootfs=$1
  add_busybox "$rootfs"
  cp -r "$ROOT/stack/images/postgres/." "$rootfs/"
  copy_linked "$rootfs" $PG/bin/{postgres,initdb,pg_ctl,pg_dump,psql,createdb,pg_isready}
  # Server modules (PL/pgSQL, encodings, text search), not the LLVM JIT (off in the entrypoint).
  mkdir -p "$rootfs$PG/lib"
  find $PG/lib -maxdepth 1 -name '*.so' ! -name 'llvmjit*' -exec cp {} "$rootfs$PG/lib/" \;
  mkdir -p "$rootfs/usr/share/postgresql" "$rootfs/usr/share/zoneinfo" "$rootfs/var/lib/postgresql"
  cp -r /usr/share/postgresql/15 "$rootfs/usr/share/postgresql/"
  cp -r /usr/share/zoneinfo/. "$rootfs/usr/share/zoneinfo/"
  "$archive" "$rootfs" "$POSTGRES_IMAGE" "$OUT/postgres.tar" '["/usr/local/bin/pno-postgres"]'
}

for image in pause fixture-service postgres; do
  case $image in
    pause) hash=$(inputs_hash "$ROOT/stack/images/pause" <(echo "$PAUSE_IMAGE")) ;;
    fixture-service) hash=$(inputs_hash "$ROOT/stack/fixture-service" /bin/busybox /usr/sbin/logrotate <(echo "$FIXTURE_SERVICE_IMAGE $NEVER_READY_IMAGE")) ;;
    postgres) hash=$(inputs_hash "$ROOT/stack/images/postgres" /bin/busybox $PG/bin/postgres <(echo "$POSTGRES_IMAGE")) ;;
  esac
  fresh "$image" "$hash" && continue
  start=$SECONDS
  rootfs=$(mktemp -d)
  "build_${image//-/_}" "$rootfs"
  rm -rf "$rootfs"
  echo "$hash" > "$OUT/.$image.inputs"
  echo "[setup] built image $image ($(du -h "$OUT/$image.tar" | cut -f1)) in $((SECONDS - start))s" >&2
done
echo "$OUT"
