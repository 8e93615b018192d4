#!/usr/bin/env bash
# Installs npm dependencies exactly as locked, only when package-lock.json changed since the last install.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"
# onnxruntime-node's install script would download CUDA files; CPU inference needs none of them.
export ONNXRUNTIME_NODE_INSTALL=skip
stamp=node_modules/.pno-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log "installing npm dependencies (npm ci)"
  npm ci --no-fund --no-audit
  echo "$want" > "$stamp"
fi
