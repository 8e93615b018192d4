#!/usr/bin/env bash
# Ensures the Temporal server docker-compose.yml pins, for real without Docker: "$PNO_TOOLS_DIR/bin/"
# temporal-server and temporal-sql-tool (go install of go.temporal.io/server's cmd/server and
# cmd/tools/sql), and its PostgreSQL schemas in "$PNO_TOOLS_DIR/share/temporal-schema/postgresql/v12".
# Prints the bin directory. A second run with the right binaries in place builds nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
BIN=$PNO_TOOLS_DIR/bin
SCHEMA=$PNO_TOOLS_DIR/share/temporal-schema
stamp=$BIN/.temporal-server.version
if [ -x "$BIN/temporal-server" ] && [ -x "$BIN/temporal-sql-tool" ] && [ -d "$SCHEMA/postgresql/v12" ] &&
  [ "$(cat "$stamp" 2>/dev/null)" = "$TEMPORAL_SERVER_VERSION" ]; then
  echo "$BIN"; exit 0
fi

module=go.temporal.io/server
log "building temporal-server and temporal-sql-tool $TEMPORAL_SERVER_VERSION (once; cached in $BIN)"
start=$SECONDS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
GOBIN=$work GOFLAGS=-buildvcs=false CGO_ENABLED=0 go install -trimpath -ldflags '-s -w' \
  "$module/cmd/server@$TEMPORAL_SERVER_VERSION" "$module/cmd/tools/sql@$TEMPORAL_SERVER_VERSION"
mv "$work/server" "$BIN/temporal-server"
mv "$work/sql" "$BIN/temporal-sql-tool"
# The schema files ship in the module, not in the binaries.
src=$(go env GOMODCACHE)/$module@$TEMPORAL_SERVER_VERSION/schema/postgresql/v12
rm -rf "$SCHEMA"
mkdir -p "$SCHEMA/postgresql"
cp -r "$src" "$SCHEMA/postgresql/v12"
chmod -R u+w "$SCHEMA"
echo "$TEMPORAL_SERVER_VERSION" > "$stamp"
log "built temporal-server in $((SECONDS - start))s"
echo "$BIN"
