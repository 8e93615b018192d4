# Shared by the ensure-* scripts: repo root, tool cache and pinned versions.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export PNO_TOOLS_DIR=${PNO_TOOLS_DIR:-$ROOT/.tools}
mkdir -p "$PNO_TOOLS_DIR/bin"
# shellcheck source=versions.env
source "$ROOT/scripts/tools/versions.env"
log() { printf '[setup] %s\n' "$*" >&2; }
