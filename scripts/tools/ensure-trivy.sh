#!/usr/bin/env bash
# Ensures a pinned trivy for the security scans and prints its path, in this order: $TRIVY_PATH,
# the tool cache (stamp ".trivy.version" matches the pin), a `go install` of the pin into the cache.
# `trivy` on PATH is not taken: the report schema and the offline behaviour are tested against the pin.
# Cold build: ~30 min wall on 2 busy cores (16 min CPU); a second run builds nothing.
# Also builds the suite's tiny vulnerability DB (test/fixtures/security/trivy-db) into
# "$PNO_TOOLS_DIR/share/trivy-fixture-db", so image scans can be tested offline.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# The fixture DB, rebuilt when its sources change (~20 s, Go modules from the proxy).
fixture_db() {
  local src=$ROOT/test/fixtures/security/trivy-db out=$PNO_TOOLS_DIR/share/trivy-fixture-db
  local sum
  sum=$(cat "$src"/*.go "$src"/*.yaml "$src"/go.mod | sha256sum | cut -d' ' -f1)
  [ "$(cat "$out/.stamp" 2>/dev/null)" = "$sum" ] && return 0
  command -v go >/dev/null || { log "no Go: skipping the fixture trivy DB (the image-scan tests need it)"; return 0; }
  log "building the fixture trivy DB into $out"
  rm -rf "$out"
  (cd "$src" && go run . "$out" debian.yaml python.yaml vulnerability.yaml data-source.yaml)
  echo "$sum" > "$out/.stamp"
}

if [ -n "${TRIVY_PATH:-}" ]; then
  [ -x "$TRIVY_PATH" ] || { log "TRIVY_PATH=$TRIVY_PATH is not an executable"; exit 1; }
  fixture_db
  echo "$TRIVY_PATH"; exit 0
fi

BIN=$PNO_TOOLS_DIR/bin
stamp=$BIN/.trivy.version
if ! { [ -x "$BIN/trivy" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$TRIVY_VERSION" ]; }; then
  log "building trivy $TRIVY_VERSION with go install (once; cached in $BIN)"
  start=$SECONDS
  # A plain `go install` reports "dev"; stamp the version the way trivy's release build does.
  # Newer trivy needs the json/v2 experiment of the Go toolchain.
  GOBIN=$BIN GOFLAGS=-buildvcs=false CGO_ENABLED=0 GOEXPERIMENT=jsonv2 go install -trimpath \
    -ldflags "-s -w -X github.com/aquasecurity/trivy/pkg/version/app.ver=${TRIVY_VERSION#v}" \
    "github.com/aquasecurity/trivy/cmd/trivy@$TRIVY_VERSION"
  echo "$TRIVY_VERSION" > "$stamp"
  log "built trivy in $((SECONDS - start))s"
fi
fixture_db
echo "$BIN/trivy"
