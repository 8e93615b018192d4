#!/usr/bin/env bash
# Ensures "$PNO_TOOLS_DIR/bin/minio" is the pinned MinIO server (built once with `go install`);
# prints its path. A second run with the right binary in place builds nothing.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${PNO_TOOLS_DIR:-$ROOT/.tools}/bin
source "$ROOT/scripts/tools/versions.env"
mkdir -p "$BIN"

# `minio --version` prints "minio version RELEASE.<tag> (commit-id=...)".
if [ -x "$BIN/minio" ] && "$BIN/minio" --version 2>/dev/null | grep -qF "version $MINIO_VERSION "; then
  echo "$BIN/minio"; exit 0
fi

# A plain `go install` reports "DEVELOPMENT.GOGET"; stamp the release the way MinIO's own build does.
t=${MINIO_VERSION#RELEASE.}                       # 2025-09-07T16-13-09Z
rfc3339="${t%%T*}T$(tr - : <<<"${t#*T}")"         # 2025-09-07T16:13:09Z
pkg=github.com/minio/minio
echo "[setup] building minio $MINIO_VERSION (once; cached in $BIN)" >&2
GOBIN=$BIN GOFLAGS=-buildvcs=false CGO_ENABLED=0 go install -trimpath \
  -ldflags "-s -w -X $pkg/cmd.Version=$rfc3339 -X $pkg/cmd.ReleaseTag=$MINIO_VERSION -X $pkg/cmd.CopyrightYear=${t%%-*}" \
  "$pkg@$MINIO_VERSION"
echo "$BIN/minio"
