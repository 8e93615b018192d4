#!/usr/bin/env bash
# Ensures "$PNO_TOOLS_DIR/bin/minio" is the pinned MinIO server (built once with `go install`);
# prints its path. A second run with the right binary in place builds nothing.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${PNO_TOOLS_DIR:-$ROOT/.tools}/bin
source "$ROOT/scripts/tools/versions.env"
mkdir -p "$BIN"
stamp=$BIN/.minio.version

if [ -x "$BIN/minio" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$MINIO_VERSION" ]; then
  echo "$BIN/minio"; exit 0
fi

# A plain `go install` reports "DEVELOPMENT.GOGET"; stamp the commit time of the pseudo-version
# (v0.0.0-YYYYMMDDhhmmss-commit) the way MinIO's own build stamps a release.
t=${MINIO_VERSION#v0.0.0-}; t=${t%%-*}             # 20260212201848
rfc3339="${t:0:4}-${t:4:2}-${t:6:2}T${t:8:2}:${t:10:2}:${t:12:2}Z"
pkg=github.com/minio/minio
echo "[setup] building minio $MINIO_VERSION (once; cached in $BIN)" >&2
start=$SECONDS
GOBIN=$BIN GOFLAGS=-buildvcs=false CGO_ENABLED=0 go install -trimpath \
  -ldflags "-s -w -X $pkg/cmd.Version=$rfc3339 -X $pkg/cmd.ReleaseTag=DEVELOPMENT.${rfc3339//:/-} -X $pkg/cmd.CopyrightYear=${t:0:4}" \
  "$pkg@$MINIO_VERSION"
echo "$MINIO_VERSION" > "$stamp"
echo "[setup] built minio in $((SECONDS - start))s" >&2
echo "$BIN/minio"
