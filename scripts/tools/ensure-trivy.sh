#!/usr/bin/env bash
# Ensures a pinned trivy for the security scans and prints its path, in this order: $TRIVY_PATH,
# the tool cache (stamp ".trivy.version" matches the pin), a `go install` of the pin into the cache.
# `trivy` on PATH is not taken: the report schema and the offline behaviour are tested against the pin.
# Cold build: a large module graph, minutes on 2 cores; a second run builds nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [ -n "${TRIVY_PATH:-}" ]; then
  [ -x "$TRIVY_PATH" ] || { log "TRIVY_PATH=$TRIVY_PATH is not an executable"; exit 1; }
  echo "$TRIVY_PATH"; exit 0
fi

BIN=$PNO_TOOLS_DIR/bin
stamp=$BIN/.trivy.version
if [ -x "$BIN/trivy" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$TRIVY_VERSION" ]; then
  echo "$BIN/trivy"; exit 0
fi

log "building trivy $TRIVY_VERSION with go install (once; cached in $BIN)"
start=$SECONDS
# A plain `go install` reports "dev"; stamp the version the way trivy's release build does.
# Newer trivy needs the json/v2 experiment of the Go toolchain.
GOBIN=$BIN GOFLAGS=-buildvcs=false CGO_ENABLED=0 GOEXPERIMENT=jsonv2 go install -trimpath \
  -ldflags "-s -w -X github.com/aquasecurity/trivy/pkg/version/app.ver=${TRIVY_VERSION#v}" \
  "github.com/aquasecurity/trivy/cmd/trivy@$TRIVY_VERSION"
echo "$TRIVY_VERSION" > "$stamp"
log "built trivy in $((SECONDS - start))s"
echo "$BIN/trivy"
