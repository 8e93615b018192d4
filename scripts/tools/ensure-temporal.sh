#!/usr/bin/env bash
# Prints the path of a `temporal` CLI (dev server), in this order: $TEMPORAL_CLI_PATH, `temporal` on
# PATH, the tool cache, a `go install` of the pinned version into the cache. Prints nothing when none
# can be had, so the SDK falls back to its own download (users with internet and no Go).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [ -n "${TEMPORAL_CLI_PATH:-}" ]; then
  [ -x "$TEMPORAL_CLI_PATH" ] || { log "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable"; exit 1; }
  echo "$TEMPORAL_CLI_PATH"; exit 0
fi
if on_path=$(command -v temporal); then echo "$on_path"; exit 0; fi

cached=$PNO_TOOLS_DIR/bin/temporal
stamp=$PNO_TOOLS_DIR/bin/.temporal.version
if [ -x "$cached" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$TEMPORAL_CLI_VERSION" ]; then
  echo "$cached"; exit 0
fi
if command -v go >/dev/null; then
  log "building temporal CLI $TEMPORAL_CLI_VERSION with go install (once; cached in $PNO_TOOLS_DIR/bin)"
  GOBIN=$PNO_TOOLS_DIR/bin go install \
    "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION"
  echo "$TEMPORAL_CLI_VERSION" > "$stamp"
  echo "$cached"; exit 0
fi
log "no temporal CLI and no Go: the Temporal SDK will download its dev server (needs internet)"
